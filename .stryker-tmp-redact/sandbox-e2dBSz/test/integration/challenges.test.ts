// @ts-nocheck
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { answerChallenge, createChallenge } from '../../shared/app/challenges';
import { createFactor, verifyFactor } from '../../shared/app/factors';
import type { StringMap } from '../../shared/domain/factor';
import { signedFields, type Challenge } from '../../shared/domain/challenge';
import type { Factor, TotpFactor } from '../../shared/domain/factor';
import { totpCode, totpStep } from '../../shared/domain/totp';
import { testDeps, twilioCode } from '../support/deps';
import { backend, newOwner, verifiedPushFactor } from '../support/factors';
import type { deviceKey } from '../support/fixtures';

const deps = testDeps();
/** The dependencies with the clock stopped at `now`. */
const at = (now: Date) => ({ ...deps, now: () => now });

/** Answers the challenge as its account's backend would. */
const answer = (
  challenge: Challenge,
  input: { authPayload: string; metadata?: StringMap },
  now = new Date(),
) => answerChallenge(at(now), backend(challenge.accountSid), challenge, input);

const owner = () => newOwner(deps);

const verifiedPush = () => verifiedPushFactor(deps);

async function verifiedTotpFactor(now: Date) {
  const { accountSid, ...place } = await owner();
  const { factor, binding } = await createFactor(at(now), backend(accountSid), {
    ...place,
    friendlyName: 'Alice',
    factorType: 'totp',
    config: {},
  });
  const secret = binding.secret!;
  const code = totpCode(secret, (factor as TotpFactor).config, totpStep(now, 30));
  const verified = (await verifyFactor(at(now), factor, code)) as TotpFactor;
  // Codes for later steps: the current one was just used to verify the factor.
  const codeAt = (offset: number) => totpCode(secret, verified.config, totpStep(now, 30) + offset);
  return { factor: verified, codeAt };
}

const create = (
  factor: Factor,
  extra: Partial<Parameters<typeof createChallenge>[1]> = {},
  now = new Date(),
) =>
  createChallenge(at(now), {
    accountSid: factor.accountSid,
    serviceSid: factor.serviceSid,
    identity: factor.identity,
    factorSid: factor.sid,
    expirationDate: new Date(now.getTime() + 300_000),
    message: 'Log in?',
    ...extra,
  });

const signAnswer = (challenge: Challenge, key: ReturnType<typeof deviceKey>['privateKey'], status: string) =>
  new CompactSign(Buffer.from(JSON.stringify({ ...signedFields(challenge), status })))
    .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
    .sign(key);

const codeOf = (result: PromiseSettledResult<unknown>) =>
  result.status === 'rejected' ? twilioCode(result.reason) : undefined;

