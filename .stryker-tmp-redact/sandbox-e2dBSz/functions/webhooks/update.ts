// @ts-nocheck
import { updateWebhook } from '../../shared/app/webhooks';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { webhookJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { webhookInput, webhookKey } from '../../shared/http/schemas';

/** Every parameter optional; a disabled webhook gets nothing from the moment the change is stored. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const key = webhookKey(path, principal);
    const input = webhookInput(form);
    const webhook = await updateWebhook(deps, { allowHttp: deps.config.webhookAllowHttp }, key, input);
    return ok(webhookJson(webhook, baseUrl));
  });

export const handler = fromEnvironment(build);
