// @ts-nocheck
import { listWebhooks } from '../../shared/app/webhooks';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { listJson, listRequest } from '../../shared/http/lists';
import { webhookJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, query, principal, baseUrl, path: requestPath }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const request = listRequest(query);
    const page = await listWebhooks(deps, principal.accountSid, ServiceSid, request);
    const records = page.items.map((webhook) => webhookJson(webhook, baseUrl));
    return ok(listJson('webhooks', records, page, request, `${baseUrl}${requestPath}`));
  });

export const handler = fromEnvironment(build);
