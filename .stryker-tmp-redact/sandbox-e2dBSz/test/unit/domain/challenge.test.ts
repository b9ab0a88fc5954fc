// @ts-nocheck
import { CompactSign } from 'jose';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  challengeDetails,
  effectiveStatus,
  newChallenge,
  signedFields,
} from '../../../shared/domain/challenge';
import { checkPushAnswer, jsonEqual } from '../../../shared/domain/challenge-answer';
import { newEntity } from '../../../shared/domain/entity';
import { newPushFactor } from '../../../shared/domain/factor';
import { deviceKey } from '../../support/fixtures';

const now = new Date('2026-11-22T10:00:00Z');
const entity = newEntity(`AC${'a'.repeat(32)}`, `VA${'b'.repeat(32)}`, 'user-12345678', now);
const device = deviceKey();
const factor = newPushFactor(
  {
    sid: `YF${'c'.repeat(32)}`,
    entity,
    friendlyName: 'Pixel',
    publicKey: device.publicKey,
    config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
  },
  now,
);
const challenge = newChallenge(
  {
    factor,
    includeDate: false,
    expirationDate: new Date(now.getTime() + 300_000),
    message: 'Log in to Owl Bank?',
    fields: [{ label: 'IP', value: '10.0.0.1' }],
    hiddenDetails: { ip: '10.0.0.1' },
  },
  now,
);

/** The answer a Verify Push SDK builds: the advertised fields as fetched, plus `status`, ES256-signed. */
const answer = (
  claims: Record<string, unknown>,
  key: KeyObject = device.privateKey,
  header = { typ: 'JWT', alg: 'ES256' },
) => new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader(header).sign(key);

const fetched = () => JSON.parse(JSON.stringify(signedFields(challenge))) as Record<string, unknown>;
const verifyKey = () => createPublicKey(device.privateKey);

describe('challenges', () => {
  it('reads a pending challenge past its expiration date as expired', () => {
    expect(effectiveStatus(challenge, now)).toBe('pending');
    expect(effectiveStatus(challenge, new Date(now.getTime() + 299_999))).toBe('pending');
    expect(effectiveStatus(challenge, new Date(now.getTime() + 300_000))).toBe('expired');
    expect(effectiveStatus({ ...challenge, status: 'approved' }, new Date(now.getTime() + 900_000))).toBe(
      'approved',
    );
  });

  it('shows details.date only when the service asked for it, never as null', () => {
    expect(challengeDetails(challenge)).toEqual({
      message: 'Log in to Owl Bank?',
      fields: [{ label: 'IP', value: '10.0.0.1' }],
    });
    expect(challengeDetails({ ...challenge, includeDate: true })).toMatchObject({
      date: '2026-11-22T10:00:00Z',
    });
    expect(challengeDetails({ ...challenge, message: null })).toBeNull();
  });

  it('signs only what cannot change before the answer', () => {
    expect(Object.keys(signedFields(challenge))).toEqual([
      'sid',
      'account_sid',
      'service_sid',
      'entity_sid',
      'identity',
      'factor_sid',
      'date_created',
      'expiration_date',
      'details',
      'hidden_details',
    ]);
    expect(Object.keys(signedFields({ ...challenge, hiddenDetails: null }))).not.toContain('hidden_details');
  });

  it('compares JSON values whatever the key order', () => {
    expect(jsonEqual({ a: 1, b: [{ c: 'x', d: null }] }, { b: [{ d: null, c: 'x' }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
  });
});

describe('push answers (ES256 JWT from the device)', () => {
  it('accepts an approval or a denial signed by the factor key over the advertised fields', async () => {
    for (const status of ['approved', 'denied'] as const) {
      expect(await checkPushAnswer(await answer({ ...fetched(), status }), verifyKey(), challenge)).toEqual({
        valid: true,
        status,
      });
    }
  });

  it('accepts the fields in any order and extra claims, as iOS and Android serialise them', async () => {
    const claims = Object.fromEntries(
      Object.entries({ ...fetched(), status: 'approved', extra: 1 }).reverse(),
    );
    expect((await checkPushAnswer(await answer(claims), verifyKey(), challenge)).valid).toBe(true);
  });

  it.each([
    [
      'another key',
      async () =>
        answer(
          { ...fetched(), status: 'approved' },
          generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        ),
    ],
    [
      'another challenge',
      async () => answer({ ...fetched(), sid: `YC${'0'.repeat(32)}`, status: 'approved' }),
    ],
    [
      'an altered message',
      async () =>
        answer({ ...fetched(), details: { message: 'Pay $1000?', fields: [] }, status: 'approved' }),
    ],
    [
      'altered hidden details',
      async () => answer({ ...fetched(), hidden_details: { ip: '6.6.6.6' }, status: 'approved' }),
    ],
    [
      'a missing field',
      async () => {
        const c = fetched();
        delete c.expiration_date;
        return answer({ ...c, status: 'approved' });
      },
    ],
    ['no status', async () => answer(fetched())],
    ['status expired', async () => answer({ ...fetched(), status: 'expired' })],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await answer({ ...fetched(), status: 'denied' })).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...fetched(), status: 'approved' })).toString('base64url')}.${s}`;
      },
    ],
    [
      'alg none',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...fetched(), status: 'approved' })).toString('base64url')}.`,
    ],
    ['garbage', async () => 'not.a.jwt'],
    [
      'a signed null payload',
      async () =>
        new CompactSign(Buffer.from('null'))
          .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
          .sign(device.privateKey),
    ],
  ])('rejects %s', async (_name, make) => {
    expect(await checkPushAnswer(await make(), verifyKey(), challenge)).toEqual({ valid: false });
  });
});
