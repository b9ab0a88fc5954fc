// @ts-nocheck
import { deleteEntity } from '../../shared/app/entities';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal }) => {
    const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
    await deleteEntity(deps, principal.accountSid, ServiceSid, Identity, deps.config.deleteBudgetMs);
    return noContent();
  });

export const handler = fromEnvironment(build);
