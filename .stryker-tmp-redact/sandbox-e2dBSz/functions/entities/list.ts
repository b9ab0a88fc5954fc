// @ts-nocheck
import { listEntities } from '../../shared/app/entities';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { listJson, listRequest } from '../../shared/http/lists';
import { entityJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const request = listRequest(query);
    const page = await listEntities(deps, principal.accountSid, ServiceSid, request);
    const records = page.items.map((entity) => entityJson(entity, baseUrl));
    return ok(listJson('entities', records, page, request, `${baseUrl}${listPath}`));
  });

export const handler = fromEnvironment(build);
