// @ts-nocheck
import { getPushCredential } from '../../shared/app/push-credentials';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { pushCredentialJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal, baseUrl }) => {
    const { PushCredentialSid } = pathParams(path, { Sid: 'PushCredentialSid' });
    const credential = await getPushCredential(deps, principal.accountSid, PushCredentialSid);
    return ok(pushCredentialJson(credential, baseUrl));
  });

export const handler = fromEnvironment(build);
