// @ts-nocheck
import type { SendOutcome } from './types';

/**
 * Classifying provider answers into what the sender does next (reference §3.1 and §3.2 tables, §5.2).
 * Pure: no I/O, so the tables are unit-tested directly.
 */

/** `Retry-After`: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}

const withRetryAfter = (outcome: SendOutcome, retryAfterMs: number | undefined): SendOutcome =>
  outcome.kind === 'retry' && retryAfterMs !== undefined ? { ...outcome, retryAfterMs } : outcome;

/** 403 reasons a fresh provider token can cure (mint once, retry once). */
export const APNS_TOKEN_REASONS = new Set(['ExpiredProviderToken', 'InvalidProviderToken']);

export interface ApnsAnswer {
  status: number;
  reason?: string;
  apnsId?: string;
  retryAfterMs?: number;
}

export function classifyApns({ status, reason, apnsId, retryAfterMs }: ApnsAnswer): SendOutcome {
  const why = reason ?? `HTTP ${status}`;
  if (status === 200) return apnsId ? { kind: 'sent', id: apnsId } : { kind: 'sent' };
  // 410: the token is dead since `timestamp` (Unregistered; ExpiredToken is UNVERIFIED but means the same).
  if (status === 410) return { kind: 'dead-token', status, reason: why };
  // BadDeviceToken is often a sandbox/production mismatch: stop sending to it, but it is no reason to delete the factor.
  if (status === 400 && reason === 'BadDeviceToken') return { kind: 'dead-token', status, reason: why };
  // 429 TooManyRequests / TooManyProviderTokenUpdates: back off. 5xx (InternalServerError, ServiceUnavailable, Shutdown).
  if (status === 429 || status >= 500)
    return withRetryAfter({ kind: 'retry', status, reason: why }, retryAfterMs);
  // 400 BadTopic, DeviceTokenNotForTopic…, 403 credential problems, 404/405 bugs, 413 PayloadTooLarge.
  return { kind: 'permanent', status, reason: why };
}

/** Google's error JSON: `{"error":{"code","message","status","details":[{"@type":"…FcmError","errorCode"}]}}`. */
export interface FcmErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: unknown };
}

export function fcmErrorCode(body: unknown): string | undefined {
  const details = (body as FcmErrorBody | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const code = (detail as { errorCode?: unknown } | null)?.errorCode;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const RETRY_CODES = new Set(['UNAVAILABLE', 'INTERNAL', 'QUOTA_EXCEEDED']);

export interface FcmAnswer {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

export function classifyFcm({ status, body, retryAfterMs }: FcmAnswer): SendOutcome {
  if (status >= 200 && status < 300) {
    const name = (body as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? { kind: 'sent', id: name } : { kind: 'sent' };
  }
  const code = fcmErrorCode(body);
  const error = (body as FcmErrorBody | null)?.error;
  const text = typeof error?.message === 'string' ? error.message : '';
  const reason = code ?? (typeof error?.status === 'string' ? error.status : `HTTP ${status}`);
  if (code === 'UNREGISTERED') return { kind: 'dead-token', status, reason };
  // INVALID_ARGUMENT covers many things; only "…not a valid FCM registration token" means the token is dead.
  if (code === 'INVALID_ARGUMENT' && /registration token/i.test(text))
    return { kind: 'dead-token', status, reason };
  if (
    (code !== undefined && RETRY_CODES.has(code)) ||
    (code === undefined && (status === 429 || status >= 500))
  )
    return withRetryAfter({ kind: 'retry', status, reason }, retryAfterMs);
  // INVALID_ARGUMENT (other), SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, UNSPECIFIED_ERROR, 401 after a refresh, 403…
  return { kind: 'permanent', status, reason: text && code === undefined ? `${reason}: ${text}` : reason };
}
