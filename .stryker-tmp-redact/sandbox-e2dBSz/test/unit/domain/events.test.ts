// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { newChallenge, respond, type Challenge } from '../../../shared/domain/challenge';
import { newEntity } from '../../../shared/domain/entity';
import { challengeEvents, factorEvents, isBillable } from '../../../shared/domain/events';
import { newPushFactor, newTotpFactor, type Factor } from '../../../shared/domain/factor';
import { TOTP_DEFAULTS } from '../../../shared/domain/service';
import { newSid, SidPrefix } from '../../../shared/domain/sid';

const created = new Date('2026-12-01T10:00:00Z');
const answeredAt = new Date('2026-12-01T10:01:00Z');
const entity = newEntity(newSid(SidPrefix.account), newSid(SidPrefix.service), 'user-0001-alice', created);
const push = newPushFactor(
  {
    sid: newSid(SidPrefix.factor),
    entity,
    friendlyName: 'Pixel',
    metadata: { os: 'Android' },
    publicKey: 'MFkw',
    config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
  },
  created,
);
const totp = newTotpFactor(
  {
    sid: newSid(SidPrefix.factor),
    entity,
    friendlyName: 'Phone',
    config: { alg: 'sha1', ...TOTP_DEFAULTS },
    sealedSecret: 'x',
  },
  created,
);
const challengeOf = (factor: Factor) =>
  newChallenge(
    {
      factor,
      includeDate: false,
      expirationDate: new Date('2026-12-01T10:05:00Z'),
      message: 'Log in?',
      hiddenDetails: { ip: '1.2.3.4' },
    },
    created,
  );
const pii = { includePii: true };

const ids = (c: Challenge) => ({
  account_sid: c.accountSid,
  service_sid: c.serviceSid,
  entity_sid: c.entitySid,
  factor_sid: c.factorSid,
  factor_type: c.factorType,
  challenge_sid: c.sid,
});

describe('challenge events', () => {
  it('announces a new challenge as created, with the PII when allowed', () => {
    const c = challengeOf(push);
    expect(challengeEvents(undefined, c, pii)).toEqual([
      {
        type: 'challenge.created',
        time: '2026-12-01T10:00:00Z',
        detail: {
          idempotency_key: `${c.sid}.created`,
          ...ids(c),
          status: 'pending',
          previous_status: null,
          date_created: '2026-12-01T10:00:00Z',
          date_updated: '2026-12-01T10:00:00Z',
          date_responded: null,
          expiration_date: '2026-12-01T10:05:00Z',
          responded_reason: 'none',
          entity_identity: 'user-0001-alice',
          factor_friendly_name: 'Pixel',
          challenge_details: { message: 'Log in?', fields: [] },
          challenge_hidden_details: { ip: '1.2.3.4' },
          challenge_metadata: null,
        },
      },
    ]);
    expect(challengeEvents(undefined, c, { includePii: false })[0]!.detail).not.toHaveProperty(
      'entity_identity',
    );
  });

  it('announces an answer with its metadata, and bills it', () => {
    const c = challengeOf(push);
    const approved = respond(c, 'approved', answeredAt, { os: 'Android' });
    expect(challengeEvents(c, approved, pii)).toEqual([
      {
        type: 'challenge.approved',
        time: '2026-12-01T10:01:00Z',
        detail: {
          idempotency_key: `${c.sid}.approved`,
          ...ids(c),
          status: 'approved',
          previous_status: 'pending',
          date_created: '2026-12-01T10:00:00Z',
          date_updated: '2026-12-01T10:01:00Z',
          date_responded: '2026-12-01T10:01:00Z',
          expiration_date: '2026-12-01T10:05:00Z',
          responded_reason: 'none',
          entity_identity: 'user-0001-alice',
          factor_friendly_name: 'Pixel',
          challenge_details: { message: 'Log in?', fields: [] },
          challenge_hidden_details: { ip: '1.2.3.4' },
          challenge_metadata: { os: 'Android' },
        },
      },
      {
        type: 'billing.verification',
        time: '2026-12-01T10:01:00Z',
        detail: {
          idempotency_key: `${c.sid}.billing`,
          ...ids(c),
          status: 'approved',
          date_responded: '2026-12-01T10:01:00Z',
        },
      },
    ]);
  });

  it('announces a TOTP challenge approved at creation as created and approved, billed', () => {
    const approved = respond(challengeOf(totp), 'approved', created);
    expect(challengeEvents(undefined, approved, pii).map((e) => e.type)).toEqual([
      'challenge.created',
      'challenge.approved',
      'billing.verification',
    ]);
    // The created event shows it as it was created.
    expect(challengeEvents(undefined, approved, pii)[0]!.detail).toMatchObject({
      status: 'pending',
      date_responded: null,
      challenge_metadata: null,
    });
  });

  it('bills push approvals and denials and TOTP approvals only', () => {
    const c = challengeOf(push);
    const t = challengeOf(totp);
    expect(isBillable(respond(c, 'denied', answeredAt))).toBe(true);
    expect(isBillable(respond(t, 'approved', answeredAt))).toBe(true);
    expect(isBillable(respond(t, 'denied', answeredAt))).toBe(false);
    expect(isBillable(c)).toBe(false);
    expect(isBillable({ ...c, status: 'expired' })).toBe(false);
    expect(challengeEvents(t, respond(t, 'denied', answeredAt), pii).map((e) => e.type)).toEqual([
      'challenge.denied',
    ]);
  });

  it('announces an expiry at its last update, and nothing for changes that stay pending or follow an answer', () => {
    const c = challengeOf(push);
    const expired = { ...c, status: 'expired' as const, dateUpdated: c.expirationDate };
    const [event] = challengeEvents(c, expired, { includePii: false });
    expect(event).toEqual({
      type: 'challenge.expired',
      time: '2026-12-01T10:05:00Z',
      detail: {
        idempotency_key: `${c.sid}.expired`,
        ...ids(c),
        status: 'expired',
        previous_status: 'pending',
        date_created: '2026-12-01T10:00:00Z',
        date_updated: '2026-12-01T10:05:00Z',
        date_responded: null,
        expiration_date: '2026-12-01T10:05:00Z',
        responded_reason: 'none',
      },
    });
    expect(challengeEvents(c, { ...c, failedAttempts: 1 }, pii)).toEqual([]);
    const approved = respond(c, 'approved', answeredAt);
    expect(challengeEvents(approved, { ...approved, metadata: { a: 'b' } }, pii)).toEqual([]);
  });
});

