// @ts-nocheck
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

/**
 * A Verify webhook (`/v2/Services/{ServiceSid}/Webhooks`): where a service's factor and challenge events
 * are POSTed, signed with the account's auth token as Twilio signs them (`X-Twilio-Signature`).
 */
export const WEBHOOK_EVENT_TYPES = [
  'factor.created',
  'factor.verified',
  'factor.deleted',
  'challenge.approved',
  'challenge.denied',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** `*` subscribes to every type. */
export type WebhookSubscription = WebhookEventType | '*';

export const WEBHOOK_STATUSES = ['enabled', 'disabled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];
export const WEBHOOK_VERSIONS = ['v1', 'v2'] as const;
export type WebhookVersion = (typeof WEBHOOK_VERSIONS)[number];

/** Twilio documents no limit; this service's choice (README). */
export const MAX_WEBHOOKS_PER_SERVICE = 10;
/** Longer URLs are refused (Twilio's own URL fields take up to 2,000 characters). */
export const MAX_WEBHOOK_URL_LENGTH = 2_000;

export interface Webhook {
  sid: string;
  accountSid: string;
  serviceSid: string;
  friendlyName: string;
  eventTypes: WebhookSubscription[];
  status: WebhookStatus;
  version: WebhookVersion;
  webhookUrl: string;
  dateCreated: string;
  dateUpdated: string;
}

export const isWebhookEventType = (type: string): type is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

/** Whether the webhook gets events of `type` now: enabled and subscribed to the type or to `*`. */
export const subscribes = (webhook: Webhook, type: string) =>
  webhook.status === 'enabled' &&
  isWebhookEventType(type) &&
  webhook.eventTypes.some((subscribed) => subscribed === '*' || subscribed === type);

/**
 * Why `url` cannot be a webhook URL, or undefined when it can: an absolute http(s) URL (https only unless
 * `allowHttp`), without credentials or a fragment, at most MAX_WEBHOOK_URL_LENGTH characters.
 */
export function webhookUrlProblem(url: string, allowHttp: boolean): string | undefined {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    return allowHttp ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (parsed.hash || url.includes('#')) return 'must not contain a fragment';
  if (/[\s<>"]/.test(url)) return 'must not contain spaces, quotes or angle brackets';
  return undefined;
}

export function newWebhook(
  accountSid: string,
  serviceSid: string,
  input: Pick<Webhook, 'friendlyName' | 'eventTypes' | 'webhookUrl'> &
    Partial<Pick<Webhook, 'status' | 'version'>>,
  now: Date,
): Webhook {
  return {
    sid: newSid(SidPrefix.webhook, now),
    accountSid,
    serviceSid,
    friendlyName: input.friendlyName,
    eventTypes: dedupe(input.eventTypes),
    status: input.status ?? 'enabled',
    version: input.version ?? 'v2',
    webhookUrl: input.webhookUrl,
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
  };
}

export const dedupe = <T>(values: T[]) => [...new Set(values)];
