// @ts-nocheck
import { accessTokenExpired, accessTokenSid } from '../../domain/access-token';
import { secretMatches } from '../../domain/credentials';
import type { AuthenticatorKind } from '.';

/**
 * The enrollment token a backend got from `POST …/AccessTokens`, sent by the SDKs as `token:<token>` when
 * they create a push factor. Never remembered: it is spent in the transaction that creates the factor
 * (single use; a refused creation does not spend it).
 */
export const enrollmentCredentials: AuthenticatorKind = ({ accessTokens }) => ({
  accepts: ({ username, password }) => username === 'token' && accessTokenSid(password) !== undefined,
  async verify({ password }, now) {
    const token = await accessTokens.get(accessTokenSid(password)!);
    if (!token || !secretMatches(password, token.tokenHash) || token.used || accessTokenExpired(token, now)) {
      return undefined;
    }
    const { accountSid, serviceSid, identity, factorFriendlyName, sid } = token;
    return {
      principal: { kind: 'enrollment', accountSid, serviceSid, identity, factorFriendlyName, tokenSid: sid },
      rememberUntil: 0,
    };
  },
});
