import type { WebhookQueue } from '../app/ports';
import { required, type Config } from '../config';
import { instrumentClient } from '../observability/aws-sdk';

/**
 * The webhook queue on SQS (`sqs-queue.ts`), with the SQS client imported on first use: the delivery sends
 * to SQS only to retry or dead-letter a webhook, so most of its cold starts never load the client (the
 * bundle keeps it in a chunk of its own: `infra/cdk/bundling.ts`).
 */
export const sqsWebhookQueue = ({ config }: { config: Config }): WebhookQueue => {
  const queueUrl = required(config, 'webhookQueueUrl');
  const deadLetterUrl = required(config, 'webhookDeadLetterQueueUrl');
  let queue: Promise<WebhookQueue> | undefined;
  const load = () =>
    (queue ??= import('./sqs-queue').then(
      ({ SqsWebhookQueue, SQSClient }) =>
        new SqsWebhookQueue(instrumentClient(new SQSClient({})), queueUrl, deadLetterUrl),
    ));
  return {
    send: async (messages) => (await load()).send(messages),
    deadLetter: async (body) => (await load()).deadLetter(body),
  };
};
