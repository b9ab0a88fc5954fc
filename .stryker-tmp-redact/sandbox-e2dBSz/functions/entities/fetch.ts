// @ts-nocheck
import { getEntity } from '../../shared/app/entities';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { entityJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal, baseUrl }) => {
    const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
    return ok(entityJson(await getEntity(deps, principal.accountSid, ServiceSid, Identity), baseUrl));
  });

export const handler = fromEnvironment(build);
