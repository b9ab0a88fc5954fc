/**
 * Every failure the API reports, in Twilio's error shape. Codes follow Twilio where Twilio documents one
 * (see the README's error table); `status` is the HTTP status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const missingParameter = (name: string) =>
  new ApiError(400, 20001, `Missing required parameter ${name} in the post body`);

export const invalidParameter = (name: string, reason?: string) =>
  new ApiError(400, 60200, reason ? `Invalid parameter ${name}: ${reason}` : `Invalid parameter: ${name}`);

/** The HTTP layer names the requested path in the message. */
export class NotFoundError extends ApiError {
  constructor() {
    super(404, 20404, 'The requested resource was not found');
  }
}
export const notFound = () => new NotFoundError();

export const unauthenticated = () =>
  new ApiError(401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });

export const methodNotAllowed = (allowed: readonly string[]) =>
  new ApiError(405, 20004, 'Method not allowed', { Allow: allowed.join(', ') });

export const invalidPublicKey = (reason: string) =>
  new ApiError(400, 60314, `Factors binding format is invalid: Binding.PublicKey ${reason}`);

export const tooManyPushFactors = (max: number) =>
  new ApiError(400, 60315, `Reached max limit of ${max} push Factors associated per Entity`);

export const factorVerificationAttemptsReached = () =>
  new ApiError(429, 60310, 'Factor verification attempts reached');

export const factorVerificationFailed = () => new ApiError(403, 60311, 'Factor verification failed');

export const conflict = (message: string) => new ApiError(409, 20409, message);

export const factorNotVerified = () => new ApiError(403, 60318, 'Factor is unverified');

export const challengeExpired = () => new ApiError(403, 60323, 'Challenge expired');

export const challengeVerificationFailed = () => new ApiError(403, 60324, 'Challenge verification failed');

/** Twilio documents no code for this; 409 with the generic conflict code is this service's choice. */
export const challengeAlreadyResponded = (status: string) =>
  new ApiError(409, 20409, `Challenge already ${status}; an answered challenge cannot change`);

export const challengeAttemptsReached = () =>
  new ApiError(429, 60310, 'Challenge verification attempts reached: at most 5 wrong codes per challenge');

/** Device credentials (`token:<JWT>`) whose time window does not hold; the SDKs resync from `Date`. */
export const deviceTokenOutOfTime = () =>
  new ApiError(401, 20003, 'Authenticate: the device token is expired or not yet valid', {
    'WWW-Authenticate': 'Basic realm="Twilio API"',
    Date: new Date().toUTCString(),
  });
