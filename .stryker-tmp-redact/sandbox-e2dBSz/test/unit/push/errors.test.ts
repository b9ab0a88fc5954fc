// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { classifyApns, classifyFcm, parseRetryAfter } from '../../../shared/push/errors';

describe('Retry-After', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('2026', now)).toBe(2_026_000);
  });
});

describe('APNs answers', () => {
  it.each([
    [200, undefined, 'sent'],
    [410, 'Unregistered', 'dead-token'],
    [410, 'ExpiredToken', 'dead-token'],
    [400, 'BadDeviceToken', 'dead-token'],
    [400, 'BadTopic', 'permanent'],
    [400, 'DeviceTokenNotForTopic', 'permanent'],
    [400, 'MissingTopic', 'permanent'],
    [400, 'TopicDisallowed', 'permanent'],
    [400, 'InvalidPushType', 'permanent'],
    [403, 'ExpiredProviderToken', 'permanent'],
    [403, 'InvalidProviderToken', 'permanent'],
    [403, 'BadCertificate', 'permanent'],
    [403, 'BadCertificateEnvironment', 'permanent'],
    [404, 'BadPath', 'permanent'],
    [405, 'MethodNotAllowed', 'permanent'],
    [413, 'PayloadTooLarge', 'permanent'],
    [429, 'TooManyRequests', 'retry'],
    [429, 'TooManyProviderTokenUpdates', 'retry'],
    [500, 'InternalServerError', 'retry'],
    [503, 'ServiceUnavailable', 'retry'],
    [503, 'Shutdown', 'retry'],
    [502, undefined, 'retry'],
  ])('%i %s → %s', (status, reason, kind) => {
    const outcome = classifyApns({ status, reason });
    expect(outcome.kind).toBe(kind);
    if (outcome.kind !== 'sent') {
      expect(outcome.status).toBe(status);
      expect(outcome.reason).toBe(reason ?? `HTTP ${status}`);
    }
  });

  it('carries the apns-id of a success and the Retry-After of a retry, only there', () => {
    expect(classifyApns({ status: 200, apnsId: 'abc' })).toStrictEqual({ kind: 'sent', id: 'abc' });
    expect(classifyApns({ status: 200 })).toStrictEqual({ kind: 'sent' });
    expect(classifyApns({ status: 429, reason: 'TooManyRequests', retryAfterMs: 5000 })).toStrictEqual({
      kind: 'retry',
      status: 429,
      reason: 'TooManyRequests',
      retryAfterMs: 5000,
    });
    expect(classifyApns({ status: 400, reason: 'BadTopic', retryAfterMs: 5000 })).not.toHaveProperty(
      'retryAfterMs',
    );
  });
});

const google = (code: number, errorCode?: string, message = 'x') => ({
  error: {
    code,
    message,
    status: 'WHATEVER',
    ...(errorCode
      ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] }
      : {}),
  },
});

describe('FCM answers', () => {
  it.each([
    [404, 'UNREGISTERED', 'Requested entity was not found.', 'dead-token'],
    [400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'dead-token'],
    [400, 'INVALID_ARGUMENT', 'Invalid value at message.android.ttl', 'permanent'],
    [403, 'SENDER_ID_MISMATCH', 'SenderId mismatch', 'permanent'],
    [401, 'THIRD_PARTY_AUTH_ERROR', 'Auth error from APNS or Web Push Service', 'permanent'],
    [500, 'UNSPECIFIED_ERROR', 'x', 'permanent'],
    [429, 'QUOTA_EXCEEDED', 'x', 'retry'],
    [503, 'UNAVAILABLE', 'x', 'retry'],
    [500, 'INTERNAL', 'x', 'retry'],
    [401, undefined, 'Request had invalid authentication credentials.', 'permanent'],
    [403, undefined, 'Permission denied', 'permanent'],
    [429, undefined, 'x', 'retry'],
    [502, undefined, 'x', 'retry'],
  ])('%i %s (%s) → %s', (status, errorCode, message, kind) => {
    const outcome = classifyFcm({ status, body: google(status, errorCode, message) });
    expect(outcome.kind).toBe(kind);
    if (outcome.kind !== 'sent') {
      expect(outcome.status).toBe(status);
      if (errorCode) expect(outcome.reason).toBe(errorCode);
    }
  });

  it('reads details[].errorCode, not the status (UNREGISTERED arrives as NOT_FOUND)', () => {
    const body = {
      error: {
        code: 404,
        status: 'NOT_FOUND',
        details: [{ '@type': 'type.googleapis.com/google.rpc.Other' }, { errorCode: 'UNREGISTERED' }],
      },
    };
    expect(classifyFcm({ status: 404, body })).toStrictEqual({
      kind: 'dead-token',
      status: 404,
      reason: 'UNREGISTERED',
    });
  });

  it('returns the message name of a success and honours Retry-After on a retry', () => {
    expect(classifyFcm({ status: 200, body: { name: 'projects/p/messages/1' } })).toStrictEqual({
      kind: 'sent',
      id: 'projects/p/messages/1',
    });
    expect(classifyFcm({ status: 200, body: undefined })).toStrictEqual({ kind: 'sent' });
    expect(classifyFcm({ status: 503, body: google(503, 'UNAVAILABLE'), retryAfterMs: 7000 })).toMatchObject({
      kind: 'retry',
      retryAfterMs: 7000,
    });
  });

  it('copes with bodies that are not Google errors', () => {
    expect(classifyFcm({ status: 500, body: 'oops' })).toMatchObject({ kind: 'retry', reason: 'HTTP 500' });
    expect(classifyFcm({ status: 400, body: null })).toMatchObject({ kind: 'permanent', reason: 'HTTP 400' });
    expect(classifyFcm({ status: 400, body: { error: { details: 'no' } } })).toMatchObject({
      kind: 'permanent',
    });
  });
});
