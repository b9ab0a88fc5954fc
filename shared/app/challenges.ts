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
import { checkTotp } from '../domain/totp';
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
 * Creates a challenge for a verified factor: one read (factor and service together) and one write. For
 * TOTP with `AuthPayload`, a valid code creates it approved (and moves the factor's replay guard in the
 * same transaction); an invalid one creates it pending, with that attempt counted.
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
    return stored(await deps.challenges.create(challenge), challenge);
  }
  const secret = await deps.sealer.open(factor.sealedSecret, factor.sid);
  const check = checkTotp(secret, factor.config, request.authPayload, now, factor.lastAcceptedStep);
  if (check.kind === 'accepted') {
    const approved = respond(challenge, 'approved', now);
    const outcome = await deps.challenges.create(approved, { factor, step: check.step });
    if (outcome !== 'replayed') return stored(outcome, approved);
  }
  const pending = { ...challenge, failedAttempts: 1 };
  return stored(await deps.challenges.create(pending), pending);
}

/** The challenge as stored; 404 when its factor was deleted between the read and the write. */
function stored(outcome: 'created' | 'no-factor' | 'replayed', challenge: Challenge) {
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
 * knows its factor up front) and one conditional write. Push: `AuthPayload` is the device's signed JWT
 * (approve or deny); a bad signature, another factor's key or altered claims are a 403 (60324) and change
 * nothing. TOTP: a valid code approves; a wrong one leaves it pending and counts, and after 5 the challenge
 * no longer approves. Expired → 403 (60323); already answered → 409. One conditional write decides
 * concurrent answers.
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
    const key = parsePushPublicKey(factor.binding.publicKey);
    if (typeof key === 'string') throw challengeVerificationFailed();
    const answer = await checkPushAnswer(input.authPayload, key, challenge);
    if (!answer.valid) throw challengeVerificationFailed();
    const answered = respond(challenge, answer.status, now, input.metadata);
    if ((await deps.challenges.answer(answered, now)) === 'answered') return answered;
    return explainRefusal(deps, challenge, now);
  }

  if (challenge.failedAttempts >= MAX_CHALLENGE_ATTEMPTS)
    throw challengeAttemptsReached(MAX_CHALLENGE_ATTEMPTS);
  const secret = await deps.sealer.open(factor.sealedSecret, factor.sid);
  const check = checkTotp(secret, factor.config, input.authPayload, now, factor.lastAcceptedStep);
  if (check.kind === 'accepted') {
    const answered = respond(challenge, 'approved', now, input.metadata);
    const outcome = await deps.challenges.answer(answered, now, { factor, step: check.step });
    if (outcome === 'answered') return answered;
    if (outcome === 'conflict') return explainRefusal(deps, challenge, now);
    // 'replayed': a concurrent request used this code's step first; it counts as a wrong code.
  }
  const attempts = await deps.challenges.recordWrongCode(challenge, now);
  if (attempts === undefined) return explainRefusal(deps, challenge, now);
  return { ...challenge, failedAttempts: attempts };
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
