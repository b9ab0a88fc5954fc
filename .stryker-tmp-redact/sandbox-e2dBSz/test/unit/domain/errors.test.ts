// @ts-nocheck
import { describe, expect, it } from 'vitest';
import * as errors from '../../../shared/domain/errors';
import { DomainError } from '../../../shared/domain/errors';

/** What each failure says to the client: its kind (the HTTP layer's status and code), message and detail. */
describe('domain errors', () => {
  const at = new Date('2026-12-01T10:00:00Z');
  it.each([
    [
      errors.missingParameter('FriendlyName'),
      'missing-parameter',
      'Missing required parameter FriendlyName in the post body',
      { parameter: 'FriendlyName' },
    ],
    [
      errors.invalidParameter('TotpSkew', 'must be 0 to 2'),
      'invalid-parameter',
      'Invalid parameter TotpSkew: must be 0 to 2',
      { parameter: 'TotpSkew' },
    ],
    [
      errors.invalidParameter('Status'),
      'invalid-parameter',
      'Invalid parameter: Status',
      { parameter: 'Status' },
    ],
    [errors.notFound(), 'not-found', 'The requested resource was not found', {}],
    [errors.unauthenticated(), 'unauthenticated', 'Authenticate', {}],
    [
      errors.methodNotAllowed(['GET', 'POST']),
      'method-not-allowed',
      'Method not allowed',
      { allowed: ['GET', 'POST'] },
    ],
    [
      errors.invalidPublicKey('is not P-256'),
      'invalid-public-key',
      'Factors binding format is invalid: Binding.PublicKey is not P-256',
      { parameter: 'Binding.PublicKey' },
    ],
    [
      errors.tooManyPushFactors(20),
      'too-many-push-factors',
      'Reached max limit of 20 push Factors associated per Entity',
      {},
    ],
    [
      errors.factorLocked(at),
      'factor-locked',
      'Factor verification attempts reached: the factor is locked until 2026-12-01T10:00:00.000Z',
      { retryAt: at },
    ],
    [
      errors.factorLocked(),
      'factor-locked',
      'Factor verification attempts reached: the factor is locked; delete it and create it again',
      {},
    ],
    [errors.factorVerificationFailed(), 'factor-verification-failed', 'Factor verification failed', {}],
    [
      errors.codeAlreadyUsed(),
      'factor-verification-failed',
      'Factor verification failed: this code was already used; wait for the next one',
      {},
    ],
    [errors.conflict('Try again'), 'conflict', 'Try again', {}],
    [errors.factorNotVerified(), 'factor-not-verified', 'Factor is unverified', {}],
    [errors.challengeExpired(), 'challenge-expired', 'Challenge expired', {}],
    [
      errors.challengeVerificationFailed(),
      'challenge-verification-failed',
      'Challenge verification failed',
      {},
    ],
    [
      errors.challengeAlreadyResponded('denied'),
      'challenge-answered',
      'Challenge already denied; an answered challenge cannot change',
      {},
    ],
    [
      errors.challengeAttemptsReached(5),
      'challenge-attempts-reached',
      'Challenge verification attempts reached: at most 5 wrong codes per challenge',
      {},
    ],
    [
      errors.deviceTokenOutOfTime(at),
      'device-token-out-of-time',
      'Authenticate: the device token is expired or not yet valid',
      { serverTime: at },
    ],
    [errors.tooManyRequests(), 'too-many-requests', 'Too many requests for this account; slow down', {}],
    [errors.bodyTooLarge(), 'body-too-large', 'Request body too large', {}],
  ])('%#: %s', (error, kind, message, detail) => {
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe('DomainError');
    expect({ kind: error.kind, message: error.message, detail: error.detail }).toEqual({
      kind,
      message,
      detail,
    });
  });
});
