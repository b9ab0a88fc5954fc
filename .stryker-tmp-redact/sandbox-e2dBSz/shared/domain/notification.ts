// @ts-nocheck
import type { Challenge } from './challenge';
import type { Factor } from './factor';
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

/**
 * Push notifications of challenges. A push challenge is notified once when it is created, and again for
 * each Notifications resource created on it (a resend), at most `MAX_RESENDS` times.
 */
export const DEFAULT_NOTIFICATION_TTL_SECONDS = 300;
export const MAX_NOTIFICATION_TTL_SECONDS = 300;
/** Resends per challenge: APNs and FCM store a notification for an offline device already, so a few suffice. */
export const MAX_RESENDS = 5;

export type PushPlatform = 'apn' | 'fcm';

/** A resend request (Verify v2 `Notification`, `NT…`). */
export interface Notification {
  sid: string;
  accountSid: string;
  serviceSid: string;
  entitySid: string;
  identity: string;
  challengeSid: string;
  priority: 'high';
  ttl: number;
  dateCreated: string;
}

/** Where a push factor's notifications go: its platform, token and app. */
export interface PushTarget {
  platform: PushPlatform;
  token: string;
  appId: string | null;
}

/**
 * Where notifications for `factor` go, or why there is nowhere: not a push factor, platform `none` (the
 * app polls), no token, or a token the provider declared dead (pushes resume when the device updates its
 * factor with another one).
 */
export function pushTarget(
  factor: Factor,
): PushTarget | { none: 'not-push' | 'platform-none' | 'no-token' | 'dead-token' } {
  if (factor.factorType !== 'push') return { none: 'not-push' };
  const { notificationPlatform: platform, notificationToken: token, appId } = factor.config;
  if (platform === 'none') return { none: 'platform-none' };
  if (!token) return { none: 'no-token' };
  if (factor.deadNotificationToken === token) return { none: 'dead-token' };
  return { platform, token, appId };
}

export function newNotification(challenge: Challenge, ttl: number, now: Date): Notification {
  return {
    sid: newSid(SidPrefix.notification, now),
    accountSid: challenge.accountSid,
    serviceSid: challenge.serviceSid,
    entitySid: challenge.entitySid,
    identity: challenge.identity,
    challengeSid: challenge.sid,
    priority: 'high',
    ttl,
    dateCreated: formatDate(now),
  };
}

/**
 * How long a notification may wait for an offline device: what was asked (300 s when created with the
 * challenge), never past the challenge's expiration. 0 when the challenge has expired.
 */
export function notificationTtl(challenge: Challenge, requested: number | null, now: Date) {
  const left = Math.floor((Date.parse(challenge.expirationDate) - now.getTime()) / 1000);
  return Math.max(0, Math.min(requested ?? DEFAULT_NOTIFICATION_TTL_SECONDS, left));
}
