// @ts-nocheck
import { deleteService } from '../../shared/app/services';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    await deleteService(deps, principal.accountSid, ServiceSid, deps.config.deleteBudgetMs);
    return noContent();
  });

export const handler = fromEnvironment(build);
