// @ts-nocheck
import { newAccessToken, type AccessToken } from '../domain/access-token';
import { notFound } from '../domain/errors';
import type { AppDeps } from './ports';

type Deps = Pick<AppDeps, 'services' | 'accessTokens' | 'now'>;

/** An enrollment token for the Verify Push SDKs: creates one push factor for one entity, once. */
export async function createAccessToken(
  deps: Deps,
  input: Pick<AccessToken, 'accountSid' | 'serviceSid' | 'identity' | 'factorFriendlyName' | 'ttl'>,
) {
  if (!(await deps.services.get(input.accountSid, input.serviceSid))) throw notFound();
  const { accessToken, token } = newAccessToken(input, deps.now());
  await deps.accessTokens.create(accessToken);
  return { accessToken, token };
}

/** An access token of the account's live service; its `token` is not stored and cannot be read back. */
export async function getAccessToken(deps: Deps, accountSid: string, serviceSid: string, sid: string) {
  // The token is not below its service in the table: a service being deleted is checked (in parallel).
  const [token, service] = await Promise.all([
    deps.accessTokens.get(sid),
    deps.services.get(accountSid, serviceSid),
  ]);
  if (!token || !service || token.accountSid !== accountSid || token.serviceSid !== serviceSid) {
    throw notFound();
  }
  return token;
}
