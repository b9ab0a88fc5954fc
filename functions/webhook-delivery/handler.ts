import type { SQSEvent } from 'aws-lambda';
import { deliverWebhooks, type DeliveryDeps } from '../../shared/app/webhooks-dispatch';
import { accountTokenSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import { sqsWebhookQueue } from '../../shared/events/sqs';
import { observedBatchHandler } from '../../shared/observability/handler';
import { webhookTransport } from '../../shared/webhooks';

/**
 * The webhook delivery queue → signed POSTs, each retried by putting it back on the queue with a delay
 * until the retry window has passed; then the dead-letter queue and `webhook.delivery_failed`.
 */
export const build = (deps: Dependencies, onAttempt?: DeliveryDeps['onAttempt']) => {
  const deliveryDeps: DeliveryDeps = {
    webhooks: deps.webhooks,
    services: deps.services,
    accounts: deps.accounts,
    get tokenSealer() {
      return deps.tokenSealer;
    },
    get queue() {
      return deps.webhookQueue;
    },
    get transport() {
      return deps.webhookTransport;
    },
    publisher: eventBridgePublisher(deps.config),
    now: deps.now,
    retryBaseMs: deps.config.webhookRetryBaseMs,
    retryWindowMs: deps.config.webhookRetryWindowSeconds * 1000,
    onAttempt,
  };
  return observedBatchHandler('WebhookDelivery', deps.config, async (event: SQSEvent, _context?: unknown) =>
    deliverWebhooks(event.Records, deliveryDeps),
  );
};

export const handler = fromEnvironment((deps) => build(deps), {
  tokenSealer: accountTokenSealer,
  webhookQueue: sqsWebhookQueue,
  webhookTransport,
});
