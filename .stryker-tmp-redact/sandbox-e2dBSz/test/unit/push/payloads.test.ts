// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { apnsOrigin } from '../../../shared/push/apns';
import { apnsRequest, fcmRequest } from '../../../shared/push/payloads';
import type { PushMessage } from '../../../shared/push/types';

const message: PushMessage = {
  challengeSid: 'YC0123456789abcdef0123456789abcdef',
  factorSid: 'YF0123456789abcdef0123456789abcdef',
  message: 'Login request from Owl Bank',
  token: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  appId: 'com.example.owlbank',
  ttlSeconds: 300,
  now: new Date('2026-12-02T10:00:00.500Z'),
};
const nowSeconds = Math.floor(message.now.getTime() / 1000);

const fourKeys = {
  type: 'verify_push_challenge',
  challenge_sid: message.challengeSid,
  factor_sid: message.factorSid,
  message: message.message,
};
const aps = {
  alert: message.message,
  'mutable-content': 1,
  category: 'verify_push_challenge',
  sound: 'default',
};

describe('APNs request', () => {
  it('posts to /3/device/<token> with the Verify headers', () => {
    const request = apnsRequest(message);
    expect(request.path).toBe(`/3/device/${message.token}`);
    expect(request.headers).toStrictEqual({
      'apns-topic': 'com.example.owlbank',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(nowSeconds + 300),
      'apns-collapse-id': message.challengeSid,
    });
  });

  it('is a mutable alert with the four keys at the top level, and nothing else', () => {
    expect(apnsRequest(message).body).toStrictEqual({ aps, ...fourKeys });
  });

  it('maps Ttl 0 to apns-expiration 0 (deliver once, do not store) and other Ttls to now + Ttl', () => {
    expect(apnsRequest({ ...message, ttlSeconds: 0 }).headers['apns-expiration']).toBe('0');
    expect(apnsRequest({ ...message, ttlSeconds: 1 }).headers['apns-expiration']).toBe(
      String(nowSeconds + 1),
    );
    expect(apnsRequest({ ...message, ttlSeconds: 150 }).headers['apns-expiration']).toBe(
      String(nowSeconds + 150),
    );
  });

  it('keeps a token that is not a path segment from changing the path', () => {
    expect(apnsRequest({ ...message, token: '../x?y' }).path).toBe('/3/device/..%2Fx%3Fy');
  });
});

describe('FCM request', () => {
  it('posts to messages:send of the project', () => {
    expect(fcmRequest('owl-bank-prod', message).path).toBe('/v1/projects/owl-bank-prod/messages:send');
  });

  it('is data-only with the four string keys, HIGH priority, ttl and the challenge as collapse key', () => {
    const { body } = fcmRequest('owl-bank-prod', message);
    expect(body).toStrictEqual({
      message: {
        token: message.token,
        data: fourKeys,
        android: { priority: 'HIGH', ttl: '300s', collapse_key: message.challengeSid },
        apns: {
          headers: {
            'apns-push-type': 'alert',
            'apns-priority': '10',
            'apns-expiration': String(nowSeconds + 300),
            'apns-collapse-id': message.challengeSid,
          },
          payload: { aps },
        },
      },
    });
    expect(body.message).not.toHaveProperty('notification');
    expect(body.message.android).not.toHaveProperty('restricted_package_name');
    for (const value of Object.values(body.message.data)) expect(typeof value).toBe('string');
  });

  it('maps Ttl 0 to "0s"', () => {
    const { body } = fcmRequest('p', { ...message, ttlSeconds: 0 });
    expect(body.message.android.ttl).toBe('0s');
    expect(body.message.apns.headers['apns-expiration']).toBe('0');
  });
});

describe('what a push never carries', () => {
  it('has no field beyond the message, the SIDs and the fixed keys', () => {
    // Whatever else the caller's message object holds (hidden details, fields), nothing of it reaches a payload.
    const withExtras = {
      ...message,
      hiddenDetails: { ip: '10.0.0.1' },
      fields: [{ label: 'Amount', value: '$5' }],
    };
    const texts = [JSON.stringify(apnsRequest(withExtras)), JSON.stringify(fcmRequest('p', withExtras))];
    for (const text of texts) {
      expect(text).not.toContain('10.0.0.1');
      expect(text).not.toContain('Amount');
      expect(text).not.toContain('hidden');
    }
  });
});

describe('APNs host', () => {
  it('is the sandbox or production host by the credential, or the base URL for both', () => {
    expect(apnsOrigin({ sandbox: true })).toBe('https://api.sandbox.push.apple.com');
    expect(apnsOrigin({ sandbox: false })).toBe('https://api.push.apple.com');
    expect(apnsOrigin({ sandbox: true }, 'https://127.0.0.1:9')).toBe('https://127.0.0.1:9');
    expect(apnsOrigin({ sandbox: false }, 'https://127.0.0.1:9')).toBe('https://127.0.0.1:9');
  });
});
