import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../shared/config';
import { sqsWebhookQueue } from '../../../shared/events/sqs';
import { SqsWebhookQueue } from '../../../shared/events/sqs-queue';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());
const queue = () => new SqsWebhookQueue(new SQSClient({}), 'https://sqs/deliveries', 'https://sqs/dead');

describe('the SQS webhook queue', () => {
  it('sends in batches of 10 with each delay in whole seconds, at most 900', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const messages = Array.from({ length: 23 }, (_, i) => ({ body: `m${i}`, delayMs: i * 100_000 + 1 }));
    expect(await queue().send(messages)).toEqual([]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((input) => input.QueueUrl === 'https://sqs/deliveries')).toBe(true);
    const entries = calls.flatMap((input) => input.Entries!);
    expect(entries[0]).toEqual({ Id: '0', MessageBody: 'm0', DelaySeconds: 1 });
    expect(entries[5]!.DelaySeconds).toBe(501);
    expect(entries[22]!.DelaySeconds).toBe(900);
  });

  it('returns the indexes of the entries SQS refused, and of a batch whose call failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '3', SenderFault: false, Code: 'InternalError' }] })
      .rejectsOnce(new Error('throttled'));
    const messages = Array.from({ length: 12 }, (_, i) => ({ body: `m${i}`, delayMs: 0 }));
    expect(await queue().send(messages)).toEqual([3, 10, 11]);
  });

  it('sends a dead letter to the dead-letter queue', async () => {
    sqs.on(SendMessageCommand).resolves({});
    await queue().deadLetter('body');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/dead',
      MessageBody: 'body',
    });
  });

  it('loads the SQS client on first use, then sends and dead-letters through the configured queues', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const config = {
      webhookQueueUrl: 'https://sqs/q',
      webhookDeadLetterQueueUrl: 'https://sqs/dlq',
    } as Config;
    const lazy = sqsWebhookQueue({ config });
    expect(await lazy.send([{ body: 'm', delayMs: 0 }])).toEqual([]);
    await lazy.deadLetter('gone');
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe('https://sqs/q');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/dlq',
      MessageBody: 'gone',
    });
  });

  it('refuses to be built without its queue URLs, before any use', () => {
    expect(() => sqsWebhookQueue({ config: {} as Config })).toThrow(/webhookQueueUrl|WEBHOOK_QUEUE_URL/);
  });
});
