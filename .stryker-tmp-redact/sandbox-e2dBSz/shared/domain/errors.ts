/**
 * Every failure the service reports, as what went wrong (`kind`) and a human message. The HTTP layer maps
 * each kind to Twilio's status and code (`shared/http/errors.ts`); nothing here knows about HTTP.
 */
// @ts-nocheck

export type ErrorKind =
  | 'missing-parameter'
  | 'invalid-parameter'
  | 'invalid-public-key'
  | 'too-many-push-factors'
  | 'unauthenticated'
  | 'device-token-out-of-time'
  | 'factor-verification-failed'
  | 'factor-not-verified'
  | 'challenge-expired'
  | 'challenge-verification-failed'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'challenge-answered'
  | 'body-too-large'
  | 'factor-locked'
  | 'challenge-attempts-reached'
  | 'too-many-requests'
  | 'not-notifiable'
  | 'too-many-notifications'
  | 'too-many-webhooks'
  | 'internal';

export interface ErrorDetail {
  /** The parameter at fault. */
  parameter?: string;
  /** For method-not-allowed: the methods the path has. */
  allowed?: readonly string[];
  /** For device-token-out-of-time: the server's clock, from which a device corrects its own. */
  serverTime?: Date;
  /** For a lock or a limit: when trying again can succeed. */
  retryAt?: Date;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const missingParameter = (name: string) =>
  new DomainError('missing-parameter', `Missing required parameter ${name} in the post body`, {
    parameter: name,
  });

export const invalidParameter = (name: string, reason?: string) =>
  new DomainError(
    'invalid-parameter',
    reason ? `Invalid parameter ${name}: ${reason}` : `Invalid parameter: ${name}`,
    { parameter: name },
  );

/** The HTTP layer names the requested path in the message. */
export const notFound = () => new DomainError('not-found', 'The requested resource was not found');

export const unauthenticated = () => new DomainError('unauthenticated', 'Authenticate');

export const methodNotAllowed = (allowed: readonly string[]) =>
  new DomainError('method-not-allowed', 'Method not allowed', { allowed });

export const invalidPublicKey = (reason: string) =>
  new DomainError('invalid-public-key', `Factors binding format is invalid: Binding.PublicKey ${reason}`, {
    parameter: 'Binding.PublicKey',
  });

export const tooManyPushFactors = (max: number) =>
  new DomainError('too-many-push-factors', `Reached max limit of ${max} push Factors associated per Entity`);

/** The factor is locked after too many consecutive failures; `until` undefined means for good. */
export const factorLocked = (until?: Date) =>
  new DomainError(
    'factor-locked',
    until
      ? `Factor verification attempts reached: the factor is locked until ${until.toISOString()}`
      : 'Factor verification attempts reached: the factor is locked; delete it and create it again',
    until ? { retryAt: until } : {},
  );

export const factorVerificationFailed = () =>
  new DomainError('factor-verification-failed', 'Factor verification failed');

/** A TOTP code whose time step was already accepted for this factor (RFC 6238 §5.2). */
export const codeAlreadyUsed = () =>
  new DomainError(
    'factor-verification-failed',
    'Factor verification failed: this code was already used; wait for the next one',
  );

export const conflict = (message: string) => new DomainError('conflict', message);

export const factorNotVerified = () => new DomainError('factor-not-verified', 'Factor is unverified');

export const challengeExpired = () => new DomainError('challenge-expired', 'Challenge expired');

export const challengeVerificationFailed = () =>
  new DomainError('challenge-verification-failed', 'Challenge verification failed');

/** Twilio documents no code for this; 409 with the generic conflict code is this service's choice. */
export const challengeAlreadyResponded = (status: string) =>
  new DomainError('challenge-answered', `Challenge already ${status}; an answered challenge cannot change`);

export const challengeAttemptsReached = (max: number) =>
  new DomainError(
    'challenge-attempts-reached',
    `Challenge verification attempts reached: at most ${max} wrong codes per challenge`,
  );

/** Device credentials (`token:<JWT>`) whose time window does not hold; the SDKs resync from `Date`. */
export const deviceTokenOutOfTime = (now: Date) =>
  new DomainError('device-token-out-of-time', 'Authenticate: the device token is expired or not yet valid', {
    serverTime: now,
  });

export const tooManyRequests = () =>
  new DomainError('too-many-requests', 'Too many requests for this account; slow down');

export const bodyTooLarge = () => new DomainError('body-too-large', 'Request body too large');

/** A Notifications request on a challenge whose device cannot be notified; `reason` says why. */
export const notNotifiable = (reason: string) =>
  new DomainError('not-notifiable', `The challenge cannot be notified: ${reason}`);

export const tooManyNotifications = (max: number) =>
  new DomainError(
    'too-many-notifications',
    `Max notifications reached: a challenge is notified at most ${max} times after its creation`,
  );

/** Twilio documents no limit on webhooks per service; this one, and its code, are this service's choice. */
export const tooManyWebhooks = (max: number) =>
  new DomainError('too-many-webhooks', `Max webhooks reached: a service has at most ${max} webhooks`);
