import type { Challenge } from './challenge';
import { challengeDetails } from './challenge';
import type { Factor } from './factor';

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
  | 'billing.verification';

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
      ...(options.includePii
        ? {
            entity_identity: c.identity,
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
