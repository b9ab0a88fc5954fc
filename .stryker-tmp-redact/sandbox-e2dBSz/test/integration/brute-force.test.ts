// @ts-nocheck
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { answerChallenge, createChallenge } from '../../shared/app/challenges';
import { createFactor, verifyFactor } from '../../shared/app/factors';
import { respond, signedFields, type Challenge } from '../../shared/domain/challenge';
import type { Factor, TotpFactor } from '../../shared/domain/factor';
import { afterFailure } from '../../shared/domain/lockout';
import { totpCode, totpStep } from '../../shared/domain/totp';
import { twilioError } from '../../shared/http/errors';
import { testDeps } from '../support/deps';
import { backend, newOwner, verifiedPushFactor } from '../support/factors';
import { deviceKey, signFactorSid } from '../support/fixtures';

/**
 * The factor-wide brute-force limit (`shared/domain/lockout.ts`): consecutive failures across factor
 * verification and every challenge of the factor lock it at 5 (1 minute), 10 (10 minutes), 15 (1 hour)
 * and 20 (for good); a success resets the count. Every test runs on a stopped clock (`at`).
 */
const deps = testDeps();
const at = (now: Date) => ({ ...deps, now: () => now });
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);
const MINUTE = 60_000;
const WRONG = '000000';

const owner = () => newOwner(deps);

/** A verified TOTP factor at `t0`, and the right code at any time (its step at t0 is used up). */
async function verifiedTotp(t0: Date) {
  const { accountSid, ...place } = await owner();
  const { factor, binding } = await createFactor(at(t0), backend(accountSid), {
    ...place,
    friendlyName: 'Alice',
    factorType: 'totp',
    config: {},
  });
  const secret = binding.secret!;
  const config = (factor as TotpFactor).config;
  const verified = await verifyFactor(at(t0), factor, totpCode(secret, config, totpStep(t0, 30)));
  expect(verified.status).toBe('verified');
  /** The code of the step after `now`'s: accepted at `now` (skew 1) unless a later step was. */
  const rightCode = (now: Date) => totpCode(secret, config, totpStep(now, 30) + 1);
  return { factor: verified as TotpFactor, rightCode };
}

async function verifiedPush() {
  const pushed = await verifiedPushFactor(deps);
  expect(pushed.factor.status).toBe('verified');
  return pushed;
}

const stored = async (factor: Factor) =>
  (await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid))!;

const storedChallenge = async (challenge: Challenge) =>
  (await deps.challenges.get(challenge.accountSid, challenge.serviceSid, challenge.identity, challenge.sid))!;

const create = (factor: Factor, now: Date, authPayload?: string) =>
  createChallenge(at(now), {
    accountSid: factor.accountSid,
    serviceSid: factor.serviceSid,
    identity: factor.identity,
    factorSid: factor.sid,
    expirationDate: later(now, 5 * MINUTE),
    message: 'Log in?',
    ...(authPayload === undefined ? {} : { authPayload }),
  });

const answer = (challenge: Challenge, authPayload: string, now: Date) =>
  answerChallenge(at(now), backend(challenge.accountSid), challenge, { authPayload });

/** A wrong code on a new challenge (so that only the factor's limit applies): the challenge's status. */
const wrongCode = async (factor: Factor, now: Date) =>
  (await answer(await create(factor, now), WRONG, now)).status;

/** How a use case failed: its Twilio code and `Retry-After` at `now`, or its result's status. */
async function outcome(call: Promise<{ status: string } | string>, now: Date) {
  try {
    const result = await call;
    return typeof result === 'string' ? result : result.status;
  } catch (error) {
    const { code, headers } = twilioError(error, undefined, now);
    return headers['Retry-After'] ? `${code} retry after ${headers['Retry-After']}` : `${code}`;
  }
}

const signAnswer = (challenge: Challenge, key: ReturnType<typeof deviceKey>['privateKey'], status: string) =>
  new CompactSign(Buffer.from(JSON.stringify({ ...signedFields(challenge), status })))
    .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
    .sign(key);

