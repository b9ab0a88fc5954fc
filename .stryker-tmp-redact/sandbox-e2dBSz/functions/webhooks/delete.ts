// @ts-nocheck
import { deleteWebhook } from '../../shared/app/webhooks';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { webhookKey } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal }) => {
    const key = webhookKey(path, principal);
    await deleteWebhook(deps, key.accountSid, key.serviceSid, key.sid);
    return noContent();
  });

export const handler = fromEnvironment(build);
