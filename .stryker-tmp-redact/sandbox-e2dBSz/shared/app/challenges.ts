// @ts-nocheck
import { assertAuthPayloadShape } from '../domain/auth-payload';
import { parsePushPublicKey } from '../domain/push-key';
import {
  effectiveStatus,
  MAX_CHALLENGE_ATTEMPTS,
  newChallenge,
  respond,
  type Challenge,
  type ChallengeField,
  type ChallengeStatus,
} from '../domain/challenge';
import { checkPushAnswer } from '../domain/challenge-answer';
import {
  challengeAlreadyResponded,
  challengeAttemptsReached,
  challengeExpired,
  challengeVerificationFailed,
  conflict,
  factorNotVerified,
  invalidParameter,
  missingParameter,
  notFound,
} from '../domain/errors';
import type { StringMap } from '../domain/factor';
import { afterFailure, assertUnlocked } from '../domain/lockout';
import { checkTotp } from '../domain/totp';
import { decideOnFactor } from './factor-race';
import type { AppDeps, PageRequest } from './ports';
import { assertWithinScope, type Principal } from './principal';

export type ChallengeDeps = Pick<AppDeps, 'factors' | 'entities' | 'challenges' | 'sealer' | 'now'>;

interface Owner {
  accountSid: string;
  serviceSid: string;
  identity: string;
}

export interface ChallengeKey extends Owner {
  sid: string;
}

export interface NewChallengeRequest extends Owner {
  factorSid: string;
  expirationDate: Date;
  message?: string;
  fields?: ChallengeField[];
  hiddenDetails?: StringMap;
  authPayload?: string;
}

/**
 * Creates a challenge for a verified factor: one read (factor and service together) and one write. A
 * locked factor still gets challenges (its answers are refused). For TOTP with `AuthPayload`, the code is
 * an attempt on the factor like any other: on a locked factor it is refused (429, nothing is created); a
 * valid code creates the challenge approved and resets the factor's failures and moves its replay guard;
 * an invalid one creates it pending with that attempt counted, on the challenge and the factor. Either
 * way in one transaction, conditioned on the factor's lock state as read.
 */
export async function createChallenge(deps: ChallengeDeps, request: NewChallengeRequest) {
  const now = deps.now();
  const { accountSid, serviceSid, identity, factorSid } = request;
  const { factor, service } = await deps.factors.getWithService(accountSid, serviceSid, identity, factorSid);
  if (!factor || !service) throw notFound();
  if (factor.status !== 'verified') throw factorNotVerified();
  if (factor.factorType === 'push' && request.message === undefined)
    throw missingParameter('Details.Message');
  if (request.authPayload !== undefined && factor.factorType !== 'totp') {
    throw invalidParameter('AuthPayload', 'is only for TOTP factors');
  }
  if (request.authPayload !== undefined) assertAuthPayloadShape('totp', request.authPayload, 'challenge');
  const challenge = newChallenge({ ...request, factor, includeDate: service.push.includeDate }, now);
  if (request.authPayload === undefined || factor.factorType !== 'totp') {
    const outcome = await deps.challenges.create(challenge);
    // Without an attempt the write has no lock-state condition: only a deleted factor refuses it.
    return stored(outcome === 'factor-changed' ? 'no-factor' : outcome, challenge);
  }
  const code = request.authPayload;
  const secret = await deps.sealer.open(factor.sealedSecret, factor.sid);
  return decideOnFactor(deps, factor, async (current) => {
    assertUnlocked(current, now);
    const check = checkTotp(secret, current.config, code, now, current.lastAcceptedStep);
    if (check.kind === 'accepted') {
      const approved = respond(challenge, 'approved', now);
      const outcome = await deps.challenges.create(approved, {
        kind: 'accepted',
        factor: current,
        step: check.step,
      });
      return outcome === 'factor-changed' ? outcome : stored(outcome, approved);
    }
    const pending = { ...challenge, failedAttempts: 1 };
    const next = afterFailure(current, now);
    const outcome = await deps.challenges.create(pending, { kind: 'failed', factor: current, next });
    return outcome === 'factor-changed' ? outcome : stored(outcome, pending);
  });
}

/** The challenge as stored; 404 when its factor was deleted between the read and the write. */
function stored(outcome: 'created' | 'no-factor', challenge: Challenge) {
  if (outcome === 'no-factor') throw notFound();
  return challenge;
}

/** A challenge the principal may see: a device only its own factor's. */
export async function getChallenge(
  deps: Pick<ChallengeDeps, 'challenges'>,
  principal: Principal,
  key: ChallengeKey,
) {
  assertWithinScope(principal, key);
  const challenge = await deps.challenges.get(key.accountSid, key.serviceSid, key.identity, key.sid);
  if (!challenge) throw notFound();
  assertWithinScope(principal, { ...key, factorSid: challenge.factorSid });
  return challenge;
}

/**
 * An entity's challenges by creation (`ascending`), filtered by factor and effective status; a device
 * sees only its own factor's. 404 when the entity does not exist (read in parallel with the page).
 */
export async function listChallenges(
  deps: Pick<ChallengeDeps, 'entities' | 'challenges' | 'now'>,
  principal: Principal,
  owner: Owner,
  query: { factorSid?: string; status?: ChallengeStatus; ascending: boolean },
  page: PageRequest,
) {
  assertWithinScope(principal, { ...owner, factorSid: query.factorSid });
  const factorSid = principal.kind === 'device' ? principal.factorSid : query.factorSid;
  const { accountSid, serviceSid, identity } = owner;
  const [entity, challenges] = await Promise.all([
    deps.entities.get(accountSid, serviceSid, identity),
    deps.challenges.list(accountSid, serviceSid, identity, page, { ...query, factorSid, now: deps.now() }),
  ]);
  if (!entity) throw notFound();
  return challenges;
}

