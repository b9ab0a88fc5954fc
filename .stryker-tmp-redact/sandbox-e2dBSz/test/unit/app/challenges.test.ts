// @ts-nocheck
import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  createChallenge,
  getChallenge,
  listChallenges,
  type NewChallengeRequest,
} from '../../../shared/app/challenges';
import type { Principal } from '../../../shared/app/principal';
import { respond, type Challenge } from '../../../shared/domain/challenge';
import type { Factor } from '../../../shared/domain/factor';
import { afterFailure } from '../../../shared/domain/lockout';
import { newSid, SidPrefix } from '../../../shared/domain/sid';
import { Keys } from '../../../shared/store/keys';
import { memoryDeps, type MemoryDeps } from '../../support/memory';
import { backend, failure, pushFactor, signAnswer, totpFactor } from '../../support/memory/fixtures';

const at = new Date('2026-12-01T10:00:00Z');
const inMinutes = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

const requestFor = (factor: Factor, extra: Partial<NewChallengeRequest> = {}): NewChallengeRequest => ({
  accountSid: factor.accountSid,
  serviceSid: factor.serviceSid,
  identity: factor.identity,
  factorSid: factor.sid,
  expirationDate: inMinutes(5),
  message: 'Log in?',
  ...extra,
});

const storedFactor = (deps: MemoryDeps, factor: Factor) =>
  deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
const storedChallenge = (deps: MemoryDeps, challenge: Challenge) =>
  deps.challenges.get(challenge.accountSid, challenge.serviceSid, challenge.identity, challenge.sid);

/** Counts `n` failures on the factor, as other requests would. */
async function fail(deps: MemoryDeps, factor: Factor, n: number) {
  let current = (await storedFactor(deps, factor))!;
  for (let i = 0; i < n; i++) {
    current = (await deps.factors.recordFailure(current, afterFailure(current, deps.now()))) as Factor;
  }
  return current;
}

const deviceOf = (factor: Factor): Extract<Principal, { kind: 'device' }> => ({
  kind: 'device',
  accountSid: factor.accountSid,
  serviceSid: factor.serviceSid,
  identity: factor.identity,
  factorSid: factor.sid,
});

