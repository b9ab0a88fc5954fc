import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { webhookDeliveryFailed, type DomainEvent } from '../domain/events';
import { formatDate } from '../domain/time';
import { isWebhookEventType, subscribes, type WebhookEventType } from '../domain/webhook';
import {
  formBody,
  idempotencyToken,
  outcomeOf,
  retryDelayMs,
  twilioSignature,
  webhookParams,
  type AttemptOutcome,
} from '../domain/webhook-request';
import { openAuthToken } from './accounts';
import { log as logger } from '../observability/log';
import { count, METRIC } from '../observability/metrics';
import type { AppDeps, EventPublisher, WebhookQueue, WebhookTransport } from './ports';

/**
 * Webhook delivery in two steps, each fed by SQS. The dispatcher turns one event into one delivery message
 * per matching webhook, so that a dead or slow endpoint never delays another; the delivery sends one
 * message, and on failure puts it back on the queue itself with a delay (exponential backoff with jitter,
 * at most SQS's 900 s) until the retry window has passed, then into the dead-letter queue with a
 * `webhook.delivery_failed` event.
 */

/** One delivery: an event for one webhook. The body is built at dispatch; URL, state and token are read at each attempt. */
export interface DeliveryMessage {
  accountSid: string;
  serviceSid: string;
  webhookSid: string;
  eventType: WebhookEventType;
  /** The event's idempotency_key: the uuid and the idempotency token derive from it. */
  eventKey: string;
  params: Record<string, string>;
  /** Epoch ms of the first attempt's dispatch: the retry window counts from it. */
  firstAttemptAt: number;
  /** The attempt this message is for (1 for the first). */
  attempt: number;
}

const LEVELS = { INFO: logger.info, WARN: logger.warn, ERROR: logger.error };
const log = (level: keyof typeof LEVELS, message: string, fields: Record<string, unknown>) =>
  LEVELS[level](message, fields);

const envelope = z.object({
  'detail-type': z.string(),
  detail: z.object({ account_sid: z.string(), service_sid: z.string(), idempotency_key: z.string() }),
});

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export interface DispatchDeps {
  webhooks: AppDeps['webhooks'];
  queue: WebhookQueue;
  now: () => Date;
}

/**
 * One SQS batch of events (the five webhook types, routed by an EventBridge rule) → delivery messages. A
 * record whose messages could not all be queued is reported in `batchItemFailures` and dispatched again
 * (at least once: receivers deduplicate on `I-Twilio-Idempotency-Token`).
 */
export async function dispatchWebhookEvents(
  records: SQSRecord[],
  deps: DispatchDeps,
): Promise<SQSBatchResponse> {
  const failed = await Promise.all(
    records.map(async (record) => {
      try {
        return (await dispatchOne(record, deps)) ? [] : [record.messageId];
      } catch (error) {
        log('ERROR', 'Webhook dispatch failed', { messageId: record.messageId, error: String(error) });
        return [record.messageId];
      }
    }),
  );
  return { batchItemFailures: failed.flat().map((itemIdentifier) => ({ itemIdentifier })) };
}

async function dispatchOne(record: SQSRecord, deps: DispatchDeps): Promise<boolean> {
  const json = parseJson(record.body);
  const parsed = envelope.safeParse(json);
  const type = parsed.success ? parsed.data['detail-type'] : '';
  if (!parsed.success || !isWebhookEventType(type)) {
    log('ERROR', 'Not a webhook event; dropped', { messageId: record.messageId });
    return true;
  }
  // The whole detail (the schema above strips what it does not name).
  const detail = (json as { detail: Record<string, unknown> }).detail as Record<string, unknown> &
    z.output<typeof envelope>['detail'];
  const webhooks = (await deps.webhooks.all(detail.account_sid, detail.service_sid)).filter((webhook) =>
    subscribes(webhook, type),
  );
  if (webhooks.length === 0) return true;
  const firstAttemptAt = deps.now().getTime();
  const messages = webhooks.map((webhook) => ({
    body: JSON.stringify({
      accountSid: detail.account_sid,
      serviceSid: detail.service_sid,
      webhookSid: webhook.sid,
      eventType: type,
      eventKey: detail.idempotency_key,
      params: webhookParams(type, detail, webhook.version),
      firstAttemptAt,
      attempt: 1,
    } satisfies DeliveryMessage),
    delayMs: 0,
  }));
  const unsent = await deps.queue.send(messages);
  return unsent.length === 0;
}

export interface DeliveryDeps {
  webhooks: AppDeps['webhooks'];
  services: AppDeps['services'];
  accounts: AppDeps['accounts'];
  tokenSealer: AppDeps['tokenSealer'];
  queue: WebhookQueue;
  transport: WebhookTransport;
  publisher: EventPublisher;
  now: () => Date;
  retryBaseMs: number;
  retryWindowMs: number;
  /** Each attempt with its outcome (locally: the console line a developer watches). */
  onAttempt?: (attempt: { message: DeliveryMessage; outcome: AttemptOutcome; next: string }) => void;
}

const deliveryMessage = z.object({
  accountSid: z.string(),
  serviceSid: z.string(),
  webhookSid: z.string(),
  eventType: z.string(),
  eventKey: z.string(),
  params: z.record(z.string(), z.string()),
  firstAttemptAt: z.number(),
  attempt: z.number(),
});

