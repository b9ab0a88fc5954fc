import { createHash } from 'node:crypto';
import type { AccountStore } from '../app/ports';
import { hashSecret, parseBasicAuthorization, secretMatches } from '../domain/credentials';
import { unauthenticated } from '../domain/errors';
import { sidPattern } from '../domain/sid';

/**
 * Who is calling. Account credentials (`AC…:auth token`) and API keys (`SK…:secret`) act for their account.
 * The Verify Push SDKs' device credentials (`token:<JWT>`) will add a second kind here.
 */
export type Principal = { kind: 'account'; accountSid: string };

const CACHE_TTL_MS = Number(process.env.CREDENTIAL_CACHE_TTL_MS ?? 60_000);
const CACHE_LIMIT = 1000;
/** Verified credentials, keyed by a hash of the whole header value, so a warm function skips the lookup. */
const verified = new Map<string, { principal: Principal; expires: number }>();
/** Compared against when the username is unknown, so that case costs the same hash and comparison. */
const UNKNOWN_SECRET_HASH = hashSecret('unknown');

const ACCOUNT_SID = sidPattern('AC');
const API_KEY_SID = sidPattern('SK');

export async function authenticate(
  authorization: string | undefined,
  accounts: AccountStore,
): Promise<Principal> {
  const credentials = parseBasicAuthorization(authorization);
  if (!credentials) throw unauthenticated();
  const cacheKey = createHash('sha256').update(authorization!).digest('base64');
  const hit = verified.get(cacheKey);
  if (hit && hit.expires > Date.now()) return hit.principal;

  const { username, password } = credentials;
  let principal: Principal | undefined;
  if (ACCOUNT_SID.test(username)) {
    const account = await accounts.getAccount(username);
    if (secretMatches(password, account?.authTokenHash ?? UNKNOWN_SECRET_HASH) && account) {
      principal = { kind: 'account', accountSid: account.sid };
    }
  } else if (API_KEY_SID.test(username)) {
    const apiKey = await accounts.getApiKey(username);
    if (secretMatches(password, apiKey?.secretHash ?? UNKNOWN_SECRET_HASH) && apiKey) {
      principal = { kind: 'account', accountSid: apiKey.accountSid };
    }
  }
  if (!principal) throw unauthenticated();

  if (verified.size >= CACHE_LIMIT) verified.clear();
  verified.set(cacheKey, { principal, expires: Date.now() + CACHE_TTL_MS });
  return principal;
}

/** For tests: forget every cached credential. */
export const clearCredentialCache = () => verified.clear();
