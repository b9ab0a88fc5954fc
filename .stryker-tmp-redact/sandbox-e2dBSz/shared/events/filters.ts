/**
 * Which stream records can produce an event, as Lambda event-filter patterns. The CDK stack puts them on
 * the event source mapping and the local stream pump applies the same ones, so records no event comes
 * from never invoke the handler, on AWS or locally.
 */
// @ts-nocheck

/** The module whose `handler` the stream invokes (on AWS through the event source mapping, locally the pump). */
export const STREAM_HANDLER = 'functions/stream/handler.ts';

const sortKeyStartsWith = (prefix: string) => ({ Keys: { sk: { S: [{ prefix }] } } });

export const STREAM_FILTER_PATTERNS: readonly Record<string, unknown>[] = [
  // A new challenge: challenge.created (and approved, when a TOTP code approved it at creation).
  { eventName: ['INSERT'], dynamodb: sortKeyStartsWith('CHALLENGE#') },
  // A pending challenge changed: leaving pending (approved, denied, expired), or a resend requested
  // (Notifications: notification.requested). One pattern for both, as Lambda allows five per mapping; the
  // other changes of a pending challenge (a wrong TOTP code) invoke the handler and produce nothing.
  {
    eventName: ['MODIFY'],
    dynamodb: { ...sortKeyStartsWith('CHALLENGE#'), OldImage: { status: { S: ['pending'] } } },
  },
  // A factor created or deleted.
  { eventName: ['INSERT', 'REMOVE'], dynamodb: sortKeyStartsWith('FACTOR#') },
  // A factor verified.
  {
    eventName: ['MODIFY'],
    dynamodb: {
      ...sortKeyStartsWith('FACTOR#'),
      OldImage: { status: { S: ['unverified'] } },
      NewImage: { status: { S: ['verified'] } },
    },
  },
  // An expiry timer deleted by DynamoDB's TTL (not by a user): time to mark its challenge expired.
  {
    eventName: ['REMOVE'],
    userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
    dynamodb: sortKeyStartsWith('TIMER#'),
  },
];

/**
 * The deleter (`functions/deleter/handler.ts`) reads the same stream through a mapping of its own, for one
 * kind of record: a service or entity item changed while marked `deleting`. That is the mark itself (a
 * DELETE started), and each later write to the marked item (a deleter that ran out of time handing over
 * to its next invocation); the removal of the item, which ends a deletion, has no new image and does not
 * match.
 */
export const DELETER_HANDLER = 'functions/deleter/handler.ts';

export const DELETER_FILTER_PATTERNS: readonly Record<string, unknown>[] = [
  {
    eventName: ['MODIFY'],
    dynamodb: {
      Keys: { sk: { S: [{ prefix: 'SERVICE#' }, { prefix: 'ENTITY#' }] } },
      NewImage: { deleting: { S: [{ exists: true }] } },
    },
  },
];

/**
 * The push sender (`functions/push-sender/handler.ts`) is fed by an SQS queue, itself fed by an EventBridge
 * rule on this event type (its only input; locally the event sink routes it the same way).
 */
export const PUSH_SENDER_HANDLER = 'functions/push-sender/handler.ts';
export const PUSH_REQUEST_EVENT = 'notification.requested';

/**
 * Webhooks: an EventBridge rule on these event types feeds the dispatcher's queue (locally the event sink
 * routes them the same way); the dispatcher feeds the delivery queue, which feeds the delivery function.
 */
export const WEBHOOK_DISPATCHER_HANDLER = 'functions/webhook-dispatcher/handler.ts';
export const WEBHOOK_DELIVERY_HANDLER = 'functions/webhook-delivery/handler.ts';
export const WEBHOOK_EVENTS: readonly string[] = [
  'factor.created',
  'factor.verified',
  'factor.deleted',
  'challenge.approved',
  'challenge.denied',
];