/** One SQS batch of delivery messages, each sent on its own (in parallel). */
export async function deliverWebhooks(records: SQSRecord[], deps: DeliveryDeps): Promise<SQSBatchResponse> {
  const failed = await Promise.all(
    records.map(async (record) => {
      try {
        await deliverOne(record, deps);
        return [];
      } catch (error) {
        log('ERROR', 'Webhook delivery failed', { messageId: record.messageId, error: String(error) });
        return [record.messageId];
      }
    }),
  );
  return { batchItemFailures: failed.flat().map((itemIdentifier) => ({ itemIdentifier })) };
}

const resultOutcome = (result: { status: number } | { error: string }): AttemptOutcome =>
  'status' in result ? outcomeOf(result.status) : { kind: 'failed', status: null, reason: result.error };

/** Throws only for what SQS should deliver again (a store or queue failure). */
async function deliverOne(record: SQSRecord, deps: DeliveryDeps): Promise<void> {
  const parsed = deliveryMessage.safeParse(parseJson(record.body));
  if (!parsed.success || !isWebhookEventType(parsed.data.eventType)) {
    log('ERROR', 'Not a webhook delivery; dropped', { messageId: record.messageId });
    return;
  }
  const message = parsed.data as DeliveryMessage;
  const ids = {
    account_sid: message.accountSid,
    webhookSid: message.webhookSid,
    eventType: message.eventType,
    eventKey: message.eventKey,
    attempt: message.attempt,
  };
  // Read at every attempt: a webhook disabled, unsubscribed or deleted meanwhile (its service's deletion
  // included, from the moment the service is marked) receives nothing more, and a changed URL is used from
  // then on.
  const [webhook, service] = await Promise.all([
    deps.webhooks.get(message.accountSid, message.serviceSid, message.webhookSid),
    deps.services.get(message.accountSid, message.serviceSid),
  ]);
  if (!webhook || !service || !subscribes(webhook, message.eventType)) {
    log('INFO', 'Webhook delivery dropped: the webhook is deleted, disabled or no longer subscribed', ids);
    return;
  }
  const token = await openAuthToken(deps, message.accountSid);
  if ('missing' in token) {
    if (token.missing === 'account') {
      log('WARN', 'Webhook delivery dropped: no such account', ids);
      return;
    }
    log(
      'ERROR',
      'Webhook cannot be signed: the account has no sealed auth token; rotate the token once',
      ids,
    );
    count(METRIC.webhookDeliveriesFailed, message.accountSid);
    await report(deps, message, message.attempt - 1, 'no-signing-token', null);
    return;
  }
  const params = message.params;
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    'X-Twilio-Signature': twilioSignature(token.token, webhook.webhookUrl, params),
    'I-Twilio-Idempotency-Token': idempotencyToken(message.eventKey, message.webhookSid),
    'User-Agent': 'TwilioProxy/1.1',
  };
  const outcome = resultOutcome(await deps.transport.post(webhook.webhookUrl, headers, formBody(params)));
  const fields = {
    ...ids,
    ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
    status: outcome.status,
  };
  if (outcome.kind === 'delivered') {
    log('INFO', 'Webhook delivered', fields);
    count(METRIC.webhookDeliveries, message.accountSid);
    deps.onAttempt?.({ message, outcome, next: 'delivered' });
    return;
  }
  const delayMs = retryDelayMs(message.attempt, deps.retryBaseMs);
  const elapsed = deps.now().getTime() - message.firstAttemptAt;
  if (elapsed + delayMs <= deps.retryWindowMs) {
    const retry: DeliveryMessage = { ...message, attempt: message.attempt + 1 };
    const unsent = await deps.queue.send([{ body: JSON.stringify(retry), delayMs }]);
    if (unsent.length > 0) throw new Error('The retry could not be queued');
    log('WARN', 'Webhook attempt failed; retrying', { ...fields, retryInMs: delayMs });
    count(METRIC.webhookAttemptFailures, message.accountSid);
    deps.onAttempt?.({ message, outcome, next: `retry in ${(delayMs / 1000).toFixed(1)} s` });
    return;
  }
  await deps.queue.deadLetter(record.body);
  log('ERROR', 'Webhook delivery gave up; moved to the dead-letter queue', fields);
  count(METRIC.webhookAttemptFailures, message.accountSid);
  count(METRIC.webhookDeliveriesFailed, message.accountSid);
  deps.onAttempt?.({ message, outcome, next: 'gave up (dead-letter queue)' });
  await report(deps, message, message.attempt, outcome.reason, outcome.status);
}

async function report(
  deps: DeliveryDeps,
  message: DeliveryMessage,
  attempts: number,
  reason: string,
  status: number | null,
) {
  const event: DomainEvent = webhookDeliveryFailed({
    accountSid: message.accountSid,
    serviceSid: message.serviceSid,
    webhookSid: message.webhookSid,
    eventType: message.eventType,
    eventKey: message.eventKey,
    attempts,
    reason,
    status,
    firstAttemptAt: formatDate(new Date(message.firstAttemptAt)),
    time: formatDate(deps.now()),
  });
  const unpublished = await deps.publisher.publish([event]);
  if (unpublished.length > 0)
    log('ERROR', 'webhook.delivery_failed could not be published', { eventKey: message.eventKey });
}
