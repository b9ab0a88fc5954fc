// @ts-nocheck
import { listServices } from '../../shared/app/services';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { listJson, listRequest } from '../../shared/http/lists';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ query, principal, baseUrl, path }) => {
    const request = listRequest(query);
    const page = await listServices(deps, principal.accountSid, request);
    const records = page.items.map((service) => serviceJson(service, baseUrl));
    return ok(listJson('services', records, page, request, `${baseUrl}${path}`));
  });

export const handler = fromEnvironment(build);
