// @ts-nocheck
import type { Challenge } from './challenge';
import { challengeDetails } from './challenge';
import type { Factor } from './factor';
import type { Notification, PushPlatform } from './notification';

/** The EventBridge `source` of every event this service publishes. */
export const EVENT_SOURCE = 'verify-push-totp';

export type EventType =
  | 'challenge.created'
  | 'challenge.approved'
  | 'challenge.denied'
  | 'challenge.expired'
  | 'factor.created'
  | 'factor.verified'
  | 'factor.deleted'
  | 'billing.verification'
  | 'notification.requested'
  | 'notification.sent'
  | 'notification.failed'
  | 'webhook.delivery_failed';

export interface DomainEvent {
  type: EventType;
  /** When the transition happened (ISO 8601). */
  time: string;
  detail: Record<string, unknown>;
}

export interface EventOptions {
  /** Identity, details, hidden details, metadata and friendly names: only where Twilio's webhooks carry them. */
  includePii: boolean;
}

/** Billing counts a push challenge approved or denied, and a TOTP challenge approved: nothing else. */
export const isBillable = (challenge: Challenge) =>
  challenge.status === 'approved' || (challenge.status === 'denied' && challenge.factorType === 'push');

/** What every challenge and billing event says about where the challenge belongs. */
const challengeIds = (c: Challenge) => ({
  account_sid: c.accountSid,
  service_sid: c.serviceSid,
  entity_sid: c.entitySid,
  factor_sid: c.factorSid,
  factor_type: c.factorType,
  challenge_sid: c.sid,
});

function challengeEvent(
  type: EventType,
  c: Challenge,
  previous: string | null,
  options: EventOptions,
): DomainEvent {
  const status = type === 'challenge.created' ? 'pending' : c.status;
  return {
    type,
    time: type === 'challenge.created' ? c.dateCreated : (c.dateResponded ?? c.dateUpdated),
    detail: {
      // The same on every redelivery: each challenge reaches each status once.
      idempotency_key: `${c.sid}.${type.split('.')[1]}`,
      ...challengeIds(c),
      status,
      previous_status: previous,
      date_created: c.dateCreated,
      date_updated: c.dateUpdated,
      date_responded: type === 'challenge.created' ? null : c.dateResponded,
      expiration_date: c.expirationDate,
      responded_reason: c.respondedReason,
      ...(options.includePii
        ? {
            entity_identity: c.identity,
            ...(c.factorFriendlyName === undefined ? {} : { factor_friendly_name: c.factorFriendlyName }),
            challenge_details: challengeDetails(c),
            challenge_hidden_details: c.hiddenDetails,
            challenge_metadata: type === 'challenge.created' ? null : c.metadata,
          }
        : {}),
    },
  };
}

function billingEvent(c: Challenge): DomainEvent {
  return {
    type: 'billing.verification',
    time: c.dateResponded ?? c.dateUpdated,
    detail: {
      idempotency_key: `${c.sid}.billing`,
      ...challengeIds(c),
      status: c.status,
      date_responded: c.dateResponded,
    },
  };
}

/**
 * The events a change of a challenge item causes: created on insert (and approved with billing, when a
 * TOTP code approved it at creation), and on leaving `pending` the new status, with billing when billable.
 */
export function challengeEvents(before: Challenge | undefined, after: Challenge, options: EventOptions) {
  const events: DomainEvent[] = [];
  if (!before) events.push(challengeEvent('challenge.created', after, null, options));
  const from = before?.status ?? 'pending';
  if (from === 'pending' && after.status !== 'pending') {
    events.push(challengeEvent(`challenge.${after.status}`, after, 'pending', options));
    if (isBillable(after)) events.push(billingEvent(after));
  }
  return events;
}

function factorEvent(type: EventType, f: Factor, time: string, options: EventOptions): DomainEvent {
  return {
    type,
    time,
    detail: {
      idempotency_key: `${f.sid}.${type.split('.')[1]}`,
      account_sid: f.accountSid,
      service_sid: f.serviceSid,
      entity_sid: f.entitySid,
      factor_sid: f.sid,
      factor_type: f.factorType,
      status: type === 'factor.deleted' ? null : f.status,
      date_created: f.dateCreated,
      date_updated: f.dateUpdated,
      ...(options.includePii
        ? { entity_identity: f.identity, factor_friendly_name: f.friendlyName, factor_metadata: f.metadata }
        : {}),
    },
  };
}

