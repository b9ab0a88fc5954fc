import type { WebhookTransport } from '../app/ports';
import type { Config } from '../config';
import { createWebhookHttp } from './http';

export { createWebhookHttp } from './http';
export { isPublicAddress } from './addresses';

/** The webhook sender for the configuration's timeouts and address rules; one per function instance. */
export const webhookTransport = ({ config }: { config: Config }): WebhookTransport =>
  createWebhookHttp({
    connectTimeoutMs: config.webhookConnectTimeoutMs,
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateAddresses: config.webhookAllowPrivateAddresses,
  });
