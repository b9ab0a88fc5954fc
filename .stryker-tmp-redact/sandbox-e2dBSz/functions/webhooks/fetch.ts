// @ts-nocheck
import { getWebhook } from '../../shared/app/webhooks';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { webhookJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { webhookKey } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal, baseUrl }) => {
    const key = webhookKey(path, principal);
    const webhook = await getWebhook(deps, key.accountSid, key.serviceSid, key.sid);
    return ok(webhookJson(webhook, baseUrl));
  });

export const handler = fromEnvironment(build);
