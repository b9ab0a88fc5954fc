import { createHash } from 'node:crypto';
import { parseBasicAuthorization, type BasicCredentials } from '../../domain/credentials';
import { unauthenticated } from '../../domain/errors';

/**
 * Who is calling. Account credentials (`AC…:auth token`) and API keys (`SK…:secret`) act for their account;
 * a device (`token:<JWT signed by a push factor's key>`) acts only for its own factor; an enrollment token
 * (`token:<access token>`) only creates one push factor for one entity.
 */
export type Principal =
  | { kind: 'account'; accountSid: string }
  | { kind: 'device'; accountSid: string; serviceSid: string; identity: string; factorSid: string }
  | {
      kind: 'enrollment';
      accountSid: string;
      serviceSid: string;
      identity: string;
      factorFriendlyName: string | null;
      tokenSid: string;
    };

/** One kind of credential. A route lists the kinds it accepts. */
export interface Authenticator {
  accepts(credentials: BasicCredentials): boolean;
  /** The principal, and until when it may be remembered (ms epoch; 0 = never), or undefined. */
  verify(
    credentials: BasicCredentials,
    now: Date,
  ): Promise<{ principal: Principal; rememberUntil: number } | undefined>;
}

const CACHE_LIMIT = 1000;
/** Verified credentials, keyed by a hash of the whole header value, so a warm function skips the lookup. */
const verified = new Map<string, { principal: Principal; expires: number }>();

export async function authenticate(
  authorization: string | undefined,
  authenticators: readonly Authenticator[],
  now = new Date(),
): Promise<Principal> {
  const credentials = parseBasicAuthorization(authorization);
  if (!credentials) throw unauthenticated();
  const cacheKey = createHash('sha256').update(authorization!).digest('base64');
  const hit = verified.get(cacheKey);
  if (hit && hit.expires > now.getTime() && authenticators.some((a) => a.accepts(credentials)))
    return hit.principal;

  const authenticator = authenticators.find((candidate) => candidate.accepts(credentials));
  const result = authenticator && (await authenticator.verify(credentials, now));
  if (!result) throw unauthenticated();
  if (result.rememberUntil > now.getTime()) {
    if (verified.size >= CACHE_LIMIT) verified.clear();
    verified.set(cacheKey, { principal: result.principal, expires: result.rememberUntil });
  }
  return result.principal;
}

/** For tests: forget every remembered credential. */
export const clearCredentialCache = () => verified.clear();