describe('factor events', () => {
  it('announces a factor created, verified and deleted, and nothing else', () => {
    const detail = (f: Factor, status: string | null) => ({
      account_sid: f.accountSid,
      service_sid: f.serviceSid,
      entity_sid: f.entitySid,
      factor_sid: f.sid,
      factor_type: f.factorType,
      status,
      date_created: '2026-12-01T10:00:00Z',
      date_updated: f.dateUpdated,
      entity_identity: 'user-0001-alice',
      factor_friendly_name: 'Pixel',
      factor_metadata: { os: 'Android' },
    });
    expect(factorEvents(undefined, push, 'x', pii)).toEqual([
      {
        type: 'factor.created',
        time: '2026-12-01T10:00:00Z',
        detail: { idempotency_key: `${push.sid}.created`, ...detail(push, 'unverified') },
      },
    ]);
    const verified = { ...push, status: 'verified' as const, dateUpdated: '2026-12-01T10:01:00Z' };
    expect(factorEvents(push, verified, 'x', pii)).toEqual([
      {
        type: 'factor.verified',
        time: '2026-12-01T10:01:00Z',
        detail: { idempotency_key: `${push.sid}.verified`, ...detail(verified, 'verified') },
      },
    ]);
    expect(factorEvents(verified, undefined, '2026-12-01T11:00:00Z', pii)).toEqual([
      {
        type: 'factor.deleted',
        time: '2026-12-01T11:00:00Z',
        detail: { idempotency_key: `${push.sid}.deleted`, ...detail(verified, null) },
      },
    ]);
    const created = factorEvents(undefined, push, 'x', { includePii: false })[0]!.detail;
    expect(Object.keys(created)).not.toContain('factor_friendly_name');
    expect(factorEvents(verified, { ...verified, failedAttempts: 1 }, 'x', pii)).toEqual([]);
    expect(factorEvents(push, { ...push, friendlyName: 'New' }, 'x', pii)).toEqual([]);
    expect(factorEvents(verified, { ...verified, status: 'unverified' }, 'x', pii)).toEqual([]);
    expect(factorEvents(undefined, undefined, 'x', pii)).toEqual([]);
  });
});
