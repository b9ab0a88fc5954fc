import type { Challenge } from './challenge';
import { passkeyInvalid, PasskeyCode } from './errors';
import { sidPattern } from './sid';
import { base64url, decodeBase64url, SUPPORTED_ALGORITHMS } from './webauthn/parse';
import type { UserVerification } from './webauthn/verify';

/**
 * Twilio Verify Passkeys: the service's relying-party settings, a passkeys factor's effective config, and
 * the WebAuthn options Twilio shapes from them (reference passkeys.md §1.3, §1.5).
 */

export const AUTHENTICATOR_ATTACHMENTS = ['platform', 'cross-platform', 'any'] as const;
export const CREDENTIAL_REQUIREMENTS = ['required', 'preferred', 'discouraged'] as const;
export type AuthenticatorAttachment = (typeof AUTHENTICATOR_ATTACHMENTS)[number];
export type Requirement = (typeof CREDENTIAL_REQUIREMENTS)[number];

/** A service's `Passkeys.*` settings; null where unset (the service JSON shows nulls). */
export interface PasskeysSettings {
  relyingParty: { id: string | null; name: string | null; origins: string[] | null };
  authenticatorAttachment: AuthenticatorAttachment | null;
  discoverableCredentials: Requirement | null;
  userVerification: Requirement | null;
}

export const NO_PASSKEYS_SETTINGS: PasskeysSettings = {
  relyingParty: { id: null, name: null, origins: null },
  authenticatorAttachment: null,
  discoverableCredentials: null,
  userVerification: null,
};

/** What a passkeys factor was created with: every field resolved (request `config`, else the service). */
export interface PasskeysConfig {
  relyingParty: { id: string; name: string; origins: string[] };
  authenticatorAttachment: AuthenticatorAttachment;
  discoverableCredentials: Requirement;
  userVerification: UserVerification;
}

/** How long the creation options are valid (Twilio's `timeout`), and the sign-in options. */
export const REGISTRATION_TIMEOUT_MS = 600_000;
export const AUTHENTICATION_TIMEOUT_MS = 300_000;
/** Origins per relying party. */
export const MAX_ORIGINS = 10;

/** A bare DNS name (`example.com`, `localhost`): no scheme, port, path or trailing dot. */
const RP_ID =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const isRelyingPartyId = (id: string) => RP_ID.test(id);

/**
 * An origin as it appears in clientDataJSON: `https://host[:port]`, `http://localhost[:port]` (a secure
 * context), or an Android app origin `android:apk-key-hash:<base64url>`. Nothing after the port.
 */
