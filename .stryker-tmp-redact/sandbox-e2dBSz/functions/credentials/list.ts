// @ts-nocheck
import { listPushCredentials } from '../../shared/app/push-credentials';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { listJson, listRequest } from '../../shared/http/lists';
import { pushCredentialJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ query, principal, baseUrl, path }) => {
    const request = listRequest(query);
    const page = await listPushCredentials(deps, principal.accountSid, request);
    const records = page.items.map((credential) => pushCredentialJson(credential, baseUrl));
    return ok(listJson('credentials', records, page, request, `${baseUrl}${path}`));
  });

export const handler = fromEnvironment(build);
