// @ts-nocheck
import { createService } from '../../shared/app/services';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { text } from '../../shared/http/params';
import { serviceJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { serviceSettings } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ form, principal, baseUrl }) => {
    const { friendlyName, ...settings } = serviceSettings(form, text(32));
    const service = await createService(deps, principal.accountSid, {
      ...settings,
      friendlyName: friendlyName!,
    });
    return created(serviceJson(service, baseUrl));
  });

export const handler = fromEnvironment(build);
