import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { entityJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { entityStore } from '../../shared/store';

const entities = entityStore();

export const handler = apiHandler(async ({ pathParams: path, principal, baseUrl }) => {
  const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  const entity = await entities.get(principal.accountSid, ServiceSid, Identity);
  if (!entity) throw notFound();
  return ok(entityJson(entity, baseUrl));
});
