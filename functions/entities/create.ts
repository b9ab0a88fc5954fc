import { newEntity } from '../../shared/domain/entity';
import { conflict, notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { parseParams } from '../../shared/http/params';
import { entityJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { identity, pathParams } from '../../shared/http/schemas';
import { entityStore } from '../../shared/store';

const entities = entityStore();

export const handler = apiHandler(async ({ pathParams: path, form, principal, baseUrl }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  const { Identity } = parseParams(form, { Identity: identity() });
  const entity = newEntity(principal.accountSid, ServiceSid, Identity, new Date());
  const outcome = await entities.create(entity);
  if (outcome === 'no-service') throw notFound();
  if (outcome === 'exists') throw conflict(`Entity ${Identity} already exists`);
  return created(entityJson(entity, baseUrl));
});
