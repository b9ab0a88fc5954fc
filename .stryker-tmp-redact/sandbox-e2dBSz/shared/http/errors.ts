// @ts-nocheck
import { DomainError, type ErrorKind } from '../domain/errors';

/** Twilio's HTTP status and error code for each kind of failure (the README's error table). */
export const TWILIO_ERRORS: Record<ErrorKind, { status: number; code: number }> = {
  'missing-parameter': { status: 400, code: 20001 },
  'invalid-parameter': { status: 400, code: 60200 },
  'invalid-public-key': { status: 400, code: 60314 },
  'too-many-push-factors': { status: 400, code: 60315 },
  unauthenticated: { status: 401, code: 20003 },
  'device-token-out-of-time': { status: 401, code: 20003 },
  'factor-verification-failed': { status: 403, code: 60311 },
  'factor-not-verified': { status: 403, code: 60318 },
  'challenge-expired': { status: 403, code: 60323 },
  'challenge-verification-failed': { status: 403, code: 60324 },
  'not-found': { status: 404, code: 20404 },
  'method-not-allowed': { status: 405, code: 20004 },
  conflict: { status: 409, code: 20409 },
  'challenge-answered': { status: 409, code: 20409 },
  'body-too-large': { status: 413, code: 20413 },
  'factor-locked': { status: 429, code: 60310 },
  'challenge-attempts-reached': { status: 429, code: 60310 },
  'too-many-requests': { status: 429, code: 20429 },
  // Twilio documents no codes for Notifications; these are this service's choice (README).
  'not-notifiable': { status: 400, code: 60200 },
  'too-many-notifications': { status: 429, code: 60203 },
  'too-many-webhooks': { status: 400, code: 60200 },
  internal: { status: 500, code: 20500 },
};

const BASIC_CHALLENGE = 'Basic realm="Twilio API"';

/** The headers a failure carries: the Basic challenge on 401s, `Allow` on 405s, `Retry-After` on locks. */
function headersOf(error: DomainError, now: Date): Record<string, string> {
  const { kind, detail } = error;
  if (kind === 'unauthenticated') return { 'WWW-Authenticate': BASIC_CHALLENGE };
  if (kind === 'device-token-out-of-time') {
    return { 'WWW-Authenticate': BASIC_CHALLENGE, Date: (detail.serverTime ?? now).toUTCString() };
  }
  if (kind === 'method-not-allowed') return { Allow: (detail.allowed ?? []).join(', ') };
  if (kind === 'too-many-requests') return { 'Retry-After': '1' };
  if (detail.retryAt) {
    return {
      'Retry-After': String(Math.max(1, Math.ceil((detail.retryAt.getTime() - now.getTime()) / 1000))),
    };
  }
  return {};
}

export interface TwilioError {
  status: number;
  code: number;
  message: string;
  headers: Record<string, string>;
}

/** A failure as Twilio reports it; anything that is not a DomainError is a 500 that reveals nothing. */
export function twilioError(error: unknown, path?: string, now = new Date()): TwilioError {
  if (!(error instanceof DomainError)) {
    return { ...TWILIO_ERRORS.internal, message: 'Internal Server Error', headers: {} };
  }
  const message =
    error.kind === 'not-found' && path !== undefined
      ? `The requested resource ${path} was not found`
      : error.message;
  return { ...TWILIO_ERRORS[error.kind], message, headers: headersOf(error, now) };
}
