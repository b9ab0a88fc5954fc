import type { WebhookTransport } from '../app/ports';
import type { Config } from '../config';
import { traceHttp } from '../observability/xray';
import { createWebhookHttp } from './http';

export { createWebhookHttp } from './http';
export { isPublicAddress } from './addresses';

/** The webhook sender for the configuration's timeouts and address rules; one per function instance. */
export const webhookTransport = ({ config }: { config: Config }): WebhookTransport => {
  const http = createWebhookHttp({
    connectTimeoutMs: config.webhookConnectTimeoutMs,
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateAddresses: config.webhookAllowPrivateAddresses,
  });
  // Each POST is an X-Ray subsegment named after the receiver's host (its path is never recorded).
  return {
    ...http,
    post: (url, headers, body) =>
      traceHttp(
        url,
        'POST',
        () => http.post(url, headers, body),
        (result) => ('status' in result ? result.status : undefined),
      ),
  };
};
