// @ts-nocheck
import { createWebhook } from '../../shared/app/webhooks';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { webhookJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams, webhookInput } from '../../shared/http/schemas';

/** `POST /v2/Services/{ServiceSid}/Webhooks`: FriendlyName, EventTypes (repeated) and WebhookUrl required. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const webhook = await createWebhook(
      deps,
      { allowHttp: deps.config.webhookAllowHttp },
      { accountSid: principal.accountSid, serviceSid: ServiceSid },
      webhookInput(form),
    );
    return created(webhookJson(webhook, baseUrl));
  });

export const handler = fromEnvironment(build);
