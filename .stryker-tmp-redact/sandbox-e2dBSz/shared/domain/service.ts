// @ts-nocheck
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

export const TOTP_DEFAULTS = { timeStep: 30, codeLength: 6, skew: 1 } as const;

export interface Service {
  sid: string;
  accountSid: string;
  friendlyName: string;
  push: { includeDate: boolean; apnCredentialSid: string | null; fcmCredentialSid: string | null };
  /** `issuer` null means "use the friendly name", as Twilio documents. */
  totp: { issuer: string | null; timeStep: number; codeLength: number; skew: number };
  dateCreated: string;
  dateUpdated: string;
}

export interface ServiceChanges {
  friendlyName?: string;
  pushIncludeDate?: boolean;
  pushApnCredentialSid?: string;
  pushFcmCredentialSid?: string;
  totpIssuer?: string;
  totpTimeStep?: number;
  totpCodeLength?: number;
  totpSkew?: number;
}

export function createService(
  accountSid: string,
  input: ServiceChanges & { friendlyName: string },
  now: Date,
) {
  const base: Service = {
    sid: newSid(SidPrefix.service, now),
    accountSid,
    friendlyName: input.friendlyName,
    push: { includeDate: false, apnCredentialSid: null, fcmCredentialSid: null },
    totp: { issuer: null, ...TOTP_DEFAULTS },
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
  };
  return updateService(base, input, now);
}

export function updateService(service: Service, changes: ServiceChanges, now: Date): Service {
  return {
    ...service,
    friendlyName: changes.friendlyName ?? service.friendlyName,
    push: {
      includeDate: changes.pushIncludeDate ?? service.push.includeDate,
      apnCredentialSid: changes.pushApnCredentialSid ?? service.push.apnCredentialSid,
      fcmCredentialSid: changes.pushFcmCredentialSid ?? service.push.fcmCredentialSid,
    },
    totp: {
      issuer: changes.totpIssuer ?? service.totp.issuer,
      timeStep: changes.totpTimeStep ?? service.totp.timeStep,
      codeLength: changes.totpCodeLength ?? service.totp.codeLength,
      skew: changes.totpSkew ?? service.totp.skew,
    },
    dateUpdated: formatDate(now),
  };
}

export const totpIssuer = (service: Service) => service.totp.issuer ?? service.friendlyName;