describe('createChallenge', () => {
  it('stores a pending push challenge with the service’s IncludeDate', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, service } = await pushFactor(deps);
    await deps.services.update({ ...service, push: { ...service.push, includeDate: true } });
    const challenge = await createChallenge(
      deps,
      requestFor(factor, { fields: [{ label: 'Amount', value: '€5' }], hiddenDetails: { ip: '1.2.3.4' } }),
    );
    expect(challenge).toMatchObject({
      status: 'pending',
      factorSid: factor.sid,
      includeDate: true,
      message: 'Log in?',
      fields: [{ label: 'Amount', value: '€5' }],
      hiddenDetails: { ip: '1.2.3.4' },
      failedAttempts: 0,
      expirationDate: '2026-12-01T10:05:00Z',
    });
    expect(await storedChallenge(deps, challenge)).toEqual(challenge);
  });

  it('refuses what cannot be challenged, writing nothing', async () => {
    const deps = memoryDeps({ now: at });
    const { factor: push } = await pushFactor(deps);
    const { factor: unverified } = await pushFactor(deps, { verified: false });
    const { factor: totp } = await totpFactor(deps);
    const before = deps.table.items().length;
    const refused = (request: NewChallengeRequest) => failure(createChallenge(deps, request));
    expect(await refused(requestFor(push, { factorSid: newSid(SidPrefix.factor) }))).toMatchObject({
      code: 20404,
    });
    expect(await refused(requestFor(push, { serviceSid: newSid(SidPrefix.service) }))).toMatchObject({
      code: 20404,
    });
    expect(await refused(requestFor(unverified))).toMatchObject({ code: 60318 });
    expect(await refused(requestFor(push, { message: undefined }))).toMatchObject({
      code: 20001,
      detail: { parameter: 'Details.Message' },
    });
    expect(await refused(requestFor(push, { authPayload: '123456' }))).toMatchObject({
      code: 60200,
      detail: { parameter: 'AuthPayload' },
    });
    expect(await refused(requestFor(totp, { authPayload: '12ab' }))).toMatchObject({
      code: 60200,
      detail: { parameter: 'AuthPayload' },
    });
    // A TOTP challenge needs no message.
    await createChallenge(deps, requestFor(totp, { message: undefined }));
    expect(deps.table.items().length).toBe(before + 1);
  });

  it('answers 404 when the factor went between the read and the write', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await pushFactor(deps);
    deps.before('challenges.create', () => deps.factors.delete(factor));
    expect(await failure(createChallenge(deps, requestFor(factor)))).toMatchObject({ code: 20404 });
    // A store refusing it as a changed factor means the same without an attempt: it went.
    const { factor: other } = await pushFactor(deps);
    deps.answer('challenges.create', 'factor-changed');
    expect(await failure(createChallenge(deps, requestFor(other)))).toMatchObject({ code: 20404 });
    const { factor: totp, codeAt } = await totpFactor(deps);
    deps.answer('challenges.create', 'no-factor');
    expect(await failure(createChallenge(deps, requestFor(totp, { authPayload: codeAt(1) })))).toMatchObject({
      code: 20404,
    });
    deps.answer('challenges.create', 'no-factor');
    expect(await failure(createChallenge(deps, requestFor(totp, { authPayload: '000000' })))).toMatchObject({
      code: 20404,
    });
    expect(deps.table.items().filter((item) => item.type === 'challenge')).toEqual([]);
  });

  it('approves a TOTP challenge created with a right code, resetting the factor and moving its guard', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt, step } = await totpFactor(deps);
    await fail(deps, factor, 2);
    const challenge = await createChallenge(deps, requestFor(factor, { authPayload: codeAt(1) }));
    expect(challenge).toMatchObject({ status: 'approved', dateResponded: '2026-12-01T10:00:00Z' });
    expect(await storedChallenge(deps, challenge)).toEqual(challenge);
    expect(await storedFactor(deps, factor)).toMatchObject({
      failedAttempts: 0,
      lastAcceptedStep: step() + 1,
    });
  });

  it('creates it pending with a wrong code counted on the challenge and the factor', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt } = await totpFactor(deps);
    const challenge = await createChallenge(deps, requestFor(factor, { authPayload: '000000' }));
    expect(challenge).toMatchObject({ status: 'pending', failedAttempts: 1 });
    expect(await storedChallenge(deps, challenge)).toEqual(challenge);
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 1 });
    // The code of the step used to verify the factor is a replay: a failure too.
    const replay = await createChallenge(deps, requestFor(factor, { authPayload: codeAt(0) }));
    expect(replay).toMatchObject({ status: 'pending', failedAttempts: 1 });
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 2 });
  });

  it('refuses a code on a locked factor, and decides again when a concurrent request locked it', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt } = await totpFactor(deps);
    deps.before('challenges.create', () => fail(deps, factor, 5));
    const raced = await failure(createChallenge(deps, requestFor(factor, { authPayload: codeAt(1) })));
    expect(raced).toMatchObject({ code: 60310, detail: { retryAt: inMinutes(1) } });
    expect(await failure(createChallenge(deps, requestFor(factor, { authPayload: '000000' })))).toMatchObject(
      {
        code: 60310,
      },
    );
    expect(deps.table.items().filter((item) => item.type === 'challenge')).toEqual([]);
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 5 });
    // A locked factor still gets challenges without a code.
    expect(await createChallenge(deps, requestFor(factor))).toMatchObject({ status: 'pending' });
  });
});

