import { hashSecret, isWellFormedSecret, secretMatches } from '../../domain/credentials';
import { sidPattern } from '../../domain/sid';
import { accountStore } from '../../store';
import type { Authenticator } from '.';

const REMEMBER_MS = Number(process.env.CREDENTIAL_CACHE_TTL_MS ?? 60_000);
/** Compared against when the username is unknown, so that case costs the same hash and comparison. */
const UNKNOWN_SECRET_HASH = hashSecret('unknown');
const ACCOUNT_SID = sidPattern('AC');
const API_KEY_SID = sidPattern('SK');

/**
 * `AccountSid:AuthToken`, or an API key `SK…:secret`, checked in constant time against stored hashes. A
 * malformed SID or secret is not accepted, so it is refused without a read (and never reaches DynamoDB).
 */
export const accountCredentials: Authenticator = {
  accepts: ({ username, password }) =>
    (ACCOUNT_SID.test(username) || API_KEY_SID.test(username)) && isWellFormedSecret(password),
  async verify({ username, password }, now) {
    const accounts = accountStore();
    const owner = ACCOUNT_SID.test(username)
      ? await accounts.getAccount(username).then((a) => a && { accountSid: a.sid, hash: a.authTokenHash })
      : await accounts.getApiKey(username).then((k) => k && { accountSid: k.accountSid, hash: k.secretHash });
    if (!secretMatches(password, owner?.hash ?? UNKNOWN_SECRET_HASH) || !owner) return undefined;
    return {
      principal: { kind: 'account', accountSid: owner.accountSid },
      rememberUntil: now.getTime() + REMEMBER_MS,
    };
  },
};
