// @ts-nocheck
import { hashSecret, secretMatches } from '../../domain/credentials';
import { sidPattern } from '../../domain/sid';
import type { AuthenticatorKind } from '.';

/** Compared against when the username is unknown, so that case costs the same hash and comparison. */
const UNKNOWN_SECRET_HASH = hashSecret('unknown');
const ACCOUNT_SID = sidPattern('AC');
const API_KEY_SID = sidPattern('SK');
/** Auth tokens and API key secrets are 128 random bits as 32 hex digits; anything else cannot match. */
const SECRET = /^[0-9a-f]{32}$/;

/** `AccountSid:AuthToken`, or an API key `SK…:secret`, checked in constant time against stored hashes. */
export const accountCredentials: AuthenticatorKind = ({ accounts }) => ({
  accepts: ({ username, password }) =>
    (ACCOUNT_SID.test(username) || API_KEY_SID.test(username)) && SECRET.test(password),
  async verify({ username, password }) {
    const owner = ACCOUNT_SID.test(username)
      ? await accounts.getAccount(username).then((a) => a && { accountSid: a.sid, hash: a.authTokenHash })
      : await accounts.getApiKey(username).then((k) => k && { accountSid: k.accountSid, hash: k.secretHash });
    if (!secretMatches(password, owner?.hash ?? UNKNOWN_SECRET_HASH) || !owner) return undefined;
    return {
      principal: { kind: 'account', accountSid: owner.accountSid },
      rememberUntil: Number.POSITIVE_INFINITY,
    };
  },
});
