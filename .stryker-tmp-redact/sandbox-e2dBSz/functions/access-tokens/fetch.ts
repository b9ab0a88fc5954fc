// @ts-nocheck
import { getAccessToken } from '../../shared/app/access-tokens';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accessTokenJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** An access token's record. Only a hash of the token is stored, so `token` is null: it is shown once, at creation. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal, baseUrl }) => {
    const { ServiceSid, AccessTokenSid } = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Sid: 'AccessTokenSid',
    });
    const accessToken = await getAccessToken(deps, principal.accountSid, ServiceSid, AccessTokenSid);
    return ok(accessTokenJson(accessToken, null, baseUrl));
  });

export const handler = fromEnvironment(build);
