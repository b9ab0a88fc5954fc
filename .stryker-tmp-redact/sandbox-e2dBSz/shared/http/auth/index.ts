// @ts-nocheck
import { createHash } from 'node:crypto';
import type { Principal } from '../../app/principal';
import type { Config } from '../../config';
import { parseBasicAuthorization, type BasicCredentials } from '../../domain/credentials';
import { tooManyRequests, unauthenticated } from '../../domain/errors';
import type { Dependencies } from '../../dependencies';

export type { Principal } from '../../app/principal';

/** What a credential check may use. */
export type AuthDeps = Pick<Dependencies, 'accounts' | 'factors' | 'accessTokens' | 'config'>;

/** One kind of credential. A route lists the kinds it accepts. */
export interface Authenticator {
  /** Whether the credentials have this kind's shape; a malformed credential is refused without a read. */
  accepts(credentials: BasicCredentials): boolean;
  /** The principal, and until when it may be remembered (ms epoch; 0 = never), or undefined. */
  verify(
    credentials: BasicCredentials,
    now: Date,
  ): Promise<{ principal: Principal; rememberUntil: number } | undefined>;
}

/** A credential kind, built with the stores it reads. */
export type AuthenticatorKind = (deps: AuthDeps) => Authenticator;

const CACHE_LIMIT = 1000;
/**
 * Verified credentials and recently refused ones, keyed by a hash of the whole header value: a warm
 * function skips the lookup for both. Entries live `CREDENTIAL_CACHE_TTL_MS` (5 s by default), so a
 * deleted factor's device key or a rotated auth token stops working on every warm instance within that.
 */
const verified = new Map<string, { principal: Principal; expires: number }>();
const refused = new Map<string, number>();

function remember<V>(map: Map<string, V>, key: string, value: V) {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export async function authenticate(
  authorization: string | undefined,
  authenticators: readonly Authenticator[],
  config: Pick<Config, 'credentialCacheTtlMs'>,
  now: Date,
): Promise<Principal> {
  const credentials = parseBasicAuthorization(authorization);
  const authenticator = credentials && authenticators.find((candidate) => candidate.accepts(credentials));
  if (!credentials || !authenticator) throw unauthenticated();
  const cacheKey = createHash('sha256').update(authorization!).digest('base64');
  const time = now.getTime();
  const hit = verified.get(cacheKey);
  if (hit && hit.expires > time) return hit.principal;
  if ((refused.get(cacheKey) ?? 0) > time) throw unauthenticated();

  const result = await authenticator.verify(credentials, now);
  if (!result) {
    if (config.credentialCacheTtlMs > 0) remember(refused, cacheKey, time + config.credentialCacheTtlMs);
    throw unauthenticated();
  }
  const expires = Math.min(result.rememberUntil, time + config.credentialCacheTtlMs);
  if (expires > time) remember(verified, cacheKey, { principal: result.principal, expires });
  return result.principal;
}

/** For tests: forget every remembered credential and rate. */
export const clearCredentialCache = () => {
  verified.clear();
  refused.clear();
  buckets.clear();
};

/**
 * An approximate per-account request limit: a token bucket per account in each warm function instance
 * (`ACCOUNT_RATE_LIMIT` requests per second, bursts of twice that). It costs no read; across N concurrent
 * instances an account gets up to N times the rate. The WAF's per-IP rule limits anonymous traffic.
 */
const buckets = new Map<string, { tokens: number; at: number }>();

export function takeRequestToken(accountSid: string, config: Pick<Config, 'accountRateLimit'>, now: Date) {
  const rate = config.accountRateLimit;
  if (rate === 0) return;
  const time = now.getTime();
  const burst = rate * 2;
  const bucket = buckets.get(accountSid) ?? { tokens: burst, at: time };
  bucket.tokens = Math.min(burst, bucket.tokens + ((time - bucket.at) / 1000) * rate);
  bucket.at = time;
  if (bucket.tokens < 1) throw tooManyRequests();
  bucket.tokens -= 1;
  if (!buckets.has(accountSid)) remember(buckets, accountSid, bucket);
}