describe('the factor-wide failure limit', () => {
  it('counts exactly 5 of 12 wrong codes racing over 3 challenges, refuses the rest and locks the factor', async () => {
    const t0 = new Date();
    const { factor } = await verifiedTotp(t0);
    const challenges = await Promise.all([create(factor, t0), create(factor, t0), create(factor, t0)]);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => outcome(answer(challenges[i % 3]!, WRONG, t0), t0)),
    );
    expect(results.filter((r) => r === 'pending')).toHaveLength(5);
    expect(results.filter((r) => r === '60310 retry after 60')).toHaveLength(7);
    expect(await stored(factor)).toMatchObject({
      failedAttempts: 5,
      lockedUntil: later(t0, MINUTE).toISOString(),
    });
    const counted = await Promise.all(challenges.map(async (c) => (await storedChallenge(c)).failedAttempts));
    expect(counted.reduce((sum, n) => sum + n, 0)).toBe(5);
  });

  it('counts exactly 5 of 10 wrong codes racing over verification and challenges', async () => {
    const t0 = new Date();
    const { factor } = await verifiedTotp(t0);
    const challenge = await create(factor, t0);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        outcome(i % 2 ? answer(challenge, WRONG, t0) : verifyFactor(at(t0), factor, WRONG), t0),
      ),
    );
    // A wrong code for a verified factor is a 403 (60311); on a challenge it leaves the challenge pending.
    expect(results.filter((r) => r === 'pending' || r === '60311')).toHaveLength(5);
    expect(results.filter((r) => r === '60310 retry after 60')).toHaveLength(5);
    expect((await stored(factor)).failedAttempts).toBe(5);
  });

  it('never approves after the audit’s 50 wrong codes over challenges and verification', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    const results: string[] = [];
    let challenge = await create(factor, t0);
    for (let i = 0; i < 50; i++) {
      if (i % 5 === 4) {
        results.push(await outcome(verifyFactor(at(t0), await stored(factor), WRONG), t0));
        challenge = await create(factor, t0); // a fresh challenge, so its own limit of 5 never applies
      } else {
        results.push(await outcome(answer(challenge, WRONG, t0), t0));
      }
    }
    expect(results.slice(0, 5)).toEqual(['pending', 'pending', 'pending', 'pending', '60311']);
    expect(results.slice(5).every((r) => r === '60310 retry after 60')).toBe(true);
    const fresh = await create(factor, t0);
    expect(await outcome(answer(fresh, rightCode(t0), t0), t0)).toBe('60310 retry after 60');
    expect(await outcome(create(factor, t0, rightCode(t0)), t0)).toBe('60310 retry after 60');
    expect(await outcome(verifyFactor(at(t0), await stored(factor), rightCode(t0)), t0)).toBe(
      '60310 retry after 60',
    );
    expect((await storedChallenge(fresh)).status).toBe('pending');
    const all = await deps.challenges.list(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      { pageSize: 100 },
      { ascending: true, now: t0 },
    );
    expect(all.items.filter((c) => c.status !== 'pending')).toEqual([]);
  });

  it('refuses TOTP challenge answers with 429 once verification failures locked the factor', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 5; i++) {
      expect(await outcome(verifyFactor(at(t0), await stored(factor), WRONG), t0)).toBe('60311');
    }
    // Creating a challenge for a locked factor is allowed; answering it is not.
    const challenge = await create(factor, t0);
    expect(challenge.status).toBe('pending');
    const soon = later(t0, 20_000);
    expect(await outcome(answer(challenge, rightCode(soon), soon), soon)).toBe('60310 retry after 40');
    expect((await storedChallenge(challenge)).status).toBe('pending');
  });

  it('refuses push challenge answers with 429 once verification failures locked the factor', async () => {
    const t0 = new Date();
    const { factor, device } = await verifiedPush();
    const forged = signFactorSid(deviceKey().privateKey, factor.sid);
    for (let i = 0; i < 5; i++) {
      expect(await outcome(verifyFactor(at(t0), await stored(factor), forged), t0)).toBe('60311');
    }
    const challenge = await create(factor, t0);
    const approval = await signAnswer(challenge, device.privateKey, 'approved');
    expect(await outcome(answer(challenge, approval, t0), t0)).toBe('60310 retry after 60');
    // A locked factor is refused before its signature is even looked at.
    const forgedAnswer = await signAnswer(challenge, deviceKey().privateKey, 'approved');
    expect(await outcome(answer(challenge, forgedAnswer, t0), t0)).toBe('60310 retry after 60');
    expect((await storedChallenge(challenge)).status).toBe('pending');
    // Once the lock has passed, the same answer is taken.
    const afterLock = later(t0, MINUTE);
    expect(await outcome(answer(challenge, approval, afterLock), afterLock)).toBe('approved');
  });

  it('does not count push answers with a bad signature (403, 60324)', async () => {
    const t0 = new Date();
    const { factor } = await verifiedPush();
    const challenge = await create(factor, t0);
    for (let i = 0; i < 6; i++) {
      const forged = await signAnswer(challenge, deviceKey().privateKey, 'approved');
      expect(await outcome(answer(challenge, forged, t0), t0)).toBe('60324');
    }
    expect(await stored(factor)).toMatchObject({ failedAttempts: 0 });
  });

  it('resets the count on a success', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 4; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    expect((await stored(factor)).failedAttempts).toBe(4);
    expect(await outcome(answer(await create(factor, t0), rightCode(t0), t0), t0)).toBe('approved');
    expect(await stored(factor)).toMatchObject({ failedAttempts: 0, lockedUntil: null });
    // Five more before the lock, not one.
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    expect(await outcome(wrongCode(factor, t0), t0)).toBe('60310 retry after 60');
  });

  it('resets the count on a successful verification too', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 4; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const verified = await verifyFactor(at(t0), await stored(factor), rightCode(t0));
    expect(verified).toMatchObject({ status: 'verified', failedAttempts: 0, lockedUntil: null });
    expect(await wrongCode(factor, t0)).toBe('pending');
    expect((await stored(factor)).failedAttempts).toBe(1);
  });

  it('locks for a growing cool-down that expires: 1 minute, 10 minutes, 1 hour', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const t1 = later(t0, 59_000);
    expect(await outcome(wrongCode(factor, t1), t1)).toBe('60310 retry after 1');

    const t2 = later(t0, MINUTE);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t2)).toBe('pending');
    expect(await stored(factor)).toMatchObject({
      failedAttempts: 10,
      lockedUntil: later(t2, 10 * MINUTE).toISOString(),
    });
    const t3 = later(t2, 9 * MINUTE);
    expect(await outcome(answer(await create(factor, t3), rightCode(t3), t3), t3)).toBe(
      '60310 retry after 60',
    );

    const t4 = later(t2, 10 * MINUTE);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t4)).toBe('pending');
    expect(await outcome(wrongCode(factor, t4), t4)).toBe('60310 retry after 3600');
    const t5 = later(t4, 60 * MINUTE);
    // The lock has passed: the right code approves, and the count starts again.
    expect(await outcome(answer(await create(factor, t5), rightCode(t5), t5), t5)).toBe('approved');
    expect(await stored(factor)).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('locks for good at 20 consecutive failures', async () => {
    let now = new Date();
    const { factor, rightCode } = await verifiedTotp(now);
    for (const coolDown of [MINUTE, 10 * MINUTE, 60 * MINUTE]) {
      for (let i = 0; i < 5; i++) expect(await wrongCode(factor, now)).toBe('pending');
      now = later(now, coolDown);
    }
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, now)).toBe('pending');
    expect(await stored(factor)).toMatchObject({ failedAttempts: 20, lockedUntil: null });
    const years = later(now, 10 * 365 * 24 * 60 * MINUTE);
    // No Retry-After: there is nothing to wait for.
    expect(await outcome(answer(await create(factor, years), rightCode(years), years), years)).toBe('60310');
    expect(await outcome(verifyFactor(at(years), await stored(factor), rightCode(years)), years)).toBe(
      '60310',
    );
  });

  it('counts a wrong AuthPayload at challenge creation, and refuses a right one on a locked factor', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 5; i++) {
      const created = await create(factor, t0, WRONG);
      expect(created).toMatchObject({ status: 'pending', failedAttempts: 1 });
    }
    expect(await stored(factor)).toMatchObject({ failedAttempts: 5 });
    expect(await outcome(create(factor, t0, rightCode(t0)), t0)).toBe('60310 retry after 60');
    expect(await outcome(create(factor, t0, WRONG), t0)).toBe('60310 retry after 60');
    const all = await deps.challenges.list(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      { pageSize: 100 },
      { ascending: true, now: t0 },
    );
    // The refused creations wrote nothing.
    expect(all.items.map((c) => c.status)).toEqual(Array(5).fill('pending'));
  });

  it('keeps the per-challenge limit of 5 wrong codes when successes elsewhere reset the factor', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    const challenge = await create(factor, t0);
    for (let i = 0; i < 3; i++) await answer(challenge, WRONG, t0);
    expect(await outcome(answer(await create(factor, t0), rightCode(t0), t0), t0)).toBe('approved');
    for (let i = 0; i < 2; i++) await answer(challenge, WRONG, t0);
    expect(await stored(factor)).toMatchObject({ failedAttempts: 2 });
    const t1 = later(t0, 30_000);
    expect(await outcome(answer(challenge, rightCode(t1), t1), t1)).toBe('60310');
    expect(await storedChallenge(challenge)).toMatchObject({ status: 'pending', failedAttempts: 5 });
    // The write holds the challenge's limit too, whatever a stale read said.
    const current = await stored(factor);
    const step = totpStep(t1, 30) + 1;
    const approved = respond(challenge, 'approved', t1);
    expect(await deps.challenges.answer(approved, t1, { kind: 'accepted', factor: current, step })).toBe(
      'challenge-changed',
    );
    const next = afterFailure(current, t1);
    expect(
      await deps.challenges.recordWrongCode(challenge, t1, { kind: 'failed', factor: current, next }),
    ).toBe('challenge-changed');
    expect(await stored(factor)).toMatchObject({ failedAttempts: 2 });
  });
});

