import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedMessage, WebhookQueue } from '../app/ports';
import { MAX_RETRY_DELAY_MS } from '../domain/webhook-request';

const MAX_PER_BATCH = 10;

/** SQS's DelaySeconds: whole seconds, at most 900. */
const delaySeconds = (ms: number) => Math.min(MAX_RETRY_DELAY_MS / 1000, Math.max(0, Math.ceil(ms / 1000)));

/**
 * The webhook delivery queue on SQS: SendMessageBatch, 10 at a time, with each message's delay; the
 * indexes of the entries SQS refused (or of a batch whose call failed) come back for the caller to retry.
 */
export class SqsWebhookQueue implements WebhookQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterUrl: string,
  ) {}

  async send(messages: QueuedMessage[]): Promise<number[]> {
    const failed: number[] = [];
    for (let start = 0; start < messages.length; start += MAX_PER_BATCH) {
      const batch = messages.slice(start, start + MAX_PER_BATCH);
      try {
        const result = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((message, i) => ({
              Id: String(start + i),
              MessageBody: message.body,
              DelaySeconds: delaySeconds(message.delayMs),
            })),
          }),
        );
        failed.push(...(result.Failed ?? []).map((entry) => Number(entry.Id)));
      } catch {
        failed.push(...batch.map((_, i) => start + i));
      }
    }
    return failed;
  }

  async deadLetter(body: string) {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.deadLetterUrl, MessageBody: body }));
  }
}

export { SQSClient };
