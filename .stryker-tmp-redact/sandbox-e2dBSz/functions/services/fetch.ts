// @ts-nocheck
import { getService } from '../../shared/app/services';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal, baseUrl }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    return ok(serviceJson(await getService(deps, principal.accountSid, ServiceSid), baseUrl));
  });

export const handler = fromEnvironment(build);
