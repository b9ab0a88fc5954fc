// @ts-nocheck
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';
import type { Entity } from './entity';
import type { LockState } from './lockout';
import type { Service } from './service';
import type { TotpConfig } from './totp';

export const MAX_PUSH_FACTORS_PER_ENTITY = 20;

export const NOTIFICATION_PLATFORMS = ['apn', 'fcm', 'none'] as const;
export type NotificationPlatform = (typeof NOTIFICATION_PLATFORMS)[number];
export type FactorStatus = 'unverified' | 'verified';
export type StringMap = Record<string, string>;

/** `failedAttempts` and `lockedUntil`: the factor-wide brute-force limit (`lockout.ts`). */
interface FactorBase extends LockState {
  sid: string;
  accountSid: string;
  serviceSid: string;
  entitySid: string;
  identity: string;
  friendlyName: string;
  status: FactorStatus;
  metadata: StringMap | null;
  dateCreated: string;
  dateUpdated: string;
}

export interface TotpFactor extends FactorBase {
  factorType: 'totp';
  config: TotpConfig;
  /** The Base32 secret, sealed by the secret cipher; the domain never stores it in the clear. */
  sealedSecret: string;
  /** The latest TOTP time step accepted for this factor; codes at or before it are replays. */
  lastAcceptedStep: number | null;
}

export interface PushConfig {
  sdkVersion: string | null;
  appId: string | null;
  notificationPlatform: NotificationPlatform;
  notificationToken: string | null;
  /** Identifies the device key; the SDKs put it in the `kid` of every device JWT. */
  credentialSid: string;
}

export interface PushFactor extends FactorBase {
  factorType: 'push';
  config: PushConfig;
  binding: { alg: 'ES256'; publicKey: string };
  /** A notification token APNs or FCM declared dead: nothing is sent to it (`notification.ts`). */
  deadNotificationToken?: string;
}

export type Factor = TotpFactor | PushFactor;

interface NewFactorCommon {
  sid: string;
  entity: Entity;
  friendlyName: string;
  metadata?: StringMap;
}

export function resolveTotpConfig(service: Service, requested: Partial<TotpConfig>): TotpConfig {
  return {
    alg: requested.alg ?? 'sha1',
    skew: requested.skew ?? service.totp.skew,
    codeLength: requested.codeLength ?? service.totp.codeLength,
    timeStep: requested.timeStep ?? service.totp.timeStep,
  };
}

const common = (input: NewFactorCommon, now: Date) => ({
  sid: input.sid,
  accountSid: input.entity.accountSid,
  serviceSid: input.entity.serviceSid,
  entitySid: input.entity.sid,
  identity: input.entity.identity,
  friendlyName: input.friendlyName,
  status: 'unverified' as const,
  metadata: input.metadata ?? null,
  failedAttempts: 0,
  lockedUntil: null,
  dateCreated: formatDate(now),
  dateUpdated: formatDate(now),
});

export function newTotpFactor(
  input: NewFactorCommon & { config: TotpConfig; sealedSecret: string },
  now: Date,
): TotpFactor {
  return {
    ...common(input, now),
    factorType: 'totp',
    config: input.config,
    sealedSecret: input.sealedSecret,
    lastAcceptedStep: null,
  };
}

export function newPushFactor(
  input: NewFactorCommon & { publicKey: string; config: Omit<PushConfig, 'credentialSid'> },
  now: Date,
): PushFactor {
  return {
    ...common(input, now),
    factorType: 'push',
    config: { ...input.config, credentialSid: newSid(SidPrefix.credential, now) },
    binding: { alg: 'ES256', publicKey: input.publicKey },
  };
}

export interface FactorChanges {
  friendlyName?: string;
  metadata?: StringMap;
  totp?: Partial<TotpConfig>;
  push?: Partial<Omit<PushConfig, 'credentialSid'>>;
}

/** Applies the non-verification changes of `POST …/Factors/{Sid}`; settings of the other type are ignored. */
export function updateFactor(factor: Factor, changes: FactorChanges, now: Date): Factor {
  const base = {
    friendlyName: changes.friendlyName ?? factor.friendlyName,
    metadata: changes.metadata ?? factor.metadata,
    dateUpdated: formatDate(now),
  };
  if (factor.factorType === 'totp')
    return { ...factor, ...base, config: { ...factor.config, ...changes.totp } };
  return { ...factor, ...base, config: { ...factor.config, ...changes.push } };
}
