import {
  NO_PASSKEYS_SETTINGS,
  type AuthenticatorAttachment,
  type PasskeysSettings,
  type Requirement,
} from './passkeys';
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
  /** Absent on services stored before passkeys: read it through `passkeysOf`. */
  passkeys?: PasskeysSettings;
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
  passkeysRpId?: string;
  passkeysRpName?: string;
  passkeysRpOrigins?: string[];
  passkeysAuthenticatorAttachment?: AuthenticatorAttachment;
  passkeysDiscoverableCredentials?: Requirement;
  passkeysUserVerification?: Requirement;
}

export const passkeysOf = (service: Service): PasskeysSettings => service.passkeys ?? NO_PASSKEYS_SETTINGS;

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
    passkeys: updatePasskeys(passkeysOf(service), changes),
    dateUpdated: formatDate(now),
  };
}

function updatePasskeys(current: PasskeysSettings, changes: ServiceChanges): PasskeysSettings {
  return {
    relyingParty: {
      id: changes.passkeysRpId ?? current.relyingParty.id,
      name: changes.passkeysRpName ?? current.relyingParty.name,
      origins: changes.passkeysRpOrigins ?? current.relyingParty.origins,
    },
    authenticatorAttachment: changes.passkeysAuthenticatorAttachment ?? current.authenticatorAttachment,
    discoverableCredentials: changes.passkeysDiscoverableCredentials ?? current.discoverableCredentials,
    userVerification: changes.passkeysUserVerification ?? current.userVerification,
  };
}

export const totpIssuer = (service: Service) => service.totp.issuer ?? service.friendlyName;
