import type { CredentialBody } from '../app/passkeys';
import { IDENTITY_PATTERN } from '../domain/entity';
import { invalidParameter, missingParameter, passkeyInvalid, PasskeyCode } from '../domain/errors';
import {
  AUTHENTICATOR_ATTACHMENTS,
  CREDENTIAL_REQUIREMENTS,
  isOrigin,
  isRelyingPartyId,
  MAX_ORIGINS,
  type RequestedConfig,
} from '../domain/passkeys';
import { sidPattern } from '../domain/sid';

/**
 * The passkeys routes' JSON bodies. Keys come in Twilio's snake_case (the spec) or the camelCase that
 * twilio-node's TypeScript types lead callers to send (`friendlyName`, `factorSid`); unknown keys are
 * ignored. Every bad value is a 400 naming the field.
 */

type Json = Record<string, unknown>;

/** The value of the first of `names` present in `body` (own keys only: bodies have null prototypes). */
const field = (body: Json, ...names: string[]) => {
  const name = names.find((n) => Object.hasOwn(body, n));
  return name === undefined ? undefined : body[name];
};

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string field of at most `max` characters, or undefined when absent (or null). */
function optionalString(body: Json, names: string[], max: number): string | undefined {
  const value = field(body, ...names);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw invalidParameter(names[0]!, `must be a string of at most ${max} characters`);
  }
  return value;
}

function oneOf<const T extends readonly string[]>(
  body: Json,
  names: string[],
  values: T,
): T[number] | undefined {
  const value = optionalString(body, names, 64);
  if (value === undefined) return undefined;
  if (!values.includes(value)) throw invalidParameter(names[0]!, `must be one of: ${values.join(', ')}`);
  return value;
}

function identityOf(body: Json, required: boolean): string | undefined {
  const identity = optionalString(body, ['identity'], 64);
  if (identity === undefined) {
    if (required) throw missingParameter('identity');
    return undefined;
  }
  if (!IDENTITY_PATTERN.test(identity)) {
    throw invalidParameter(
      'identity',
      'must be 8 to 64 letters or digits, in groups joined by single dashes',
    );
  }
  return identity;
}

/** `relying_party.origins`: a list of origins, or one comma-separated string as the service setting takes. */
function originsOf(rp: Json): string[] | undefined {
  const value = field(rp, 'origins');
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? value.split(',').map((o) => o.trim()) : value;
  const name = 'config.relying_party.origins';
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ORIGINS) {
    throw passkeyInvalid(PasskeyCode.relyingParty, `${name} must list 1 to ${MAX_ORIGINS} origins`, name);
  }
  for (const origin of list) {
    if (typeof origin !== 'string' || !isOrigin(origin)) {
      throw passkeyInvalid(
        PasskeyCode.relyingParty,
        `${name} must be origins such as https://app.example.com (http only for localhost)`,
        name,
      );
    }
  }
  return [...new Set(list as string[])];
}

function configOf(body: Json): RequestedConfig | undefined {
  const config = field(body, 'config');
  if (config === undefined || config === null) return undefined;
  if (!isObject(config)) throw passkeyInvalid(PasskeyCode.relyingParty, 'config must be an object', 'config');
  const rp = field(config, 'relying_party', 'relyingParty');
  if (rp !== undefined && rp !== null && !isObject(rp)) {
    throw passkeyInvalid(
      PasskeyCode.relyingParty,
      'config.relying_party must be an object',
      'config.relying_party',
    );
  }
  let relyingParty: RequestedConfig['relyingParty'];
  if (isObject(rp)) {
    const id = optionalString(rp, ['id'], 253);
    if (id !== undefined && !isRelyingPartyId(id)) {
      throw passkeyInvalid(
        PasskeyCode.relyingPartyId,
        'config.relying_party.id must be a bare domain such as example.com (no scheme, port or path)',
        'config.relying_party.id',
      );
    }
    const name = optionalString(rp, ['name'], 255);
    const origins = originsOf(rp);
    relyingParty = { ...(id && { id }), ...(name && { name }), ...(origins && { origins }) };
  }
  const attachment = oneOf(
    config,
    ['authenticator_attachment', 'authenticatorAttachment'],
    AUTHENTICATOR_ATTACHMENTS,
  );
  const discoverable = oneOf(
    config,
    ['discoverable_credentials', 'discoverableCredentials'],
    CREDENTIAL_REQUIREMENTS,
  );
  const verification = oneOf(config, ['user_verification', 'userVerification'], CREDENTIAL_REQUIREMENTS);
  return {
    ...(relyingParty && { relyingParty }),
    ...(attachment && { authenticatorAttachment: attachment }),
    ...(discoverable && { discoverableCredentials: discoverable }),
    ...(verification && { userVerification: verification }),
  };
}

