// @ts-nocheck
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { QueuedMessage, WebhookQueue } from '../../shared/app/ports';
import type { Config } from '../../shared/config';
import { createWebhookHttp } from '../../shared/webhooks';
import { startLocalQueue, type LocalQueue } from './push-queue';

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** SQS's redelivery of a message whose handler failed (a store error), as for the push queue. */
const REDELIVERY_MS = 2_000;
const MAX_RECEIVES = 5;

export interface LocalWebhooks {
  /** The delivery queue (in process, with SQS's per-message delays). */
  queue: WebhookQueue;
  /** Real HTTP, with the configuration's timeouts and address rules. */
  http: ReturnType<typeof createWebhookHttp>;
  /** The dispatcher's queue, fed by the event sink (the local rule); started by `start`. */
  events?: LocalQueue;
  deadLetterFile: string;
  stats: { queued: number; deliveries: number; deadLetters: number };
  start(dispatcher: Handler, delivery: Handler): void;
  /** Resolves when nothing is queued, delayed or in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const sqsRecord = (id: string, body: string, receiveCount: number) =>
  ({
    messageId: id,
    receiptHandle: `${id}/${receiveCount}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:webhook-deliveries',
    awsRegion: 'local',
  }) as unknown as SQSRecord;

/**
 * Webhooks for `npm start`: the event sink's webhook events go to an in-process queue feeding the
 * dispatcher (as the EventBridge rule and SQS do on AWS); the dispatcher's messages and the delivery's
 * retries go to an in-process delivery queue that honours each message's delay; deliveries are real HTTP
 * requests to the webhook's URL. Messages that give up land in `<dir>/webhook-dead-letters.jsonl`.
 */
export function startLocalWebhooks(options: {
  config: Config;
  dir: string;
  log?: (line: string) => void;
}): LocalWebhooks {
  const { config, log = console.log } = options;
  const deadLetterFile = join(options.dir, 'webhook-dead-letters.jsonl');
  const http = createWebhookHttp({
    connectTimeoutMs: config.webhookConnectTimeoutMs,
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateAddresses: config.webhookAllowPrivateAddresses,
  });
  const stats = { queued: 0, deliveries: 0, deadLetters: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let stopped = false;
  let delivery: Handler | undefined;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0 || timers.size > 0) return;
    for (const waiter of waiters) waiter();
    waiters = [];
  };
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const appendDeadLetter = (body: string) => {
    mkdirSync(dirname(deadLetterFile), { recursive: true, mode: 0o700 });
    appendFileSync(deadLetterFile, `${body}\n`, { mode: 0o600 });
    stats.deadLetters++;
  };
  const deliver = async (id: string, body: string, receiveCount: number) => {
    if (stopped || !delivery) return;
    inFlight++;
    stats.deliveries++;
    let failed: boolean;
    try {
      failed =
        (await delivery({ Records: [sqsRecord(id, body, receiveCount)] })).batchItemFailures.length > 0;
    } catch (error) {
      log(`webhooks: the delivery failed: ${String(error)}`);
      failed = true;
    }
    inFlight--;
    if (failed && !stopped) {
      if (receiveCount >= MAX_RECEIVES) appendDeadLetter(body);
      else later(REDELIVERY_MS, () => void deliver(id, body, receiveCount + 1));
    }
    settle();
  };
  const queue: WebhookQueue = {
    send: async (messages: QueuedMessage[]) => {
      for (const message of messages) {
        stats.queued++;
        const id = randomUUID();
        later(message.delayMs, () => void deliver(id, message.body, 1));
      }
      return [];
    },
    deadLetter: async (body) => appendDeadLetter(body),
  };
  const local: LocalWebhooks = {
    queue,
    http,
    deadLetterFile,
    stats,
    start(dispatcher, deliveryHandler) {
      delivery = deliveryHandler;
      local.events = startLocalQueue({
        handler: dispatcher,
        maxReceives: MAX_RECEIVES,
        retryDelayMs: REDELIVERY_MS,
        deadLetterFile: join(options.dir, 'webhook-event-dead-letters.jsonl'),
        log,
      });
    },
    idle: async () => {
      for (;;) {
        await local.events?.idle();
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          settle();
        });
        // A dispatch may have queued deliveries after the delivery queue went idle, and the reverse.
        if (inFlight === 0 && timers.size === 0) return;
      }
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await local.events?.stop();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
      http.close();
    },
  };
  return local;
}
