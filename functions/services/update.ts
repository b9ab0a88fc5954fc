import * as z from 'zod/mini';
import { notFound } from '../../shared/domain/errors';
import { updateService } from '../../shared/domain/service';
import { apiHandler } from '../../shared/http/api-handler';
import { text } from '../../shared/http/params';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams, serviceSettings } from '../../shared/http/schemas';
import { serviceStore } from '../../shared/store';

const services = serviceStore();

export const handler = apiHandler(async ({ pathParams: path, form, principal, baseUrl }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  const changes = serviceSettings(form, z.optional(text(32)));
  const current = await services.get(principal.accountSid, ServiceSid);
  if (!current) throw notFound();
  const service = updateService(current, changes, new Date());
  if (!(await services.update(service))) throw notFound();
  return ok(serviceJson(service, baseUrl));
});
