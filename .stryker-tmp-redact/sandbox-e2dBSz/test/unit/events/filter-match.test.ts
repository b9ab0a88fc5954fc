// @ts-nocheck
import type { _Record as RawRecord } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from '../../../infra/local/stream-pump';
import { matchesAnyPattern, matchesPattern } from '../../../shared/events/filter-match';
import { STREAM_FILTER_PATTERNS } from '../../../shared/events/filters';
import { challengeEvents, notificationRequests } from '../../../shared/domain/events';
import { Keys } from '../../../shared/store/keys';
import {
  answered,
  challengeItem,
  challengeOf,
  factorItem,
  pushFactor,
  streamRecord,
  timerItem,
  totpFactor,
} from '../../support/stream-records';

/** What Lambda matches a filter against: the record as JSON (undefined fields are absent). */
const passes = (record: object) =>
  matchesAnyPattern(JSON.parse(JSON.stringify(record)), STREAM_FILTER_PATTERNS);

describe('matchesPattern', () => {
  it('ANDs the keys of an object and ORs the values of an array', () => {
    const pattern = { a: ['x', 'y'], b: { c: [1] } };
    expect(matchesPattern({ a: 'y', b: { c: 1 } }, pattern)).toBe(true);
    expect(matchesPattern({ a: 'z', b: { c: 1 } }, pattern)).toBe(false);
    expect(matchesPattern({ a: 'x', b: { c: 2 } }, pattern)).toBe(false);
    expect(matchesPattern({ a: 'x' }, pattern)).toBe(false);
    expect(matchesPattern({ a: ['z', 'x'], b: { c: 1 } }, pattern)).toBe(true);
  });

  it('matches prefixes of strings only, and exists by presence', () => {
    expect(matchesPattern({ s: 'CHALLENGE#YC1' }, { s: [{ prefix: 'CHALLENGE#' }] })).toBe(true);
    expect(matchesPattern({ s: 'TIMER#YC1' }, { s: [{ prefix: 'CHALLENGE#' }] })).toBe(false);
    expect(matchesPattern({ s: 7 }, { s: [{ prefix: '7' }] })).toBe(false);
    expect(matchesPattern({ s: null }, { s: [{ exists: true }] })).toBe(true);
    expect(matchesPattern({}, { s: [{ exists: true }] })).toBe(false);
    expect(matchesPattern({}, { s: { t: [{ exists: false }] } })).toBe(true);
    expect(matchesPattern({ s: { t: 1 } }, { s: { t: [{ exists: false }] } })).toBe(false);
  });

  it('refuses operators it does not implement rather than guessing', () => {
    expect(() => matchesPattern({ n: 1 }, { n: [{ numeric: ['>', 0] }] })).toThrow('Unsupported filter rule');
    expect(() => matchesPattern({ n: 1 }, { n: 1 })).toThrow('must be an array or an object');
  });
});