/** `POST /Passkeys/Factors`: `friendly_name` (60388 when missing), `identity`, optional `config`. */
export function newPasskeyFactorParams(body: Json) {
  const friendlyName = optionalString(body, ['friendly_name', 'friendlyName'], 255);
  if (friendlyName === undefined || friendlyName === '') {
    throw passkeyInvalid(
      PasskeyCode.displayName,
      'User display name not provided: friendly_name',
      'friendly_name',
    );
  }
  const identity = identityOf(body, true)!;
  const config = configOf(body);
  return { friendlyName, identity, ...(config && { config }) };
}

/** `POST /Passkeys/Challenges`: optional `identity` and `factor_sid`. */
export function passkeyChallengeParams(body: Json) {
  const identity = identityOf(body, false);
  const factorSid = optionalString(body, ['factor_sid', 'factorSid'], 34);
  if (factorSid !== undefined && !sidPattern('YF').test(factorSid)) {
    throw invalidParameter('factor_sid', 'must be a YF SID');
  }
  return { ...(identity && { identity }), ...(factorSid && { factorSid }) };
}

const MAX_FIELD = 16 * 1024;
const TRANSPORTS = ['usb', 'nfc', 'ble', 'smart-card', 'internal', 'hybrid', 'cable'];

/**
 * A credential posted to VerifyFactor or ApproveChallenge: WebAuthn's JSON (`PublicKeyCredential.toJSON()`
 * and Twilio's SDKs), with `response` required (60378). Binary fields stay text here; the verifier
 * decodes them strictly. `authenticatorAttachment` is a client hint: checked for shape, never trusted.
 */
export function credentialParams(body: Json): CredentialBody {
  const response = field(body, 'response');
  if (!isObject(response)) {
    throw passkeyInvalid(PasskeyCode.response, 'Authenticator response not provided: response', 'response');
  }
  const text = (obj: Json, names: string[]) => optionalString(obj, names, MAX_FIELD);
  const attachment = field(body, 'authenticatorAttachment', 'authenticator_attachment');
  if (
    attachment !== undefined &&
    attachment !== null &&
    attachment !== 'platform' &&
    attachment !== 'cross-platform'
  ) {
    throw passkeyInvalid(
      PasskeyCode.authenticatorAttachment,
      'authenticatorAttachment must be platform or cross-platform',
      'authenticatorAttachment',
    );
  }
  const transports = field(response, 'transports');
  if (transports !== undefined && (!Array.isArray(transports) || transports.length > 10)) {
    throw invalidParameter('response.transports', 'must be a list of at most 10 transports');
  }
  const userHandle = field(response, 'userHandle', 'user_handle');
  const result: CredentialBody = {
    response: {
      clientDataJSON: text(response, ['clientDataJSON', 'client_data_json']),
      attestationObject: text(response, ['attestationObject', 'attestation_object']),
      authenticatorData: text(response, ['authenticatorData', 'authenticator_data']),
      signature: text(response, ['signature']),
      // An empty or null user handle (Twilio's web SDK sends "") is no user handle.
      userHandle: userHandle === null ? undefined : text(response, ['userHandle', 'user_handle']),
      transports: (transports ?? []).filter(
        (t): t is string => typeof t === 'string' && TRANSPORTS.includes(t),
      ),
    },
  };
  const id = text(body, ['id']);
  const rawId = text(body, ['rawId', 'raw_id']);
  const type = text(body, ['type']);
  return {
    ...result,
    ...(id !== undefined && { id }),
    ...(rawId !== undefined && { rawId }),
    ...(type !== undefined && { type }),
  };
}