/**
 * Answers a pending challenge: two reads (the challenge and its factor; in parallel for a device, which
 * knows its factor up front) and one transaction of the challenge with its factor. A locked factor
 * (`lockout.ts`) answers 429 (60310), TOTP and push alike, and the transaction holds only while the
 * factor's lock state is the one read, so a lock set by a concurrent request is honoured. Push:
 * `AuthPayload` is the device's signed JWT (approve or deny); a bad signature, another factor's key or
 * altered claims are a 403 (60324) and change nothing. TOTP: a valid code approves and resets the
 * factor's failures; a wrong one leaves the challenge pending and counts, on the challenge (after 5 it no
 * longer approves: 429) and on the factor. Expired → 403 (60323); already answered → 409. The challenge's
 * condition decides concurrent answers.
 */
export async function answerChallenge(
  deps: ChallengeDeps,
  principal: Principal,
  key: ChallengeKey,
  input: { authPayload: string; metadata?: StringMap },
): Promise<Challenge> {
  assertWithinScope(principal, key);
  const { accountSid, serviceSid, identity } = key;
  const [challenge, knownFactor] = await Promise.all([
    deps.challenges.get(accountSid, serviceSid, identity, key.sid),
    principal.kind === 'device'
      ? deps.factors.get(accountSid, serviceSid, identity, principal.factorSid)
      : undefined,
  ]);
  if (!challenge) throw notFound();
  assertWithinScope(principal, { ...key, factorSid: challenge.factorSid });
  const now = deps.now();
  assertAnswerable(challenge, now);
  const factor =
    knownFactor ?? (await deps.factors.get(accountSid, serviceSid, identity, challenge.factorSid));
  if (!factor) throw notFound();
  assertAuthPayloadShape(factor.factorType, input.authPayload, 'challenge');

  if (factor.factorType === 'push') {
    assertUnlocked(factor, now);
    const key = parsePushPublicKey(factor.binding.publicKey);
    if (typeof key === 'string') throw challengeVerificationFailed();
    const answer = await checkPushAnswer(input.authPayload, key, challenge);
    // A bad signature is not counted toward the lock: an ECDSA P-256 signature cannot be guessed (forging
    // one takes ~2¹²⁸ work), so there is nothing to slow down, and counting would only let garbage lock
    // the factor. (The lock is still checked first: a locked factor answers 429 whatever the payload.)
    if (!answer.valid) throw challengeVerificationFailed();
    const answered = respond(challenge, answer.status, now, input.metadata);
    return decideOnFactor(deps, factor, async (current) => {
      assertUnlocked(current, now);
      const outcome = await deps.challenges.answer(answered, now, { kind: 'unchanged', factor: current });
      if (outcome === 'challenge-changed') return explainRefusal(deps, challenge, now);
      return outcome === 'answered' ? answered : outcome;
    });
  }

  const code = input.authPayload;
  const secret = await deps.sealer.open(factor.sealedSecret, factor.sid);
  return decideOnFactor(deps, factor, async (current) => {
    assertUnlocked(current, now);
    if (challenge.failedAttempts >= MAX_CHALLENGE_ATTEMPTS)
      throw challengeAttemptsReached(MAX_CHALLENGE_ATTEMPTS);
    const check = checkTotp(secret, current.config, code, now, current.lastAcceptedStep);
    if (check.kind === 'accepted') {
      const answered = respond(challenge, 'approved', now, input.metadata);
      const attempt = { kind: 'accepted' as const, factor: current, step: check.step };
      const outcome = await deps.challenges.answer(answered, now, attempt);
      if (outcome === 'challenge-changed') return explainRefusal(deps, challenge, now);
      return outcome === 'answered' ? answered : outcome;
    }
    // A wrong code, or a right one whose step was accepted already (RFC 6238 §5.2): a failure.
    const next = afterFailure(current, now);
    const outcome = await deps.challenges.recordWrongCode(challenge, now, {
      kind: 'failed',
      factor: current,
      next,
    });
    if (outcome === 'challenge-changed') return explainRefusal(deps, challenge, now);
    // The count as read plus this one (concurrent wrong codes on the same challenge may have added more).
    return outcome === 'recorded' ? { ...challenge, failedAttempts: challenge.failedAttempts + 1 } : outcome;
  });
}

function assertAnswerable(challenge: Challenge, now: Date) {
  const status = effectiveStatus(challenge, now);
  if (status === 'expired') throw challengeExpired();
  if (status !== 'pending') throw challengeAlreadyResponded(status);
}

/** A conditional write was refused: read the challenge again and say why. */
async function explainRefusal(deps: ChallengeDeps, challenge: Challenge, now: Date): Promise<never> {
  const current = await deps.challenges.get(
    challenge.accountSid,
    challenge.serviceSid,
    challenge.identity,
    challenge.sid,
  );
  if (!current) throw notFound();
  assertAnswerable(current, now);
  if (current.failedAttempts >= MAX_CHALLENGE_ATTEMPTS)
    throw challengeAttemptsReached(MAX_CHALLENGE_ATTEMPTS);
  throw conflict('The challenge changed while it was being answered; try again');
}