describe('challenges on DynamoDB Local', () => {
  it('lets exactly one of many concurrent answers win, approve against deny included', async () => {
    const { factor, device } = await verifiedPush();
    const challenge = await create(factor);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        signAnswer(challenge, device.privateKey, i % 2 ? 'denied' : 'approved'),
      ),
    );
    const results = await Promise.allSettled(
      answers.map((authPayload) => answer(challenge, { authPayload }, new Date())),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 20409)).toHaveLength(7);
    const stored = await deps.challenges.get(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      challenge.sid,
    );
    expect(stored!.status).toBe((winners[0] as PromiseFulfilledResult<Challenge>).value.status);
    expect(stored!.dateResponded).not.toBeNull();
  });

  it('never approves an expired challenge, and reads it as expired before anything stores that', async () => {
    const { factor, device } = await verifiedPush();
    const now = new Date();
    const challenge = await create(factor, { expirationDate: new Date(now.getTime() + 1500) }, now);
    const authPayload = await signAnswer(challenge, device.privateKey, 'approved');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const later = new Date();
    await expect(answer(challenge, { authPayload }, later)).rejects.toSatisfy((e) => twilioCode(e) === 60323);
    const page = (status: 'expired' | 'pending') =>
      deps.challenges.list(
        factor.accountSid,
        factor.serviceSid,
        factor.identity,
        { pageSize: 10 },
        {
          ascending: true,
          status,
          now: later,
        },
      );
    expect((await page('expired')).items.map((c) => c.sid)).toEqual([challenge.sid]);
    expect((await page('pending')).items).toEqual([]);
    // A stale read that still thinks it pending is stopped by the write's condition.
    const approved = { ...challenge, status: 'approved' as const };
    expect(await deps.challenges.answer(approved, later, { kind: 'unchanged', factor })).toBe(
      'challenge-changed',
    );
  });

  it('accepts a TOTP code once across challenges, however many requests race', async () => {
    const now = new Date();
    const { factor, codeAt } = await verifiedTotpFactor(now);
    const code = codeAt(1);
    const challenges = await Promise.all([create(factor), create(factor), create(factor)]);
    const results = await Promise.allSettled(
      challenges.map((challenge) => answer(challenge, { authPayload: code }, now)),
    );
    const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : 'error'));
    expect(statuses.filter((s) => s === 'approved')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(2);
    // The code was used: creating a challenge with it leaves the challenge pending.
    expect((await create(factor, { authPayload: code }, now)).status).toBe('pending');
    // The code of a later step approves at creation.
    const approved = await create(factor, { authPayload: codeAt(2) }, new Date(now.getTime() + 30_000));
    expect(approved.status).toBe('approved');
  });

  it('locks the factor after five wrong codes: even the right one is refused, until the lock passes', async () => {
    const now = new Date();
    const { factor, codeAt } = await verifiedTotpFactor(now);
    let challenge = await create(factor);
    for (let i = 1; i <= 5; i++) {
      challenge = await answer(challenge, { authPayload: '000000' }, now);
      expect(challenge).toMatchObject({ status: 'pending', failedAttempts: i });
    }
    await expect(answer(challenge, { authPayload: codeAt(1) }, now)).rejects.toSatisfy(
      (e) => twilioCode(e) === 60310,
    );
    const stored = await deps.challenges.get(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      challenge.sid,
    );
    expect(stored).toMatchObject({ status: 'pending', failedAttempts: 5 });
    // A minute later the factor takes codes again, but this challenge has used its own five.
    const later = new Date(now.getTime() + 60_000);
    await expect(answer(challenge, { authPayload: codeAt(2) }, later)).rejects.toSatisfy(
      (e) => twilioCode(e) === 60310,
    );
    const other = await create(factor, {}, later);
    expect((await answer(other, { authPayload: codeAt(2) }, later)).status).toBe('approved');
  });

  it('refuses challenges for unverified factors', async () => {
    const { accountSid, ...place } = await owner();
    const { factor } = await createFactor(deps, backend(accountSid), {
      ...place,
      friendlyName: 'Alice',
      factorType: 'totp',
      config: {},
    });
    await expect(create(factor)).rejects.toSatisfy((e) => twilioCode(e) === 60318);
  });

  it('stores an expiry only for a challenge still pending past its expiration date', async () => {
    const { factor, device } = await verifiedPush();
    const now = new Date();
    const soon = await create(factor, { expirationDate: new Date(now.getTime() + 1000) }, now);
    const later = await create(factor, {}, now);
    const answeredOne = await create(factor, { expirationDate: new Date(now.getTime() + 1000) }, now);
    await answer(
      answeredOne,
      { authPayload: await signAnswer(answeredOne, device.privateKey, 'denied') },
      now,
    );
    const afterExpiry = new Date(now.getTime() + 2000);
    const key = (c: Challenge) => ({
      accountSid: c.accountSid,
      serviceSid: c.serviceSid,
      identity: c.identity,
      sid: c.sid,
    });
    expect(await deps.challenges.expire(key(soon), afterExpiry)).toBe(true);
    expect(await deps.challenges.expire(key(soon), afterExpiry)).toBe(false);
    expect(await deps.challenges.expire(key(later), afterExpiry)).toBe(false);
    expect(await deps.challenges.expire(key(answeredOne), afterExpiry)).toBe(false);
    const stored = await deps.challenges.get(soon.accountSid, soon.serviceSid, soon.identity, soon.sid);
    expect(stored).toMatchObject({
      status: 'expired',
      dateUpdated: soon.expirationDate,
      dateResponded: null,
    });
    const denied = await deps.challenges.get(
      soon.accountSid,
      soon.serviceSid,
      soon.identity,
      answeredOne.sid,
    );
    expect(denied!.status).toBe('denied');
  });
});