/** factor.created on insert, factor.verified on unverified → verified, factor.deleted on removal. */
export function factorEvents(
  before: Factor | undefined,
  after: Factor | undefined,
  removedAt: string,
  options: EventOptions,
): DomainEvent[] {
  if (!before && after) return [factorEvent('factor.created', after, after.dateCreated, options)];
  if (before && !after) return [factorEvent('factor.deleted', before, removedAt, options)];
  if (before?.status === 'unverified' && after?.status === 'verified') {
    return [factorEvent('factor.verified', after, after.dateUpdated, options)];
  }
  return [];
}

/**
 * The notifications a change of a challenge item asks for: one when a push challenge that can be notified
 * is created, one per resend added to a pending challenge. This is the sender's work order, not a record
 * for subscribers: it carries what the sender needs to find the challenge in the table (the entity
 * identity included, which Twilio asks to be a non-PII identifier), and neither the message, the details
 * nor any token.
 */
export function notificationRequests(before: Challenge | undefined, after: Challenge): DomainEvent[] {
  if (!after.pushPlatform || after.status !== 'pending') return [];
  const request = (notification: Notification | undefined): DomainEvent => ({
    type: 'notification.requested',
    time: notification?.dateCreated ?? after.dateCreated,
    detail: {
      idempotency_key: `${notification?.sid ?? after.sid}.requested`,
      account_sid: after.accountSid,
      service_sid: after.serviceSid,
      entity_sid: after.entitySid,
      entity_identity: after.identity,
      factor_sid: after.factorSid,
      challenge_sid: after.sid,
      notification_sid: notification?.sid ?? null,
      ttl: notification?.ttl ?? null,
      platform: after.pushPlatform,
    },
  });
  if (!before) return [request(undefined)];
  const known = new Set((before.notifications ?? []).map((n) => n.sid));
  return (after.notifications ?? []).filter((n) => !known.has(n.sid)).map(request);
}

/** What a delivery attempt is about, as the sender reports it. */
export interface DeliveryReport {
  accountSid: string;
  serviceSid: string;
  entitySid: string;
  factorSid: string;
  challengeSid: string;
  notificationSid: string | null;
  provider: PushPlatform;
  /** Which delivery of this notification (1 for the first; SQS's receive count). */
  attempt: number;
  time: string;
}

const deliveryIds = (r: DeliveryReport) => ({
  account_sid: r.accountSid,
  service_sid: r.serviceSid,
  entity_sid: r.entitySid,
  factor_sid: r.factorSid,
  challenge_sid: r.challengeSid,
  notification_sid: r.notificationSid,
  provider: r.provider,
  attempt: r.attempt,
});

/** A provider accepted the notification. No token, message or credential in it. */
export const notificationSent = (r: DeliveryReport, providerId: string | null): DomainEvent => ({
  type: 'notification.sent',
  time: r.time,
  detail: {
    idempotency_key: `${r.notificationSid ?? r.challengeSid}.sent`,
    ...deliveryIds(r),
    provider_id: providerId,
  },
});

/**
 * A delivery attempt failed: `reason` is the provider's (e.g. `Unregistered`, `UNAVAILABLE`) or the
 * sender's (`timeout`); `will_retry` says whether another attempt follows.
 */
export const notificationFailed = (
  r: DeliveryReport,
  failure: { reason: string; status: number | null; willRetry: boolean; tokenInvalidated: boolean },
): DomainEvent => ({
  type: 'notification.failed',
  time: r.time,
  detail: {
    idempotency_key: `${r.notificationSid ?? r.challengeSid}.failed.${r.attempt}`,
    ...deliveryIds(r),
    reason: failure.reason,
    provider_status: failure.status,
    will_retry: failure.willRetry,
    token_invalidated: failure.tokenInvalidated,
  },
});

/** What a webhook delivery that gave up was about: no URL (it may hold a secret), no body, no token. */
export interface WebhookFailureReport {
  accountSid: string;
  serviceSid: string;
  webhookSid: string;
  eventType: string;
  /** The `idempotency_key` of the event that was not delivered. */
  eventKey: string;
  attempts: number;
  reason: string;
  status: number | null;
  firstAttemptAt: string;
  time: string;
}

/**
 * A webhook delivery gave up: its retry window passed (the message is in the dead-letter queue), or it
 * could not be signed (`no-signing-token`: an account stored before webhooks; rotating its token fixes it).
 */
export const webhookDeliveryFailed = (r: WebhookFailureReport): DomainEvent => ({
  type: 'webhook.delivery_failed',
  time: r.time,
  detail: {
    idempotency_key: `${r.eventKey}.${r.webhookSid}.delivery_failed`,
    account_sid: r.accountSid,
    service_sid: r.serviceSid,
    webhook_sid: r.webhookSid,
    event_type: r.eventType,
    event_idempotency_key: r.eventKey,
    attempts: r.attempts,
    reason: r.reason,
    last_status: r.status,
    first_attempt_at: r.firstAttemptAt,
  },
});
