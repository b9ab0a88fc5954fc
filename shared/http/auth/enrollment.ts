import { accessTokenExpired, accessTokenSid } from '../../domain/access-token';
import { secretMatches } from '../../domain/credentials';
import { accessTokenStore } from '../../store';
import type { Authenticator } from '.';

/** `newAccessToken`'s shape: the SID, a dot, 32 random bytes in Base64url. Anything else is refused unread. */
const ENROLLMENT_TOKEN = /^YK[0-9a-fA-F]{32}\.[A-Za-z0-9_-]{43}$/;

/**
 * The enrollment token a backend got from `POST …/AccessTokens`, sent by the SDKs as `token:<token>` when
 * they create a push factor. Never remembered: it is spent in the transaction that creates the factor
 * (single use; a refused creation does not spend it).
 */
export const enrollmentCredentials: Authenticator = {
  accepts: ({ username, password }) => username === 'token' && ENROLLMENT_TOKEN.test(password),
  async verify({ password }, now) {
    const token = await accessTokenStore().get(accessTokenSid(password)!);
    if (!token || !secretMatches(password, token.tokenHash) || token.used || accessTokenExpired(token, now)) {
      return undefined;
    }
    const { accountSid, serviceSid, identity, factorFriendlyName, sid } = token;
    return {
      principal: { kind: 'enrollment', accountSid, serviceSid, identity, factorFriendlyName, tokenSid: sid },
      rememberUntil: 0,
    };
  },
};
