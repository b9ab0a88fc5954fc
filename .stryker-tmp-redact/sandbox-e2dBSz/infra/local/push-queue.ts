// @ts-nocheck
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalEvent } from './event-sink';

export interface LocalQueue {
  /** Sends an event to the queue, as an EventBridge rule's SQS target does. */
  send(event: LocalEvent): void;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  stats: { received: number; deliveries: number; deadLetters: number };
  stop(): Promise<void>;
}

/**
 * The push queue of `npm start`: what SQS does between the rule and the sender on AWS, in process. Each
 * message is handed to `handler` in an SQS event (one message per batch, at once); a message the handler
 * reports in `batchItemFailures` (or that throws) is delivered again after `retryDelayMs`, with its receive
 * count raised, up to `maxReceives` times; then it goes to `deadLetterFile` (one JSON line), as SQS moves
 * it to the dead-letter queue.
 */
export function startLocalQueue(options: {
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  maxReceives: number;
  retryDelayMs: number;
  deadLetterFile: string;
  log?: (line: string) => void;
}): LocalQueue {
  const { handler, maxReceives, retryDelayMs, deadLetterFile, log = console.log } = options;
  const stats = { received: 0, deliveries: 0, deadLetters: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0 || timers.size > 0) return;
    for (const waiter of waiters) waiter();
    waiters = [];
  };

  const deliver = async (event: LocalEvent, receiveCount: number) => {
    if (stopped) return;
    inFlight++;
    stats.deliveries++;
    const record = {
      messageId: `${event.id}`,
      receiptHandle: `${event.id}/${receiveCount}`,
      body: JSON.stringify(event),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:push',
      awsRegion: 'local',
    } as unknown as SQSRecord;
    let failed: boolean;
    try {
      const response = await handler({ Records: [record] });
      failed = response.batchItemFailures.length > 0;
    } catch (error) {
      log(`push queue: the sender failed: ${String(error)}`);
      failed = true;
    }
    inFlight--;
    if (failed && !stopped) {
      if (receiveCount >= maxReceives) {
        mkdirSync(dirname(deadLetterFile), { recursive: true, mode: 0o700 });
        appendFileSync(deadLetterFile, `${JSON.stringify(event)}\n`, { mode: 0o600 });
        stats.deadLetters++;
        log(`push queue: ${String(event.detail.challenge_sid)} moved to ${deadLetterFile}`);
      } else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void deliver(event, receiveCount + 1);
        }, retryDelayMs);
        timers.add(timer);
      }
    }
    settle();
  };

  return {
    stats,
    send: (event) => {
      stats.received++;
      void deliver(event, 1);
    },
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
  };
}
