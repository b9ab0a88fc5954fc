// @ts-nocheck
import { createHash, createHmac } from 'node:crypto';
import type { WebhookEventType, WebhookVersion } from './webhook';

/**
 * What a webhook request carries, built from an event's `detail` (`shared/domain/events.ts`), and how it is
 * signed. Pure: the dispatcher and the delivery use it, and the tests check it against twilio-node.
 */

/**
 * `X-Twilio-Signature`: Base64 HMAC-SHA1, keyed with the auth token, of the URL exactly as configured
 * followed by every parameter as `name + value`, names sorted by UTF-16 code units (JavaScript's default
 * sort, as twilio-node's `getExpectedTwilioSignature`), values unencoded.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** A UUID (version 4 layout) derived from `seed`: the same event always has the same `uuid`. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed, 'utf8').digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `I-Twilio-Idempotency-Token`: one per (event, webhook), the same on every retry. */
export const idempotencyToken = (eventKey: string, webhookSid: string) =>
  createHash('sha256').update(`${eventKey}/${webhookSid}`, 'utf8').digest('hex').slice(0, 32);

const json = (value: unknown) =>
  value === undefined || value === null
    ? undefined
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/**
 * The form body for an event of `type` with `detail` (the event's), for a webhook of `version`. The fields
 * Twilio documents (`uuid`, `type`, `account_sid`, `service_sid`, `entity_identity`, `factor_sid`,
 * `factor_type`), `factor_friendly_name`, and on challenge events `challenge_sid`, `challenge_details` and
 * `challenge_hidden_details` (JSON strings); `v2` adds `factor_metadata`, `challenge_metadata`,
 * `challenge_status` and `challenge_responded_reason`. Absent values are left out, never sent empty. The
 * identity, names, details and metadata are there only when events carry them (`EVENTS_INCLUDE_PII`).
 */
export function webhookParams(
  type: WebhookEventType,
  detail: Record<string, unknown>,
  version: WebhookVersion,
): Record<string, string> {
  const challenge = type.startsWith('challenge.');
  const fields: Record<string, string | undefined> = {
    uuid: stableUuid(String(detail.idempotency_key)),
    type,
    account_sid: json(detail.account_sid),
    service_sid: json(detail.service_sid),
    entity_identity: json(detail.entity_identity),
    factor_sid: json(detail.factor_sid),
    factor_type: json(detail.factor_type),
    factor_friendly_name: json(detail.factor_friendly_name),
    ...(challenge
      ? {
          challenge_sid: json(detail.challenge_sid),
          challenge_details: json(detail.challenge_details),
          challenge_hidden_details: json(detail.challenge_hidden_details),
          ...(version === 'v2'
            ? {
                challenge_metadata: json(detail.challenge_metadata),
                challenge_status: json(detail.status),
                challenge_responded_reason: json(detail.responded_reason),
              }
            : {}),
        }
      : version === 'v2'
        ? { factor_metadata: json(detail.factor_metadata) }
        : {}),
  };
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The form encoding of the body (the signature is over the decoded pairs, not over this). */
export const formBody = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** SQS's longest delay, which caps every retry's. */
export const MAX_RETRY_DELAY_MS = 900_000;

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` failed: `baseMs` doubled per attempt,
 * capped at 900 s, with jitter (between half and all of it), so that retries of many deliveries spread.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: number = Math.random()): number {
  const full = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.round(full * (0.5 + random / 2)));
}

/** How an attempt went: any 2xx is delivered; anything else (another status, a timeout, a refusal) is retried. */
export type AttemptOutcome =
  { kind: 'delivered'; status: number } | { kind: 'failed'; status: number | null; reason: string };

export const outcomeOf = (status: number): AttemptOutcome =>
  status >= 200 && status < 300
    ? { kind: 'delivered', status }
    : { kind: 'failed', status, reason: `http-${status}` };
