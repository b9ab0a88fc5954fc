// @ts-nocheck
import * as z from 'zod/mini';
import { updateService } from '../../shared/app/services';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { text } from '../../shared/http/params';
import { serviceJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams, serviceSettings } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const changes = serviceSettings(form, z.optional(text(32)));
    return ok(serviceJson(await updateService(deps, principal.accountSid, ServiceSid, changes), baseUrl));
  });

export const handler = fromEnvironment(build);
