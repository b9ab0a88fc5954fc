// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { challengeEvents } from '../../../shared/domain/events';
import { answered, challengeOf, eventValidator, pushFactor, totpFactor } from '../../support/stream-records';

const validate = eventValidator();
const envelope = (type: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'x',
  'detail-type': type,
  source: 'verify-push-totp',
  account: '000000000000',
  time: '2026-11-22T10:00:10Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

describe('event JSON Schemas', () => {
  const c = challengeOf(pushFactor());
  const [approvedEvent, billingEvent] = challengeEvents(c, answered(c, 'approved'), { includePii: true });

  it('accept what the service emits', () => {
    expect(validate(envelope(approvedEvent!.type, approvedEvent!.detail))).toEqual([]);
    expect(validate(envelope(billingEvent!.type, billingEvent!.detail))).toEqual([]);
  });

  it('reject PII in billing events, wrong statuses, foreign keys and missing fields', () => {
    expect(
      validate(envelope('billing.verification', { ...billingEvent!.detail, entity_identity: 'user-1' })),
    ).not.toEqual([]);
    expect(
      validate(envelope('challenge.approved', { ...approvedEvent!.detail, status: 'denied' })),
    ).not.toEqual([]);
    expect(
      validate(envelope('challenge.approved', { ...approvedEvent!.detail, idempotency_key: 'x' })),
    ).not.toEqual([]);
    const { challenge_sid: _dropped, ...missing } = approvedEvent!.detail;
    expect(validate(envelope('challenge.approved', missing))).not.toEqual([]);
    expect(validate(envelope('challenge.approved', { ...approvedEvent!.detail, secret: 'x' }))).not.toEqual(
      [],
    );
    expect(
      validate({ ...envelope(approvedEvent!.type, approvedEvent!.detail), source: 'other' }),
    ).not.toEqual([]);
  });

  it('reject a billing event for a denied TOTP challenge', () => {
    const t = challengeOf(totpFactor());
    const [, billing] = challengeEvents(t, answered(t, 'approved'), { includePii: false });
    expect(validate(envelope('billing.verification', billing!.detail))).toEqual([]);
    expect(validate(envelope('billing.verification', { ...billing!.detail, status: 'denied' }))).not.toEqual(
      [],
    );
  });
});
