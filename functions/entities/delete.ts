import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { entityStore } from '../../shared/store';

const entities = entityStore();

export const handler = apiHandler(async ({ pathParams: path, principal }) => {
  const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  if (!(await entities.delete(principal.accountSid, ServiceSid, Identity))) throw notFound();
  return noContent();
});
