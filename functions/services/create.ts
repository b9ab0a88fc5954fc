import { createService } from '../../shared/domain/service';
import { apiHandler } from '../../shared/http/api-handler';
import { text } from '../../shared/http/params';
import { serviceJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { serviceSettings } from '../../shared/http/schemas';
import { serviceStore } from '../../shared/store';

const services = serviceStore();

export const handler = apiHandler(async ({ form, principal, baseUrl }) => {
  const { friendlyName, ...settings } = serviceSettings(form, text(32));
  const service = createService(
    principal.accountSid,
    { ...settings, friendlyName: friendlyName! },
    new Date(),
  );
  await services.create(service);
  return created(serviceJson(service, baseUrl));
});
