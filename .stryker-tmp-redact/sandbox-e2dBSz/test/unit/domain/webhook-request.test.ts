// @ts-nocheck
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { subscribes, webhookUrlProblem, type Webhook } from '../../../shared/domain/webhook';
import {
  idempotencyToken,
  outcomeOf,
  retryDelayMs,
  stableUuid,
  twilioSignature,
  webhookParams,
} from '../../../shared/domain/webhook-request';

const A32 = 'a'.repeat(32);

describe('X-Twilio-Signature', () => {
  it("matches Twilio's documented example", () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(twilio.validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
  });

  it("matches the reference's Verify-style vector", () => {
    const params = {
      uuid: '4c1b6d2e-1f0a-4b8e-9a51-8a1f2c3d4e5f',
      type: 'challenge.approved',
      account_sid: `AC${A32}`,
      service_sid: `VA${A32}`,
      entity_identity: 'ff483d1ff591898a9942916050d2ca3f',
      factor_sid: `YF${A32}`,
      factor_type: 'push',
      challenge_sid: `YC${A32}`,
    };
    expect(twilioSignature('12345', 'https://example.com/verify-events', params)).toBe(
      'BxmKF6Nw/g3Vmc0/aQf/ZbJRrqs=',
    );
  });

  it('is accepted by twilio.validateRequest for awkward URLs and values, and refused with another token', () => {
    const token = 'f'.repeat(32);
    const params = {
      challenge_details: '{"message":"Log in? é & = +","fields":[{"label":"IP","value":"1.2.3.4"}]}',
      Zeta: 'upper case sorts first',
      a: '',
      emoji: '🔐',
    };
    for (const url of [
      'https://example.com/hooks',
      'https://example.com:8443/hooks?x=1&y=%27quoted%27',
      'http://127.0.0.1:4000/a/b?c=d',
    ]) {
      const signature = twilioSignature(token, url, params);
      expect(twilio.validateRequest(token, signature, url, params)).toBe(true);
      expect(twilio.validateRequest('0'.repeat(32), signature, url, params)).toBe(false);
      expect(twilio.validateRequest(token, signature, url, { ...params, a: 'x' })).toBe(false);
    }
  });
});

const factorDetail = {
  idempotency_key: `YF${A32}.verified`,
  account_sid: `AC${A32}`,
  service_sid: `VA${A32}`,
  entity_sid: `YE${A32}`,
  factor_sid: `YF${A32}`,
  factor_type: 'push',
  status: 'verified',
  entity_identity: 'user-0001-alice',
  factor_friendly_name: "Alice's phone",
  factor_metadata: { os: 'Android' },
};

const challengeDetail = {
  idempotency_key: `YC${A32}.approved`,
  account_sid: `AC${A32}`,
  service_sid: `VA${A32}`,
  entity_sid: `YE${A32}`,
  factor_sid: `YF${A32}`,
  factor_type: 'push',
  challenge_sid: `YC${A32}`,
  status: 'approved',
  entity_identity: 'user-0001-alice',
  challenge_details: { message: 'Log in?', fields: [{ label: 'IP', value: '1.2.3.4' }] },
  challenge_hidden_details: { ip: '172.168.1.234' },
  challenge_metadata: null,
};