describe('getChallenge and listChallenges', () => {
  it('shows a device only its own factor’s challenges', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await pushFactor(deps);
    const challenge = await createChallenge(deps, requestFor(factor));
    const key = { ...challenge };
    expect(await getChallenge(deps, backend(factor.accountSid), key)).toEqual(challenge);
    expect(await getChallenge(deps, deviceOf(factor), key)).toEqual(challenge);
    const stranger = { ...deviceOf(factor), factorSid: newSid(SidPrefix.factor) };
    expect(await failure(getChallenge(deps, stranger, key))).toMatchObject({ code: 20404 });
    expect(
      await failure(getChallenge(deps, deviceOf(factor), { ...key, identity: 'user-0000-other' })),
    ).toMatchObject({ code: 20404 });
    expect(
      await failure(
        getChallenge(deps, backend(factor.accountSid), { ...key, sid: newSid(SidPrefix.challenge) }),
      ),
    ).toMatchObject({ code: 20404 });
  });

  it('lists by creation and status, a device its own factor’s only, and 404 without the entity', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, service } = await pushFactor(deps);
    const { factor: sibling } = await pushFactor(deps);
    // Move the sibling under the same entity: same owner, another factor.
    const moved = {
      ...sibling,
      accountSid: factor.accountSid,
      serviceSid: service.sid,
      identity: factor.identity,
      entitySid: factor.entitySid,
    };
    expect(
      await deps.factors.create(
        moved,
        (await deps.entities.get(factor.accountSid, service.sid, factor.identity))!,
        false,
      ),
    ).toBe('created');
    const first = await createChallenge(deps, requestFor(factor, { expirationDate: inMinutes(1) }));
    deps.setNow(inMinutes(0.5));
    const second = await createChallenge(deps, requestFor(moved));
    deps.setNow(inMinutes(2));
    const owner = { accountSid: factor.accountSid, serviceSid: factor.serviceSid, identity: factor.identity };
    const sids = async (principal: Principal, query: Parameters<typeof listChallenges>[3]) =>
      (await listChallenges(deps, principal, owner, query, { pageSize: 10 })).items.map((c) => c.sid);
    const account = backend(factor.accountSid);
    expect(await sids(account, { ascending: true })).toEqual([first.sid, second.sid]);
    expect(await sids(account, { ascending: false })).toEqual([second.sid, first.sid]);
    expect(await sids(account, { ascending: true, status: 'expired' })).toEqual([first.sid]);
    expect(await sids(account, { ascending: true, factorSid: moved.sid })).toEqual([second.sid]);
    expect(await sids(deviceOf(factor), { ascending: true })).toEqual([first.sid]);
    expect(await failure(sids(deviceOf(factor), { ascending: true, factorSid: moved.sid }))).toMatchObject({
      code: 20404,
    });
    expect(
      await failure(
        listChallenges(
          deps,
          account,
          { ...owner, identity: 'user-0000-none' },
          { ascending: true },
          { pageSize: 5 },
        ),
      ),
    ).toMatchObject({ code: 20404 });
  });
});

