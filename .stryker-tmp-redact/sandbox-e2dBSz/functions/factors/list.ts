// @ts-nocheck
import { listFactors } from '../../shared/app/factors';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { listJson, listRequest } from '../../shared/http/lists';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
    const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
    const request = listRequest(query);
    const owner = { accountSid: principal.accountSid, serviceSid: ServiceSid, identity: Identity };
    const page = await listFactors(deps, owner, request);
    const records = page.items.map((factor) => factorJson(factor, baseUrl));
    return ok(listJson('factors', records, page, request, `${baseUrl}${listPath}`));
  });

export const handler = fromEnvironment(build);
