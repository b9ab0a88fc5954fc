// TEMPORARY stand-in until the provider layer lands (issue8-providers branch): the agreed interface.
export interface FcmServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}
export type ApnAuth =
  | { kind: 'token'; teamId: string; keyId: string; privateKey: string }
  | { kind: 'certificate'; certificate: string; privateKey: string };
export type ProviderCredential =
  | { type: 'fcm'; sid: string; serviceAccount: FcmServiceAccount }
  | { type: 'apn'; sid: string; sandbox: boolean; auth: ApnAuth };
export interface PushMessage {
  challengeSid: string;
  factorSid: string;
  message: string;
  token: string;
  appId: string;
  ttlSeconds: number;
  now: Date;
}
export type SendOutcome =
  | { kind: 'sent'; id?: string }
  | { kind: 'dead-token'; status: number; reason: string }
  | { kind: 'retry'; status?: number; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; status?: number; reason: string };
export interface PushProvider {
  send(credential: ProviderCredential, message: PushMessage): Promise<SendOutcome>;
  close(): Promise<void>;
}
