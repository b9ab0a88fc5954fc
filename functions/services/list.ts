import { apiHandler } from '../../shared/http/api-handler';
import { assertTokenWithin, listJson, listRequest } from '../../shared/http/lists';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { serviceStore } from '../../shared/store';
import { Keys } from '../../shared/store/keys';

const services = serviceStore();

export const handler = apiHandler(async ({ query, principal, baseUrl, path }) => {
  const request = listRequest(query);
  assertTokenWithin(request, Keys.servicesOf(principal.accountSid).skPrefix);
  const page = await services.list(principal.accountSid, request);
  const records = page.items.map((service) => serviceJson(service, baseUrl));
  return ok(listJson('services', records, page, request, `${baseUrl}${path}`));
});
