import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { notificationFailed, notificationSent, type DeliveryReport } from '../domain/events';
import { formatDate } from '../domain/time';
import type { SendOutcome } from '../push/types';
import {
  deliverNotification,
  type DeliveryDeps,
  type DeliveryRequest,
  type DeliveryResult,
} from './notifications';
import { log as logger } from '../observability/log';
import { count, METRIC } from '../observability/metrics';
import type { EventPublisher } from './ports';

export interface SenderDeps extends DeliveryDeps {
  publisher: EventPublisher;
  /** Deliveries of a message before SQS moves it to the dead-letter queue (the queue's maxReceiveCount). */
  maxAttempts: number;
  /** Replaced in tests; by default a timer. */
  wait?: (ms: number) => Promise<unknown>;
}

/**
 * Retries within one delivery, for a provider's 429 or 5xx: a few, quickly, and only when the provider's
 * Retry-After (if any) is short. Anything longer is left to SQS, which delivers the message again after
 * its visibility timeout, up to `maxAttempts` times, then to the dead-letter queue.
 */
export const IN_PROCESS_RETRIES = { attempts: 3, baseDelayMs: 200, maxWaitMs: 2_000 };

/** The EventBridge envelope of a `notification.requested` event, as the rule's SQS target delivers it. */
const requestedEvent = z.object({
  'detail-type': z.literal('notification.requested'),
  detail: z.object({
    account_sid: z.string(),
    service_sid: z.string(),
    entity_identity: z.string(),
    challenge_sid: z.string(),
    notification_sid: z.nullable(z.string()),
    ttl: z.nullable(z.number()),
  }),
});

function parseRequest(body: string): DeliveryRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = requestedEvent.safeParse(json);
  if (!parsed.success) return undefined;
  const d = parsed.data.detail;
  return {
    accountSid: d.account_sid,
    serviceSid: d.service_sid,
    identity: d.entity_identity,
    challengeSid: d.challenge_sid,
    notificationSid: d.notification_sid,
    ttl: d.ttl,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers, retrying a retryable outcome a few times in process (see IN_PROCESS_RETRIES). */
async function deliverWithRetries(deps: SenderDeps, request: DeliveryRequest): Promise<DeliveryResult> {
  const wait = deps.wait ?? sleep;
  let result = await deliverNotification(deps, request);
  for (let retry = 1; retry < IN_PROCESS_RETRIES.attempts; retry++) {
    if (result.kind !== 'attempted' || result.outcome.kind !== 'retry') break;
    const backoff = IN_PROCESS_RETRIES.baseDelayMs * 2 ** (retry - 1) * (0.5 + Math.random());
    const delay = Math.max(backoff, result.outcome.retryAfterMs ?? 0);
    if (delay > IN_PROCESS_RETRIES.maxWaitMs) break;
    await wait(delay);
    result = await deliverNotification(deps, request);
  }
  return result;
}

const LEVELS = { INFO: logger.info, WARN: logger.warn, ERROR: logger.error };
const log = (level: keyof typeof LEVELS, message: string, fields: Record<string, unknown>) =>
  LEVELS[level](message, fields);

const failureOf = (outcome: Exclude<SendOutcome, { kind: 'sent' }>) => ({
  reason: outcome.reason,
  status: outcome.status ?? null,
});

/**
 * One SQS batch of notification requests → pushes. Each message is delivered independently (in
 * parallel); a message that still meets a retryable failure, or whose event cannot be published, is
 * reported in `batchItemFailures` so SQS delivers it again (at least once: a push whose report was lost is
 * sent again, which the device shows once, as both providers collapse by challenge SID). Permanent
 * failures and dead tokens are reported as `notification.failed` and not retried. Messages that are not
 * notification requests are logged and dropped: they can never succeed.
 */
export async function processPushQueue(records: SQSRecord[], deps: SenderDeps): Promise<SQSBatchResponse> {
  const failed = await Promise.all(
    records.map(async (record) => ((await handleMessage(record, deps)) ? [] : [record.messageId])),
  );
  return { batchItemFailures: failed.flat().map((itemIdentifier) => ({ itemIdentifier })) };
}

/** True when the message is done with (delivered, or never to be delivered). */
async function handleMessage(record: SQSRecord, deps: SenderDeps): Promise<boolean> {
  const request = parseRequest(record.body);
  if (!request) {
    log('ERROR', 'Not a notification request; dropped', { messageId: record.messageId });
    return true;
  }
  const attempt = Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1;
  const ids = {
    account_sid: request.accountSid,
    challengeSid: request.challengeSid,
    notificationSid: request.notificationSid,
    attempt,
  };
  let result: DeliveryResult;
  try {
    result = await deliverWithRetries(deps, request);
  } catch (error) {
    log('ERROR', 'Notification delivery failed', { ...ids, error: String(error) });
    return false;
  }
  if (result.kind === 'skipped') {
    log(result.reason.startsWith('no-') ? 'WARN' : 'INFO', 'Notification not sent', {
      ...ids,
      reason: result.reason,
    });
    return true;
  }
  const report: DeliveryReport = {
    accountSid: request.accountSid,
    serviceSid: request.serviceSid,
    entitySid: result.entitySid,
    factorSid: result.factorSid,
    challengeSid: request.challengeSid,
    notificationSid: request.notificationSid,
    provider: result.provider,
    attempt,
    time: formatDate(deps.now()),
  };
  const { outcome } = result;
  const retrying = outcome.kind === 'retry' && attempt < deps.maxAttempts;
  const event =
    outcome.kind === 'sent'
      ? notificationSent(report, outcome.id ?? null)
      : notificationFailed(report, {
          ...failureOf(outcome),
          willRetry: retrying,
          tokenInvalidated: result.tokenInvalidated,
        });
  log(outcome.kind === 'sent' ? 'INFO' : 'WARN', `Notification ${outcome.kind}`, {
    ...ids,
    provider: result.provider,
    ...(outcome.kind === 'sent' ? {} : failureOf(outcome)),
  });
  count(outcome.kind === 'sent' ? METRIC.notificationsSent : METRIC.notificationsFailed, request.accountSid);
  const unpublished = await deps.publisher.publish([event]);
  // A retryable failure goes back to SQS (the last time, to the dead-letter queue).
  return unpublished.length === 0 && outcome.kind !== 'retry';
}
