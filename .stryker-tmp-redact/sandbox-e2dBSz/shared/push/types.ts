/** The provider layer's types: what the sender hands a provider client, and what it gets back. */
// @ts-nocheck


export interface FcmServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

export type ApnAuth =
  /** `.p8` PEM (PKCS#8 P-256): provider tokens (JWT, ES256). */
  | { kind: 'token'; teamId: string; keyId: string; privateKey: string }
  /** PEM, a TLS client certificate and its key. */
  | { kind: 'certificate'; certificate: string; privateKey: string };

export type ProviderCredential =
  | { type: 'fcm'; sid: string; serviceAccount: FcmServiceAccount }
  | { type: 'apn'; sid: string; sandbox: boolean; auth: ApnAuth };

export interface PushMessage {
  challengeSid: string;
  factorSid: string;
  /** The challenge's `details.message`. */
  message: string;
  /** The factor's `config.notification_token`. */
  token: string;
  /** The factor's `config.app_id`: the APNs topic (not used for FCM's restricted_package_name). */
  appId: string;
  /** 0..300, already clamped by the caller to the challenge's time left. */
  ttlSeconds: number;
  now: Date;
}

export type SendOutcome =
  /** `apns-id` / FCM message name. */
  | { kind: 'sent'; id?: string }
  /** APNs 410 Unregistered, 400 BadDeviceToken; FCM UNREGISTERED, INVALID_ARGUMENT about the token. */
  | { kind: 'dead-token'; status: number; reason: string }
  /** 429, 5xx, network/timeout, GOAWAY; Retry-After honoured. */
  | { kind: 'retry'; status?: number; reason: string; retryAfterMs?: number }
  /** Everything else: bad topic, credential rejected after one refresh, 413… */
  | { kind: 'permanent'; status?: number; reason: string };

export interface PushProvider {
  send(credential: ProviderCredential, message: PushMessage): Promise<SendOutcome>;
  close(): Promise<void>;
}
