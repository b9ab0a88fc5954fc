// @ts-nocheck
import { createEntity } from '../../shared/app/entities';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { parseParams } from '../../shared/http/params';
import { entityJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { identity, pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const { Identity } = parseParams(form, { Identity: identity() });
    return created(entityJson(await createEntity(deps, principal.accountSid, ServiceSid, Identity), baseUrl));
  });

export const handler = fromEnvironment(build);