describe('answerChallenge with a push factor', () => {
  async function pending(deps: MemoryDeps) {
    const { factor, device } = await pushFactor(deps);
    const challenge = await createChallenge(deps, requestFor(factor));
    return { factor, device, challenge };
  }

  it('approves or denies with the device’s signed answer, with its metadata', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, device, challenge } = await pending(deps);
    deps.setNow(inMinutes(1));
    const authPayload = await signAnswer(challenge, device, 'approved');
    const answered = await answerChallenge(deps, deviceOf(factor), challenge, {
      authPayload,
      metadata: { os: 'Android' },
    });
    expect(answered).toEqual(respond(challenge, 'approved', inMinutes(1), { os: 'Android' }));
    expect(await storedChallenge(deps, challenge)).toEqual(answered);

    const other = await createChallenge(deps, requestFor(factor));
    const denial = await signAnswer(other, device, 'denied');
    expect(
      await answerChallenge(deps, backend(factor.accountSid), other, { authPayload: denial }),
    ).toMatchObject({
      status: 'denied',
      metadata: null,
    });
    expect(await storedFactor(deps, factor)).toEqual(factor);
  });

  it('refuses a bad signature or a factor with an unusable key with 60324, counting nothing', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, challenge } = await pending(deps);
    const stranger = (await pushFactor(deps)).device;
    const forged = await signAnswer(challenge, stranger, 'approved');
    expect(
      await failure(answerChallenge(deps, deviceOf(factor), challenge, { authPayload: forged })),
    ).toMatchObject({
      code: 60324,
    });
    const key = Keys.factor(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
    deps.table.update(key, { binding: { alg: 'ES256', publicKey: 'bm90IGEga2V5' } });
    expect(
      await failure(answerChallenge(deps, deviceOf(factor), challenge, { authPayload: forged })),
    ).toMatchObject({
      code: 60324,
    });
    expect(await storedChallenge(deps, challenge)).toEqual(challenge);
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 0 });
  });

  it('answers 429 on a locked factor, also when it was locked between the read and the write', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, device, challenge } = await pending(deps);
    const authPayload = await signAnswer(challenge, device, 'approved');
    deps.before('challenges.answer', () => fail(deps, factor, 5));
    expect(await failure(answerChallenge(deps, deviceOf(factor), challenge, { authPayload }))).toMatchObject({
      code: 60310,
      detail: { retryAt: inMinutes(1) },
    });
    expect(await failure(answerChallenge(deps, deviceOf(factor), challenge, { authPayload }))).toMatchObject({
      code: 60310,
    });
    expect(await storedChallenge(deps, challenge)).toEqual(challenge);
  });

  it('explains a refused answer by the challenge as read again', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, device, challenge } = await pending(deps);
    const authPayload = await signAnswer(challenge, device, 'approved');
    const answer = () => answerChallenge(deps, deviceOf(factor), challenge, { authPayload });
    // Refused though nothing visible changed: try again.
    deps.answer('challenges.answer', 'challenge-changed');
    expect(await failure(answer())).toMatchObject({
      code: 20409,
      kind: 'conflict',
      message: 'The challenge changed while it was being answered; try again',
    });
    // Answered by a concurrent request first.
    deps.before('challenges.answer', ([answered]) =>
      deps.challenges.answer({ ...(answered as Challenge), status: 'denied' }, at, {
        kind: 'unchanged',
        factor,
      }),
    );
    expect(await failure(answer())).toMatchObject({ kind: 'challenge-answered', code: 20409 });
    expect(await storedChallenge(deps, challenge)).toMatchObject({ status: 'denied' });
    // Deleted meanwhile.
    const { factor: f2, device: d2, challenge: c2 } = await pending(deps);
    const payload2 = await signAnswer(c2, d2, 'approved');
    deps.before('challenges.answer', () =>
      deps.table.delete(Keys.challenge(c2.accountSid, c2.serviceSid, c2.identity, c2.sid)),
    );
    expect(await failure(answerChallenge(deps, deviceOf(f2), c2, { authPayload: payload2 }))).toMatchObject({
      code: 20404,
    });
  });

  it('answers 60323 past the expiration date, 409 once answered, 404 without the challenge or its factor', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, device, challenge } = await pending(deps);
    const authPayload = await signAnswer(challenge, device, 'approved');
    const answer = (principal: Principal = deviceOf(factor), key = challenge) =>
      failure(answerChallenge(deps, principal, key, { authPayload }));
    expect(await answer(deviceOf(factor), { ...challenge, sid: newSid(SidPrefix.challenge) })).toMatchObject({
      code: 20404,
    });
    expect(await answer({ ...deviceOf(factor), factorSid: newSid(SidPrefix.factor) })).toMatchObject({
      code: 20404,
    });
    deps.setNow(inMinutes(5));
    expect(await answer()).toMatchObject({ code: 60323 });
    deps.setNow(at);
    await answerChallenge(deps, deviceOf(factor), challenge, { authPayload });
    expect(await answer()).toMatchObject({
      kind: 'challenge-answered',
      message: expect.stringContaining('approved'),
    });
    const other = await createChallenge(deps, requestFor(factor));
    await deps.factors.delete(factor);
    expect(await answer(backend(factor.accountSid), other)).toMatchObject({ code: 20404 });
    expect(await answer(deviceOf(factor), other)).toMatchObject({ code: 20404 });
  });
});

