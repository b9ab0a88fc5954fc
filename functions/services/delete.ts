import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { serviceStore } from '../../shared/store';

const services = serviceStore();

export const handler = apiHandler(async ({ pathParams: path, principal }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  if (!(await services.delete(principal.accountSid, ServiceSid))) throw notFound();
  return noContent();
});