export function isOrigin(origin: string): boolean {
  if (/^android:apk-key-hash:[A-Za-z0-9_-]{16,}$/.test(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
}

export interface RequestedConfig {
  relyingParty?: { id?: string; name?: string; origins?: string[] };
  authenticatorAttachment?: AuthenticatorAttachment;
  discoverableCredentials?: Requirement;
  userVerification?: Requirement;
}

/**
 * A factor's config: each field from the request's `config`, else the service's `Passkeys.*` setting.
 * A missing relying party is 60371 (60372 for its ID); missing criteria 60393, naming them.
 */
export function resolvePasskeysConfig(
  service: PasskeysSettings,
  requested: RequestedConfig = {},
): PasskeysConfig {
  const rp = requested.relyingParty ?? {};
  const id = rp.id ?? service.relyingParty.id;
  const name = rp.name ?? service.relyingParty.name ?? id;
  const origins = rp.origins ?? service.relyingParty.origins;
  if (!id) {
    throw passkeyInvalid(
      PasskeyCode.relyingPartyId,
      'Relying party ID is not provided: set Passkeys.RelyingParty.Id on the service or config.relying_party.id',
      'config.relying_party.id',
    );
  }
  if (!origins || origins.length === 0) {
    throw passkeyInvalid(
      PasskeyCode.relyingParty,
      'Relying party origins are not provided: set Passkeys.RelyingParty.Origins on the service or config.relying_party.origins',
      'config.relying_party.origins',
    );
  }
  const criteria = {
    authenticatorAttachment: requested.authenticatorAttachment ?? service.authenticatorAttachment,
    discoverableCredentials: requested.discoverableCredentials ?? service.discoverableCredentials,
    userVerification: requested.userVerification ?? service.userVerification,
  };
  const missing = Object.entries(criteria).filter(([, value]) => !value);
  if (missing.length > 0) {
    const names = missing.map(([key]) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    throw passkeyInvalid(
      PasskeyCode.criteriaMissing,
      `Authenticator criteria are missing from the request and the service: ${names.join(', ')}`,
      'config',
    );
  }
  return {
    relyingParty: { id, name: name!, origins },
    authenticatorAttachment: criteria.authenticatorAttachment!,
    discoverableCredentials: criteria.discoverableCredentials!,
    userVerification: criteria.userVerification!,
  };
}

/**
 * The WebAuthn challenge for a factor or challenge SID: base64url of the SID's ASCII text, as Twilio does.
 * SIDs are letters and hex digits, so this never holds `-` or `_`, which Twilio's web SDK (`atob`) cannot
 * decode. The SID is found again from the challenge the client signed.
 */
export const webauthnChallenge = (sid: string) => base64url(Buffer.from(sid, 'ascii'));

/** The SID a signed challenge names, when it is the base64url of a SID with `prefix`; else undefined. */
export function sidOfChallenge(challenge: string, prefix: 'YF' | 'YC'): string | undefined {
  if (challenge.length > 64) return undefined;
  const sid = decodeBase64url(challenge)?.toString('latin1');
  return sid !== undefined && sidPattern(prefix).test(sid) && webauthnChallenge(sid) === challenge
    ? sid
    : undefined;
}

/** A registered credential, as stored with its factor (public: never secret, but never in events or logs). */
export interface PasskeyCredential {
  /** base64url of the credential ID. */
  id: string;
  /** base64url of the COSE_Key. */
  publicKey: string;
  alg: number;
  transports: string[];
  backupEligible: boolean;
  aaguid: string;
}

/**
 * A credential found by its ID (one read, `Keys.passkeyCredential`): what an assertion is verified against,
 * where its factor lives, and the state an assertion moves (sign count, backup state).
 */
export interface PasskeyCredentialRecord extends PasskeyCredential {
  accountSid: string;
  serviceSid: string;
  identity: string;
  entitySid: string;
  factorSid: string;
  factorFriendlyName: string;
  rpId: string;
  signCount: number;
  backupState: boolean;
}

/** The options of a sign-in challenge, kept with it: what the assertion is checked against. */
export interface PasskeyChallengeOptions {
  rpId: string;
  origins: string[];
  userVerification: UserVerification;
  /** base64url credential IDs; empty for a usernameless (discoverable) sign-in. */
  allowCredentials: string[];
  timeout: number;
  /**
   * Created for an identity: its Challenge item is in the entity's partition from the start. A usernameless
   * challenge has no entity until a credential answers it, and is stored there when approved.
   */
  bound: boolean;
}

export type PasskeyChallenge = Challenge & { passkeys: PasskeyChallengeOptions };

const descriptor = (id: string, transports: string[] = []) => ({
  type: 'public-key',
  id,
  ...(transports.length > 0 ? { transports } : {}),
});

/** `options.publicKey` of a new factor: PublicKeyCredentialCreationOptionsJSON as Twilio shapes it. */
export function creationOptions(
  factor: { sid: string; entitySid: string; friendlyName: string; config: PasskeysConfig },
  existing: PasskeyCredential[],
) {
  const { config } = factor;
  return {
    rp: { id: config.relyingParty.id, name: config.relyingParty.name },
    user: {
      id: webauthnChallenge(factor.entitySid),
      name: factor.friendlyName,
      displayName: factor.friendlyName,
    },
    challenge: webauthnChallenge(factor.sid),
    // An array (the spec's example prints an object, which browsers reject), most preferred first.
    pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ type: 'public-key', alg })),
    timeout: REGISTRATION_TIMEOUT_MS,
    excludeCredentials: existing.map((c) => descriptor(c.id, c.transports)),
    authenticatorSelection: {
      ...(config.authenticatorAttachment === 'any'
        ? {}
        : { authenticatorAttachment: config.authenticatorAttachment }),
      requireResidentKey: config.discoverableCredentials === 'required',
      residentKey: config.discoverableCredentials,
      userVerification: config.userVerification,
    },
    attestation: 'none',
  };
}

/** `options` of a sign-in challenge: `{publicKey: {challenge, timeout, rpId, allowCredentials, userVerification}}`. */
export const requestOptions = (challenge: PasskeyChallenge) => ({
  publicKey: {
    challenge: webauthnChallenge(challenge.sid),
    timeout: challenge.passkeys.timeout,
    rpId: challenge.passkeys.rpId,
    allowCredentials: challenge.passkeys.allowCredentials.map((id) => descriptor(id)),
    userVerification: challenge.passkeys.userVerification,
  },
});