/**
 * The dependencies at `now`, whose first factor read returns `stale`: as if the factor was read just
 * before a concurrent request changed it.
 */
function readingStaleFactorFirst(now: Date, stale: Factor) {
  let served = false;
  const factors = new Proxy(deps.factors, {
    get(target, name) {
      if (name === 'get' && !served) {
        return async () => {
          served = true;
          return stale;
        };
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...at(now), factors };
}

describe('the lock is honoured atomically', () => {
  it('refuses a TOTP answer when the factor was locked between its read and its write', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    const challenge = await create(factor, t0);
    for (let i = 0; i < 4; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const beforeLock = await stored(factor);
    expect(await wrongCode(factor, t0)).toBe('pending');
    const call = answerChallenge(
      readingStaleFactorFirst(t0, beforeLock),
      backend(factor.accountSid),
      challenge,
      {
        authPayload: rightCode(t0),
      },
    );
    expect(await outcome(call, t0)).toBe('60310 retry after 60');
    expect((await storedChallenge(challenge)).status).toBe('pending');
  });

  it('refuses a push answer when the factor was locked between its read and its write', async () => {
    const t0 = new Date();
    const { factor, device } = await verifiedPush();
    const challenge = await create(factor, t0);
    const beforeLock = await stored(factor);
    const forged = signFactorSid(deviceKey().privateKey, factor.sid);
    for (let i = 0; i < 5; i++) await outcome(verifyFactor(at(t0), await stored(factor), forged), t0);
    const approval = await signAnswer(challenge, device.privateKey, 'approved');
    const call = answerChallenge(
      readingStaleFactorFirst(t0, beforeLock),
      backend(factor.accountSid),
      challenge,
      {
        authPayload: approval,
      },
    );
    expect(await outcome(call, t0)).toBe('60310 retry after 60');
    expect((await storedChallenge(challenge)).status).toBe('pending');
  });

  it('refuses a verification decided on a factor read before a concurrent request locked it', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 4; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const beforeLock = await stored(factor);
    expect(await wrongCode(factor, t0)).toBe('pending');
    // The right code, decided on the stale read: the write finds the factor changed, reads it again and
    // finds it locked.
    expect(await outcome(verifyFactor(at(t0), beforeLock, rightCode(t0)), t0)).toBe('60310 retry after 60');
    expect(await stored(factor)).toMatchObject({ failedAttempts: 5 });
  });

  it('refuses a TOTP answer or a failure written against a stale lock state', async () => {
    const t0 = new Date();
    const { factor } = await verifiedTotp(t0);
    const challenge = await create(factor, t0);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const approved = respond(challenge, 'approved', t0);
    const step = totpStep(t0, 30) + 1;
    expect(await deps.challenges.answer(approved, t0, { kind: 'accepted', factor, step })).toBe(
      'factor-changed',
    );
    const next = afterFailure(factor, t0);
    expect(await deps.challenges.recordWrongCode(challenge, t0, { kind: 'failed', factor, next })).toBe(
      'factor-changed',
    );
    expect(await deps.factors.recordFailure(factor, next)).toBe('factor-changed');
    expect(await deps.factors.recordVerified(factor, step, t0)).toBe('factor-changed');
    expect(await storedChallenge(challenge)).toMatchObject({ status: 'pending', failedAttempts: 0 });
    expect(await stored(factor)).toMatchObject({ failedAttempts: 5 });
  });

  it('compares the lock, not only the count: a reset and five new failures are a change', async () => {
    const t0 = new Date();
    const { factor, rightCode } = await verifiedTotp(t0);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t0)).toBe('pending');
    const firstLock = await stored(factor);
    const t1 = later(t0, MINUTE);
    expect(await outcome(answer(await create(factor, t1), rightCode(t1), t1), t1)).toBe('approved');
    const t2 = later(t1, 10_000);
    for (let i = 0; i < 5; i++) expect(await wrongCode(factor, t2)).toBe('pending');
    // The same count as the stale read, under a lock that ends later.
    const secondLock = await stored(factor);
    expect(secondLock.failedAttempts).toBe(firstLock.failedAttempts);
    expect(secondLock.lockedUntil).not.toBe(firstLock.lockedUntil);
    // Decided on the first lock, which has passed at t1 + 30 s: refused, as the second has not.
    const t3 = later(t1, 30_000);
    expect(
      await deps.factors.recordFailure(firstLock, afterFailure(firstLock, t3)),
      'a failure counted against the old lock',
    ).toBe('factor-changed');
    expect(await outcome(verifyFactor(at(t3), firstLock, WRONG), t3)).toBe('60310 retry after 40');
    expect((await stored(factor)).failedAttempts).toBe(5);
  });

  it('refuses a push answer written against a stale lock state', async () => {
    const t0 = new Date();
    const { factor } = await verifiedPush();
    const challenge = await create(factor, t0);
    const forged = signFactorSid(deviceKey().privateKey, factor.sid);
    for (let i = 0; i < 5; i++) await outcome(verifyFactor(at(t0), await stored(factor), forged), t0);
    const approved = respond(challenge, 'approved', t0);
    expect(await deps.challenges.answer(approved, t0, { kind: 'unchanged', factor })).toBe('factor-changed');
    expect((await storedChallenge(challenge)).status).toBe('pending');
  });
});
