// @ts-nocheck
import { accountTokenContext, type Account } from '../domain/credentials';
import type { AppDeps } from './ports';

type Deps = Pick<AppDeps, 'accounts' | 'tokenSealer'>;

/**
 * Stores an account (new, or with a rotated token): the token's hash for authentication and, beside it, the
 * token sealed under its own KMS purpose, which webhook signing opens. From then on webhooks are signed
 * with this token.
 */
export async function saveAccount(deps: Deps, account: Account, authToken: string) {
  const sealedAuthToken = await deps.tokenSealer.seal(authToken, accountTokenContext(account.sid));
  await deps.accounts.putAccount({ ...account, sealedAuthToken });
}

/** The account's auth token, or why it cannot be had. */
export async function openAuthToken(
  deps: Deps,
  accountSid: string,
): Promise<{ token: string } | { missing: 'account' | 'sealed-token' }> {
  const account = await deps.accounts.getAccount(accountSid);
  if (!account) return { missing: 'account' };
  if (!account.sealedAuthToken) return { missing: 'sealed-token' };
  return { token: await deps.tokenSealer.open(account.sealedAuthToken, accountTokenContext(accountSid)) };
}