describe('webhook bodies', () => {
  it('carries the factor fields for factor events, metadata only on v2', () => {
    const v2 = webhookParams('factor.verified', factorDetail, 'v2');
    expect(v2).toEqual({
      uuid: stableUuid(factorDetail.idempotency_key),
      type: 'factor.verified',
      account_sid: `AC${A32}`,
      service_sid: `VA${A32}`,
      entity_identity: 'user-0001-alice',
      factor_sid: `YF${A32}`,
      factor_type: 'push',
      factor_friendly_name: "Alice's phone",
      factor_metadata: '{"os":"Android"}',
    });
    expect(webhookParams('factor.verified', factorDetail, 'v1')).not.toHaveProperty('factor_metadata');
    expect(webhookParams('factor.created', factorDetail, 'v2')).not.toHaveProperty('challenge_sid');
  });

  it('carries the challenge fields as JSON strings, leaving absent ones out', () => {
    const v2 = webhookParams('challenge.approved', challengeDetail, 'v2');
    expect(v2).toMatchObject({
      type: 'challenge.approved',
      challenge_sid: `YC${A32}`,
      challenge_details: '{"message":"Log in?","fields":[{"label":"IP","value":"1.2.3.4"}]}',
      challenge_hidden_details: '{"ip":"172.168.1.234"}',
      challenge_status: 'approved',
      entity_identity: 'user-0001-alice',
    });
    expect(v2).not.toHaveProperty('challenge_metadata');
    expect(v2).not.toHaveProperty('factor_friendly_name');
    const v1 = webhookParams('challenge.denied', { ...challengeDetail, status: 'denied' }, 'v1');
    expect(v1).not.toHaveProperty('challenge_status');
    expect(v1.type).toBe('challenge.denied');
  });

  it('leaves out what events without PII do not carry', () => {
    const { entity_identity: _i, factor_friendly_name: _n, factor_metadata: _m, ...bare } = factorDetail;
    const params = webhookParams('factor.deleted', bare, 'v2');
    expect(Object.keys(params).sort()).toEqual(
      ['account_sid', 'factor_sid', 'factor_type', 'service_sid', 'type', 'uuid'].sort(),
    );
  });

  it('has a uuid per event and an idempotency token per (event, webhook)', () => {
    expect(stableUuid('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('a')).toBe(stableUuid('a'));
    expect(stableUuid('a')).not.toBe(stableUuid('b'));
    expect(idempotencyToken('e', `YW${A32}`)).toBe(idempotencyToken('e', `YW${A32}`));
    expect(idempotencyToken('e', `YW${A32}`)).not.toBe(idempotencyToken('e', `YW${'b'.repeat(32)}`));
  });
});

describe('retries', () => {
  it('classifies 2xx as delivered and everything else as failed', () => {
    for (const status of [200, 201, 204, 299]) expect(outcomeOf(status).kind).toBe('delivered');
    for (const status of [100, 301, 302, 400, 404, 429, 500, 503])
      expect(outcomeOf(status).kind).toBe('failed');
  });

  it('doubles the delay from the base, with jitter between half and all, capped at 900 s', () => {
    expect(retryDelayMs(1, 1000, 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 1)).toBe(4000);
    expect(retryDelayMs(40, 30_000, 1)).toBe(900_000);
    expect(retryDelayMs(40, 30_000, 0)).toBe(450_000);
  });
});

describe('subscriptions and URLs', () => {
  const hook = (eventTypes: Webhook['eventTypes'], status: Webhook['status'] = 'enabled') =>
    ({ eventTypes, status }) as Webhook;
  it('matches the subscribed types or *, only when enabled', () => {
    expect(subscribes(hook(['factor.created']), 'factor.created')).toBe(true);
    expect(subscribes(hook(['factor.created']), 'factor.deleted')).toBe(false);
    expect(subscribes(hook(['*']), 'challenge.denied')).toBe(true);
    expect(subscribes(hook(['*']), 'challenge.expired')).toBe(false);
    expect(subscribes(hook(['*'], 'disabled'), 'factor.created')).toBe(false);
  });
  it('takes absolute https URLs, http only when allowed', () => {
    expect(webhookUrlProblem('https://example.com/x?y=1', false)).toBeUndefined();
    expect(webhookUrlProblem('http://example.com/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('http://example.com/x', true)).toBeUndefined();
    expect(webhookUrlProblem('/relative', true)).toMatch(/absolute/);
    expect(webhookUrlProblem('https://example.com/#frag', true)).toMatch(/fragment/);
  });
});