describe('STREAM_FILTER_PATTERNS', () => {
  const factor = pushFactor();
  const challenge = challengeOf(factor);
  const ttl = true;

  it('passes a new challenge, and one leaving pending', () => {
    expect(passes(streamRecord('INSERT', undefined, challengeItem(challenge)))).toBe(true);
    for (const status of ['approved', 'denied'] as const) {
      const after = challengeItem(answered(challenge, status));
      expect(passes(streamRecord('MODIFY', challengeItem(challenge), after))).toBe(true);
    }
    const expired = challengeItem({ ...challenge, status: 'expired' });
    expect(passes(streamRecord('MODIFY', challengeItem(challenge), expired))).toBe(true);
  });

  it('passes a change of a pending challenge (a resend, or a wrong code that yields no event), drops the purge of one', () => {
    // Lambda allows five patterns per mapping, so leaving pending and resends share one (filters.ts).
    const wrongCode = challengeItem({ ...challenge, failedAttempts: 1 });
    expect(passes(streamRecord('MODIFY', challengeItem(challenge), wrongCode))).toBe(true);
    expect(challengeEvents(challenge, { ...challenge, failedAttempts: 1 }, { includePii: true })).toEqual([]);
    expect(notificationRequests(challenge, { ...challenge, failedAttempts: 1 })).toEqual([]);
    const approved = challengeItem(answered(challenge, 'approved'));
    expect(passes(streamRecord('REMOVE', approved, undefined, ttl))).toBe(false);
  });

  it('passes a factor created, verified or deleted, and drops its other changes', () => {
    const verified = factorItem({ ...factor, status: 'verified' });
    expect(passes(streamRecord('INSERT', undefined, factorItem(factor)))).toBe(true);
    expect(passes(streamRecord('MODIFY', factorItem(factor), verified))).toBe(true);
    expect(passes(streamRecord('REMOVE', verified, undefined))).toBe(true);
    const renamed = factorItem({ ...factor, status: 'verified', friendlyName: 'New phone' });
    expect(passes(streamRecord('MODIFY', verified, renamed))).toBe(false);
    const totp = { ...totpFactor(), status: 'verified' as const };
    const stepped = { ...factorItem(totp), lastAcceptedStep: 9 };
    expect(passes(streamRecord('MODIFY', factorItem(totp), stepped))).toBe(false);
  });

  it("passes an expiry timer's TTL deletion only", () => {
    expect(passes(streamRecord('REMOVE', timerItem(challenge), undefined, ttl))).toBe(true);
    expect(passes(streamRecord('REMOVE', timerItem(challenge), undefined))).toBe(false);
    expect(passes(streamRecord('INSERT', undefined, timerItem(challenge)))).toBe(false);
    const local = {
      ...streamRecord('REMOVE', timerItem(challenge), undefined),
      eventName: 'UNKNOWN_TO_SDK_VERSION',
    };
    expect(passes(local)).toBe(false);
  });

  it('drops accounts, services and entities', () => {
    const { accountSid, serviceSid, identity } = factor;
    const items: { pk: string; sk: string; [field: string]: unknown }[] = [
      { ...Keys.account(accountSid), type: 'account', authTokenHash: 'x' },
      { ...Keys.service(accountSid, serviceSid), type: 'service', friendlyName: 'Owl Bank' },
      { ...Keys.entity(accountSid, serviceSid, identity), type: 'entity', pushFactorCount: 1 },
    ];
    for (const item of items) {
      expect(passes(streamRecord('INSERT', undefined, item))).toBe(false);
      const updated = { ...item, dateUpdated: '2026-11-22T10:00:01Z' };
      expect(passes(streamRecord('MODIFY', item, updated))).toBe(false);
      expect(passes(streamRecord('REMOVE', item, undefined))).toBe(false);
    }
  });
});

describe('a TTL deletion as DynamoDB Local streams it, shaped by the stream pump', () => {
  const timer = timerItem(challengeOf(pushFactor()));
  const raw = {
    eventID: '2b01ded5-1564-419a-b44d-ba8f3f1c09d3',
    eventName: 'UNKNOWN_TO_SDK_VERSION',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-22T03:56:00.000Z'),
      Keys: marshall({ pk: timer.pk, sk: timer.sk }),
      OldImage: marshall(timer),
      SequenceNumber: '000000000000000000002',
      SizeBytes: 39,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as unknown as RawRecord;

  it('is a REMOVE by the DynamoDB service, as on AWS, and passes the timer filter', () => {
    const record = toLambdaRecord(raw, 'arn:stream');
    expect(record).toMatchObject({
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      eventSourceARN: 'arn:stream',
      dynamodb: { ApproximateCreationDateTime: 1_795_319_760, SequenceNumber: '000000000000000000002' },
    });
    expect(passes(record)).toBe(true);
  });

  it('keeps a user’s delete without an identity, which the filter drops', () => {
    const record = toLambdaRecord({ ...raw, eventName: 'REMOVE' }, 'arn:stream');
    expect(record).not.toHaveProperty('userIdentity');
    expect(passes(record)).toBe(false);
  });
});
