import { parsePushPublicKey } from '../domain/push-key';
import {
  effectiveStatus,
  MAX_CHALLENGE_ATTEMPTS,
  newChallenge,
  respond,
  type Challenge,
  type ChallengeField,
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
import type { Factor, StringMap } from '../domain/factor';
import { checkTotp } from '../domain/totp';
import type { ChallengeStore, FactorStore, SecretSealer } from './ports';

export interface ChallengeDeps {
  factors: FactorStore;
  challenges: ChallengeStore;
  sealer: SecretSealer;
}

interface Owner {
  accountSid: string;
  serviceSid: string;
  identity: string;
}

export interface NewChallengeRequest extends Owner {
  factorSid: string;
  expirationDate: Date;
  message?: string;
  fields?: ChallengeField[];
  hiddenDetails?: StringMap;
  authPayload?: string;
}

const TOTP_CODE = /^\d{3,8}$/;

/**
 * Creates a challenge for a verified factor: one read (factor and service together) and one write. For
 * TOTP with `AuthPayload`, a valid code creates it approved (and moves the factor's replay guard in the
 * same transaction); an invalid one creates it pending, with that attempt counted.
 */
export async function createChallenge(deps: ChallengeDeps, request: NewChallengeRequest, now: Date) {
  const { accountSid, serviceSid, identity, factorSid } = request;
  const { factor, service } = await deps.factors.getWithService(accountSid, serviceSid, identity, factorSid);
  if (!factor || !service) throw notFound();
  if (factor.status !== 'verified') throw factorNotVerified();
  if (factor.factorType === 'push' && request.message === undefined)
    throw missingParameter('Details.Message');
  if (request.authPayload !== undefined && factor.factorType !== 'totp') {
    throw invalidParameter('AuthPayload', 'is only for TOTP factors');
  }
  if (request.authPayload !== undefined && !TOTP_CODE.test(request.authPayload)) {
    throw invalidParameter('AuthPayload', 'must be a code of 3 to 8 digits');
  }
  const challenge = newChallenge({ ...request, factor, includeDate: service.push.includeDate }, now);
  if (request.authPayload === undefined || factor.factorType !== 'totp') {
    await deps.challenges.create(challenge);
    return challenge;
  }
  const secret = await deps.sealer.open(factor.sealedSecret, factor.sid);
  const check = checkTotp(secret, factor.config, request.authPayload, now, factor.lastAcceptedStep);
  if (check.kind === 'accepted') {
    const approved = respond(challenge, 'approved', now);
    if ((await deps.challenges.create(approved, { factor, step: check.step })) === 'created') return approved;
  }
  const pending = { ...challenge, failedAttempts: 1 };
  await deps.challenges.create(pending);
  return pending;
}

/**
 * Answers a pending challenge. Push: `AuthPayload` is the device's signed JWT (approve or deny); a bad
 * signature, another factor's key or altered claims are a 403 (60324) and change nothing. TOTP: a valid
 * code approves; a wrong one leaves it pending and counts, and after 5 the challenge no longer approves.
 * Expired → 403 (60323); already answered → 409. One conditional write decides concurrent answers.
 */
export async function answerChallenge(
  deps: ChallengeDeps,
  challenge: Challenge,
  input: { authPayload: string; metadata?: StringMap },
  now: Date,
  /** The challenge's factor when the caller already read it (a device knows its factor up front). */
  knownFactor?: Factor,
): Promise<Challenge> {
  assertAnswerable(challenge, now);
  const factor =
    knownFactor?.sid === challenge.factorSid
      ? knownFactor
      : await deps.factors.get(
          challenge.accountSid,
          challenge.serviceSid,
          challenge.identity,
          challenge.factorSid,
        );
  if (!factor) throw notFound();

  if (factor.factorType === 'push') {
    const key = parsePushPublicKey(factor.binding.publicKey);
    if (typeof key === 'string') throw challengeVerificationFailed();
    const answer = await checkPushAnswer(input.authPayload, key, challenge);
    if (!answer.valid) throw challengeVerificationFailed();
    const answered = respond(challenge, answer.status, now, input.metadata);
    if ((await deps.challenges.answer(answered, now)) === 'answered') return answered;
    return explainRefusal(deps, challenge, now);
  }

  if (!TOTP_CODE.test(input.authPayload))
    throw invalidParameter('AuthPayload', 'must be a code of 3 to 8 digits');
  if (challenge.failedAttempts >= MAX_CHALLENGE_ATTEMPTS) throw challengeAttemptsReached();
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
  if (current.failedAttempts >= MAX_CHALLENGE_ATTEMPTS) throw challengeAttemptsReached();
  throw conflict('The challenge changed while it was being answered; try again');
}
