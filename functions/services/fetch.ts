import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { serviceStore } from '../../shared/store';

const services = serviceStore();

export const handler = apiHandler(async ({ pathParams: path, principal, baseUrl }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  const service = await services.get(principal.accountSid, ServiceSid);
  if (!service) throw notFound();
  return ok(serviceJson(service, baseUrl));
});
