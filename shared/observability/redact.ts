/**
 * The last guard before a log line leaves the function. Log lines are built from chosen fields (never a
 * request body, a header or a stored item), so nothing secret should reach this point; this catches what a
 * future change lets slip: a field whose name says it holds a secret loses its value, and strings are
 * scanned for the shapes of the secrets this service handles. Every scan is linear in the input.
 */

export const REDACTED = '[REDACTED]';

/** Field names (lower case, without `_`/`-`) whose values are never logged, whatever they hold. */
const SECRET_NAMES = new Set([
  'code',
  'otp',
  'totp',
  'pin',
  'payload',
  'body',
  'headers',
  'binding',
  'assertion',
  'credentials',
]);
/** Parts of field names that mark a secret: `auth_token`, `authPayload`, `private_key`, `Authorization`… */
const SECRET_NAME_PARTS = [
  'secret',
  'token',
  'password',
  'authoriz',
  'authpayload',
  'jwt',
  'sealed',
  'privatekey',
  'signature',
  'cookie',
];

/** Whether a field of this name may carry a secret. */
export function isSecretName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_NAMES.has(normalized) || SECRET_NAME_PARTS.some((part) => normalized.includes(part));
}

/** `Authorization` header values: `Basic …`, `Bearer …`. */
const AUTH_SCHEME = /\b(basic|bearer)(\s+)[A-Za-z0-9+/=._~-]{8,}/gi;
/** A compact JWS/JWT (its header is JSON, so Base64url of `{"` starts it: `eyJ`). */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** A sealed secret (`v1.<wrapped key>.<iv>.<ciphertext>.<tag>`, shared/crypto/secret-sealer.ts). */
const SEALED = /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g;
/** Runs of letters and digits, each judged whole below. */
const WORD = /[A-Za-z0-9]+/g;
/** An auth token or API key secret: 32 hex digits on their own (a SID has its two-letter prefix). */
const HEX_SECRET = /^[0-9a-f]{32}$/;
/** A TOTP secret: Base32 (A–Z, 2–7), 16 characters or more, with at least one digit. */
const BASE32_SECRET = /^[A-Z2-7]{16,}$/;

function redactWord(word: string): string {
  if (HEX_SECRET.test(word)) return REDACTED;
  if (BASE32_SECRET.test(word) && /[2-7]/.test(word)) return REDACTED;
  return word;
}

/** The string with every secret-shaped part replaced by `[REDACTED]`. */
export function redactString(text: string): string {
  return text
    .replace(AUTH_SCHEME, `$1$2${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SEALED, REDACTED)
    .replace(WORD, redactWord);
}

/** Deeper than any log field needs: anything below is replaced, which also ends cycles. */
const MAX_DEPTH = 8;

/**
 * A copy of `value` fit for a log line: values of secret-named fields replaced (booleans and null kept:
 * they cannot carry a secret, and `tokenInvalidated: true` says something), every string scanned, errors
 * as `{ name, message, stack }`.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (value instanceof Error) {
    return redact({ name: value.name, message: value.message, stack: value.stack }, depth + 1);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const keep = field === null || typeof field === 'boolean' || !isSecretName(name);
    copy[name] = keep ? redact(field, depth + 1) : REDACTED;
  }
  return copy;
}
