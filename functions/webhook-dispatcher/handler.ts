import type { SQSEvent } from 'aws-lambda';
import { dispatchWebhookEvents } from '../../shared/app/webhooks-dispatch';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { sqsWebhookQueue } from '../../shared/events/sqs';
import { observedBatchHandler } from '../../shared/observability/handler';

/**
 * The webhook events queue (factor.created|verified|deleted, challenge.approved|denied, routed by an
 * EventBridge rule) → one delivery message per matching webhook on the delivery queue.
 */
export const build = (deps: Dependencies) => {
  const dispatchDeps = {
    webhooks: deps.webhooks,
    get queue() {
      return deps.webhookQueue;
    },
    now: deps.now,
  };
  return observedBatchHandler('WebhookDispatcher', deps.config, async (event: SQSEvent, _context?: unknown) =>
    dispatchWebhookEvents(event.Records, dispatchDeps),
  );
};

export const handler = fromEnvironment(build, { webhookQueue: sqsWebhookQueue });
