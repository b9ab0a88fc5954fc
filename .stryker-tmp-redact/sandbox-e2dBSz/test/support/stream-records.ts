// @ts-nocheck
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newChallenge, respond, type Challenge } from '../../shared/domain/challenge';
import { newEntity } from '../../shared/domain/entity';
import { newPushFactor, newTotpFactor, type Factor } from '../../shared/domain/factor';
import { Keys } from '../../shared/store/keys';
import { deviceKey } from './fixtures';

let sequence = 1000;
const image = (item: object) => marshall(item, { removeUndefinedValues: true }) as never;

/** A stream record as Lambda delivers it, for an item change (`before`/`after` are table items). */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  before: (object & { pk: string; sk: string }) | undefined,
  after: (object & { pk: string; sk: string }) | undefined,
  ttl = false,
): DynamoDBRecord {
  const keys = (after ?? before)!;
  return {
    eventID: String(sequence),
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_790_000_000,
      Keys: image({ pk: keys.pk, sk: keys.sk }),
      OldImage: before && image(before),
      NewImage: after && image(after),
      SequenceNumber: String(sequence++).padStart(21, '0'),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

const now = new Date('2026-11-22T10:00:00Z');
const entity = newEntity(`AC${'a'.repeat(32)}`, `VA${'b'.repeat(32)}`, 'user-12345678', now);

export const pushFactor = (): Factor =>
  newPushFactor(
    {
      sid: `YF${String(sequence++).padStart(32, '0')}`,
      entity,
      friendlyName: 'Pixel',
      publicKey: deviceKey().publicKey,
      config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
    },
    now,
  );

export const totpFactor = (): Factor =>
  newTotpFactor(
    {
      sid: `YF${String(sequence++).padStart(32, '0')}`,
      entity,
      friendlyName: 'Alice',
      config: { alg: 'sha1', skew: 1, codeLength: 6, timeStep: 30 },
      sealedSecret: 'v1.sealed',
    },
    now,
  );

export const challengeOf = (factor: Factor): Challenge =>
  newChallenge(
    {
      factor,
      includeDate: false,
      expirationDate: new Date(now.getTime() + 300_000),
      message: 'Log in?',
      fields: [{ label: 'IP', value: '10.0.0.1' }],
      hiddenDetails: { ip: '10.0.0.1' },
    },
    now,
  );

export const answered = (challenge: Challenge, status: 'approved' | 'denied') =>
  respond(challenge, status, new Date(now.getTime() + 10_000), { os: 'Android' });

export const challengeItem = (c: Challenge) => ({
  ...Keys.challenge(c.accountSid, c.serviceSid, c.identity, c.sid),
  type: 'challenge',
  ...c,
});
export const factorItem = (f: Factor) => ({
  ...Keys.factor(f.accountSid, f.serviceSid, f.identity, f.sid),
  type: 'factor',
  ...f,
});
export const timerItem = (c: Challenge) => ({
  ...Keys.timer(c.accountSid, c.serviceSid, c.identity, c.sid),
  type: 'timer',
  accountSid: c.accountSid,
  serviceSid: c.serviceSid,
  identity: c.identity,
  challengeSid: c.sid,
  expiresAt: 1_790_000_000,
});

/** Validates an EventBridge event (envelope and detail) against the JSON Schema of its detail-type. */
export function eventValidator() {
  const ajv = new Ajv2020({ allErrors: true });
  const dir = join(import.meta.dirname, '../../shared/events/schemas');
  for (const file of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  return (event: { 'detail-type': string; [key: string]: unknown }) => {
    const validate = ajv.getSchema(`https://verify-push-totp.dev/events/${event['detail-type']}.json`);
    if (!validate) return [`no schema for ${event['detail-type']}`];
    return validate(event) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
