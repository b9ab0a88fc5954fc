import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { assertTokenWithin, listJson, listRequest } from '../../shared/http/lists';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { entityStore, factorStore } from '../../shared/store';
import { Keys } from '../../shared/store/keys';

const entities = entityStore();
const factors = factorStore();

export const handler = apiHandler(async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
  const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  const request = listRequest(query);
  assertTokenWithin(request, Keys.factorsOf(principal.accountSid, ServiceSid, Identity).skPrefix);
  const [entity, page] = await Promise.all([
    entities.get(principal.accountSid, ServiceSid, Identity),
    factors.list(principal.accountSid, ServiceSid, Identity, request),
  ]);
  if (!entity) throw notFound();
  const records = page.items.map((factor) => factorJson(factor, baseUrl));
  return ok(listJson('factors', records, page, request, `${baseUrl}${listPath}`));
});