describe('answerChallenge with a TOTP factor', () => {
  async function pending(deps: MemoryDeps) {
    const made = await totpFactor(deps);
    const challenge = await createChallenge(deps, requestFor(made.factor));
    const answer = (authPayload: string) =>
      answerChallenge(deps, backend(made.factor.accountSid), challenge, {
        authPayload,
        metadata: { via: 'sms' },
      });
    return { ...made, challenge, answer };
  }

  it('approves with a right code, resetting the factor’s failures and moving its replay guard', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, challenge, answer, codeAt, step } = await pending(deps);
    await fail(deps, factor, 3);
    const approved = await answer(codeAt(1));
    expect(approved).toEqual(respond(challenge, 'approved', at, { via: 'sms' }));
    expect(await storedChallenge(deps, challenge)).toEqual(approved);
    expect(await storedFactor(deps, factor)).toMatchObject({
      failedAttempts: 0,
      lastAcceptedStep: step() + 1,
    });
  });

  it('counts a wrong or replayed code on the challenge and the factor, and stops at five', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, challenge, answer, codeAt } = await pending(deps);
    expect(await answer('000000')).toEqual({ ...challenge, failedAttempts: 1 });
    // The step that verified the factor is used: a failure.
    expect(await answer(codeAt(0))).toEqual({ ...challenge, failedAttempts: 2 });
    expect(await storedChallenge(deps, challenge)).toMatchObject({ status: 'pending', failedAttempts: 2 });
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 2 });
    expect(await failure(answer('12ab'))).toMatchObject({ code: 60200 });
    // Three more wrong codes, with successes elsewhere resetting the factor in between.
    for (let i = 0; i < 3; i++) {
      await answer('000000');
      const current = (await storedFactor(deps, factor))!;
      await deps.factors.recordVerified(current, null, at);
    }
    expect(await storedChallenge(deps, challenge)).toMatchObject({ failedAttempts: 5 });
    const spent = await failure(answer(codeAt(1)));
    expect(spent).toMatchObject({ kind: 'challenge-attempts-reached', code: 60310 });
    expect(spent.message).toContain('at most 5 wrong codes');
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 0 });
  });

  it('answers 429 once the factor is locked, right code or not', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, answer, codeAt } = await pending(deps);
    await fail(deps, factor, 5);
    expect(await failure(answer(codeAt(1)))).toMatchObject({ kind: 'factor-locked', code: 60310 });
    expect(await failure(answer('000000'))).toMatchObject({ kind: 'factor-locked' });
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 5 });
  });

  it('decides again when a concurrent request changed the factor first', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, challenge, answer, codeAt } = await pending(deps);
    deps.before('challenges.answer', () => fail(deps, factor, 1));
    expect(await answer(codeAt(1))).toMatchObject({ status: 'approved' });
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 0 });
    const other = await createChallenge(deps, requestFor(factor));
    deps.before('challenges.recordWrongCode', () => fail(deps, factor, 4));
    // Its own failure, decided again on the factor as left, is the fifth: counted, and it locks the factor.
    const counted = await answerChallenge(deps, backend(factor.accountSid), other, { authPayload: '000000' });
    expect(counted).toEqual({ ...other, failedAttempts: 1 });
    expect(await storedFactor(deps, factor)).toMatchObject({
      failedAttempts: 5,
      lockedUntil: inMinutes(1).toISOString(),
    });
    expect(await storedChallenge(deps, challenge)).toMatchObject({ status: 'approved' });
    // A wrong code given at creation, decided again after a concurrent failure: both count.
    deps.before('challenges.create', () => fail(deps, factor, 1), 1);
    deps.setNow(inMinutes(2));
    const counted2 = await createChallenge(
      deps,
      requestFor(factor, { authPayload: '000000', expirationDate: inMinutes(7) }),
    );
    expect(counted2).toMatchObject({ status: 'pending', failedAttempts: 1 });
    expect(await storedFactor(deps, factor)).toMatchObject({ failedAttempts: 7, lockedUntil: null });
  });

  it('explains refused wrong codes and answers by the challenge read again', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, challenge, answer } = await pending(deps);
    // Concurrent wrong codes used up the challenge between this one's read and its write (successes
    // elsewhere kept the factor unlocked).
    deps.before('challenges.recordWrongCode', async () => {
      for (let i = 0; i < 5; i++) {
        const read = (await storedFactor(deps, factor))!;
        const next = afterFailure(read, at);
        await deps.challenges.recordWrongCode(challenge, at, { kind: 'failed', factor: read, next });
        await deps.factors.recordVerified((await storedFactor(deps, factor))!, null, at);
      }
    });
    expect(await failure(answer('000000'))).toMatchObject({ kind: 'challenge-attempts-reached' });
    expect(await storedChallenge(deps, challenge)).toMatchObject({ failedAttempts: 5 });

    const second = await pending(deps);
    deps.answer('challenges.answer', 'challenge-changed');
    expect(await failure(second.answer(second.codeAt(1)))).toMatchObject({
      kind: 'conflict',
      message: 'The challenge changed while it was being answered; try again',
    });
    // Answered by a concurrent request while a wrong code was on its way.
    deps.before('challenges.recordWrongCode', () =>
      deps.challenges.answer(respond(second.challenge, 'approved', at), at, {
        kind: 'unchanged',
        factor: second.factor,
      }),
    );
    expect(await failure(second.answer('000000'))).toMatchObject({ kind: 'challenge-answered' });
    expect(await storedFactor(deps, second.factor)).toMatchObject({ failedAttempts: 0 });
  });
});
