// @ts-nocheck
import type { Factor, StringMap } from './factor';
import { pushTarget, type Notification, type PushPlatform } from './notification';
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

export const CHALLENGE_STATUSES = ['pending', 'expired', 'approved', 'denied'] as const;
export type ChallengeStatus = (typeof CHALLENGE_STATUSES)[number];
export const MAX_CHALLENGE_ATTEMPTS = 5;
export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_CHALLENGE_TTL_MS = 60 * 60_000;

export interface ChallengeField {
  label: string;
  value: string;
}

export interface Challenge {
  sid: string;
  accountSid: string;
  serviceSid: string;
  entitySid: string;
  identity: string;
  factorSid: string;
  factorType: Factor['factorType'];
  /** The factor's friendly name when the challenge was created (for events and webhooks; PII). */
  factorFriendlyName?: string;
  /** The stored status; read it through `effectiveStatus`, which knows about the clock. */
  status: ChallengeStatus;
  respondedReason: 'none';
  message: string | null;
  fields: ChallengeField[];
  /** Whether `details.date` is shown: the service's `Push.IncludeDate` when the challenge was created. */
  includeDate: boolean;
  hiddenDetails: StringMap | null;
  metadata: StringMap | null;
  /** Wrong TOTP codes for this challenge. */
  failedAttempts: number;
  dateCreated: string;
  dateUpdated: string;
  dateResponded: string | null;
  expirationDate: string;
  /**
   * Push challenges whose factor could receive notifications when it was created: the platform notified
   * then (the stream asks the sender for it), and the resends requested since.
   */
  pushPlatform?: PushPlatform;
  notifications?: Notification[];
}

/** A pending challenge past its expiration date is expired, whether or not that has been stored yet. */
export function effectiveStatus(challenge: Challenge, now: Date): ChallengeStatus {
  return challenge.status === 'pending' && Date.parse(challenge.expirationDate) <= now.getTime()
    ? 'expired'
    : challenge.status;
}

export interface NewChallenge {
  factor: Factor;
  includeDate: boolean;
  expirationDate: Date;
  message?: string;
  fields?: ChallengeField[];
  hiddenDetails?: StringMap;
}

export function newChallenge(input: NewChallenge, now: Date): Challenge {
  const { factor } = input;
  const target = pushTarget(factor);
  return {
    ...('platform' in target ? { pushPlatform: target.platform } : {}),
    sid: newSid(SidPrefix.challenge, now),
    accountSid: factor.accountSid,
    serviceSid: factor.serviceSid,
    entitySid: factor.entitySid,
    identity: factor.identity,
    factorSid: factor.sid,
    factorType: factor.factorType,
    factorFriendlyName: factor.friendlyName,
    status: 'pending',
    respondedReason: 'none',
    message: input.message ?? null,
    fields: input.fields ?? [],
    includeDate: input.includeDate,
    hiddenDetails: input.hiddenDetails ?? null,
    metadata: null,
    failedAttempts: 0,
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
    dateResponded: null,
    expirationDate: formatDate(input.expirationDate),
  };
}

/** The challenge after an answer: approved or denied, responded now, with the device's metadata if any. */
export function respond(
  challenge: Challenge,
  status: 'approved' | 'denied',
  now: Date,
  metadata?: StringMap,
): Challenge {
  return {
    ...challenge,
    status,
    metadata: metadata ?? challenge.metadata,
    dateUpdated: formatDate(now),
    dateResponded: formatDate(now),
  };
}

/** `details` as Twilio shows it; `date` only when the service asked for it (never `"date": null`). */
export function challengeDetails(challenge: Challenge) {
  if (challenge.message === null) return null;
  return {
    message: challenge.message,
    ...(challenge.includeDate ? { date: challenge.dateCreated } : {}),
    fields: challenge.fields,
  };
}

/**
 * The fields a device signs when it answers (advertised in `Twilio-Verify-Signature-Fields`): what
 * identifies the challenge and what the user was shown, and nothing that changes before the answer
 * (`status`, `date_updated`, `metadata`). `hidden_details` is included when there are any.
 */
export function signedFields(challenge: Challenge): Record<string, unknown> {
  return {
    sid: challenge.sid,
    account_sid: challenge.accountSid,
    service_sid: challenge.serviceSid,
    entity_sid: challenge.entitySid,
    identity: challenge.identity,
    factor_sid: challenge.factorSid,
    date_created: challenge.dateCreated,
    expiration_date: challenge.expirationDate,
    details: challengeDetails(challenge),
    ...(challenge.hiddenDetails ? { hidden_details: challenge.hiddenDetails } : {}),
  };
}
