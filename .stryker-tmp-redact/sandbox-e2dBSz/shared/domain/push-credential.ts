// @ts-nocheck
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

/**
 * A push credential (Twilio Notify v1 `Credentials`): what a service's push notifications are sent with.
 * `apn` sends to Apple (token auth with a `.p8` key, or a TLS client certificate), `fcm` to Google's FCM
 * HTTP v1 API (a service account). The secret is sealed at rest, bound to the credential's SID, and never
 * leaves the service: no response, log or event carries it.
 */
export const PUSH_CREDENTIAL_TYPES = ['apn', 'fcm'] as const;
export type PushCredentialType = (typeof PUSH_CREDENTIAL_TYPES)[number];

export interface PushCredential {
  sid: string;
  accountSid: string;
  type: PushCredentialType;
  friendlyName: string | null;
  /** apn: Apple's sandbox host instead of production. Always false for fcm. */
  sandbox: boolean;
  /** The provider secret as JSON (`shared/push`), sealed with `credentialSecretContext(sid)`. */
  sealedSecret: string;
  dateCreated: string;
  dateUpdated: string;
}

export function newPushCredential(
  accountSid: string,
  input: { type: PushCredentialType; friendlyName: string | null; sandbox: boolean },
  now: Date,
): Omit<PushCredential, 'sealedSecret'> {
  return {
    sid: newSid(SidPrefix.credential, now),
    accountSid,
    type: input.type,
    friendlyName: input.friendlyName,
    sandbox: input.type === 'apn' && input.sandbox,
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
  };
}

/** The sealing context of a credential's secret: a sealed secret copied onto another credential does not open. */
export const credentialSecretContext = (sid: string) => `push-credential:${sid}`;
