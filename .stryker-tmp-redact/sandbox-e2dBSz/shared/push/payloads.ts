// @ts-nocheck
import type { PushMessage } from './types';

/**
 * What reaches the device (reference push-and-webhooks.md §1.2–1.4, §5.1): the four string keys the official apps read,
 * nothing else — never hidden details or details.fields (PII; the app fetches them with a device-signed GET).
 */
export const PUSH_TYPE = 'verify_push_challenge';

export interface VerifyPushData {
  type: typeof PUSH_TYPE;
  challenge_sid: string;
  factor_sid: string;
  message: string;
}

export interface ApsAlert {
  alert: string;
  'mutable-content': 1;
  /** Third-party evidence only (reference §1.2/§1.3): UNVERIFIED that Twilio sets it. */
  category: typeof PUSH_TYPE;
  /** UNVERIFIED that Twilio sets it (reference §1.3, §6 question 2). */
  sound: 'default';
}

export type ApnsPayload = { aps: ApsAlert } & VerifyPushData;

export interface ApnsRequest {
  path: string;
  headers: {
    'apns-topic': string;
    'apns-push-type': 'alert';
    'apns-priority': '10';
    'apns-expiration': string;
    'apns-collapse-id': string;
  };
  body: ApnsPayload;
}

export interface FcmSendBody {
  message: {
    token: string;
    data: VerifyPushData;
    android: { priority: 'HIGH'; ttl: string; collapse_key: string };
    apns: {
      headers: {
        'apns-push-type': 'alert';
        'apns-priority': '10';
        'apns-expiration': string;
        'apns-collapse-id': string;
      };
      payload: { aps: ApsAlert };
    };
  };
}

export interface FcmRequest {
  path: string;
  body: FcmSendBody;
}

const data = (m: PushMessage): VerifyPushData => ({
  type: PUSH_TYPE,
  challenge_sid: m.challengeSid,
  factor_sid: m.factorSid,
  message: m.message,
});

const aps = (m: PushMessage): ApsAlert => ({
  alert: m.message,
  'mutable-content': 1,
  category: PUSH_TYPE,
  sound: 'default',
});

const ttl = (m: PushMessage) => Math.max(0, Math.floor(m.ttlSeconds));

/** `apns-expiration`: now + ttl in epoch seconds; `0` (= deliver once, do not store) when the ttl is 0 (reference §1.6). */
export function apnsExpiration(m: PushMessage): string {
  const seconds = ttl(m);
  return seconds === 0 ? '0' : String(Math.floor(m.now.getTime() / 1000) + seconds);
}

/** The APNs request for one challenge: `POST {path}` with these headers and this JSON body. */
export function apnsRequest(m: PushMessage): ApnsRequest {
  return {
    path: `/3/device/${encodeURIComponent(m.token)}`,
    headers: {
      'apns-topic': m.appId,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': apnsExpiration(m),
      // The challenge SID (34 chars, within Apple's 64 bytes): a resend replaces the earlier banner.
      'apns-collapse-id': m.challengeSid,
    },
    body: { aps: aps(m), ...data(m) },
  };
}

/**
 * The FCM HTTP v1 request: data-only for Android (the app builds its own notification), HIGH priority, ttl and collapse
 * key from the challenge; an apns block for apps that registered an FCM token on iOS (FCM puts `data` at the top level of
 * the APNs payload). Deliberately no `restricted_package_name` (app_id may differ from the Android package), and the apns
 * block's `apns-expiration`/`apns-collapse-id` carry the same Ttl and collapse semantics as the direct APNs path [INF:
 * the reference's example shows only push-type and priority there].
 */
export function fcmRequest(projectId: string, m: PushMessage): FcmRequest {
  return {
    path: `/v1/projects/${encodeURIComponent(projectId)}/messages:send`,
    body: {
      message: {
        token: m.token,
        data: data(m),
        android: { priority: 'HIGH', ttl: `${ttl(m)}s`, collapse_key: m.challengeSid },
        apns: {
          headers: {
            'apns-push-type': 'alert',
            'apns-priority': '10',
            'apns-expiration': apnsExpiration(m),
            'apns-collapse-id': m.challengeSid,
          },
          payload: { aps: aps(m) },
        },
      },
    },
  };
}
