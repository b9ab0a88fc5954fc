import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { assertTokenWithin, listJson, listRequest } from '../../shared/http/lists';
import { entityJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { serviceStore, entityStore } from '../../shared/store';
import { Keys } from '../../shared/store/keys';

const services = serviceStore();
const entities = entityStore();

export const handler = apiHandler(async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  const request = listRequest(query);
  assertTokenWithin(request, Keys.entitiesOf(principal.accountSid, ServiceSid).skPrefix);
  const [service, page] = await Promise.all([
    services.get(principal.accountSid, ServiceSid),
    entities.list(principal.accountSid, ServiceSid, request),
  ]);
  if (!service) throw notFound();
  const records = page.items.map((entity) => entityJson(entity, baseUrl));
  return ok(listJson('entities', records, page, request, `${baseUrl}${listPath}`));
});
