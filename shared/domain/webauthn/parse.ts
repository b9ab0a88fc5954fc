import { decodePartialCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { passkeyInvalid, PasskeyCode } from '../errors';

/**
 * Parsers for what a browser sends back from `navigator.credentials.create()`/`get()` (W3C WebAuthn L3):
 * strict base64url, the client data JSON, the authenticator data with its attested credential data, the
 * CBOR attestation object and COSE public keys. Every slice is bounds-checked, and every malformed input is
 * a DomainError with Twilio's passkeys code, never another exception.
 */

/** base64url without padding, as WebAuthn JSON carries every binary field. */
export const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/**
 * base64url or base64 text, padded or not; anything else (Node's decoder skips bad characters) undefined.
 * Node's `base64url` decoder reads both alphabets and ignores the padding, once the text is checked here.
 */
const BASE64ISH = /^[A-Za-z0-9_+/-]*={0,2}$/;

export function decodeBase64url(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64ISH.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64url');
}

/** A binary field that must be there and be base64url: its bytes, else a 400 with `code` naming it. */
export function requireBytes(text: unknown, code: PasskeyCode, name: string): Buffer {
  const bytes = decodeBase64url(text);
  if (!bytes || bytes.length === 0) {
    throw passkeyInvalid(code, `${name} is missing or not base64url`, name);
  }
  return bytes;
}

/** Authenticator data flags (W3C §6.1). */
export const Flag = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin: boolean;
  topOrigin?: string;
  /** The bytes as received: what the signature covers (hashed), never a re-serialisation. */
  raw: Buffer;
}

const MAX_CLIENT_DATA_BYTES = 4096;

/** `response.clientDataJSON`: base64url of UTF-8 JSON with `type`, `challenge` and `origin` strings. */
export function parseClientData(encoded: unknown): ClientData {
  const raw = requireBytes(encoded, PasskeyCode.clientData, 'response.clientDataJSON');
  const invalid = (why: string) =>
    passkeyInvalid(PasskeyCode.clientData, `response.clientDataJSON ${why}`, 'response.clientDataJSON');
  if (raw.length > MAX_CLIENT_DATA_BYTES) throw invalid(`is longer than ${MAX_CLIENT_DATA_BYTES} bytes`);
  let json: unknown;
  try {
    // A BOM is allowed before the JSON (W3C §7.1 step 5: UTF-8 decode).
    json = JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw invalid('is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('is not a JSON object');
  const { type, challenge, origin, crossOrigin, topOrigin } = json as Record<string, unknown>;
  if (typeof type !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') {
    throw invalid('lacks its type, challenge or origin');
  }
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean')
    throw invalid('crossOrigin is not a boolean');
  if (topOrigin !== undefined && typeof topOrigin !== 'string') throw invalid('topOrigin is not a string');
  return {
    type,
    challenge,
    origin,
    crossOrigin: crossOrigin === true,
    ...(topOrigin === undefined ? {} : { topOrigin }),
    raw,
  };
}

export interface AttestedCredential {
  aaguid: Buffer;
  credentialId: Buffer;
  /** The COSE_Key bytes exactly as the authenticator encoded them (stored, then parsed at each assertion). */
  publicKey: Buffer;
}

export interface AuthenticatorData {
  raw: Buffer;
  rpIdHash: Buffer;
  flags: number;
  signCount: number;
  attested?: AttestedCredential;
}

/** Header: rpIdHash (32) ‖ flags (1) ‖ signCount (4); attested data: aaguid (16) ‖ credIdLen (2) ‖ credId. */
const HEADER = 37;
const ATTESTED_HEADER = HEADER + 16 + 2;
/** W3C §6.5.1: credentialIdLength ≤ 1023. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;

const authDataInvalid = (why: string) =>
  passkeyInvalid(PasskeyCode.authenticatorData, `Authenticator data ${why}`, 'authenticatorData');

/**
 * One CBOR item at `offset` and its length, or undefined when the bytes there are not well-formed CBOR.
 * tiny-cbor is given an exact copy: it reads a byte string by slicing the underlying ArrayBuffer, which for
 * a pooled Buffer holds unrelated bytes past the view; in an exact copy a length that runs past the end
 * only comes up short, and the item's claimed size (checked here) gives it away.
 */
function cborAt(bytes: Buffer, offset: number): [CBORType, number] | undefined {
  const copy = new Uint8Array(bytes.subarray(offset));
  try {
    const [value, used] = decodePartialCBOR(copy, 0);
    return used <= copy.length ? [value, used] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Authenticator data (W3C §6.1), every slice bounds-checked: the 37-byte header, then attested credential
 * data exactly when AT is set, then an extensions map exactly when ED is set, and nothing after.
 */
export function parseAuthenticatorData(raw: Buffer): AuthenticatorData {
  if (raw.length < HEADER) throw authDataInvalid(`is ${raw.length} bytes, shorter than ${HEADER}`);
  const flags = raw[32]!;
  let offset = HEADER;
  let attested: AttestedCredential | undefined;
  if (flags & Flag.AT) {
    if (raw.length < ATTESTED_HEADER) throw authDataInvalid('ends inside its attested credential data');
    const idLength = raw.readUInt16BE(HEADER + 16);
    if (idLength === 0 || idLength > MAX_CREDENTIAL_ID_BYTES) {
      throw authDataInvalid(`has a credential ID of ${idLength} bytes`);
    }
    const keyStart = ATTESTED_HEADER + idLength;
    if (keyStart >= raw.length) throw authDataInvalid('ends inside its credential ID');
    const key = cborAt(raw, keyStart);
    if (!key || !(key[0] instanceof Map)) throw authDataInvalid('has no COSE public key');
    offset = keyStart + key[1];
    attested = {
      aaguid: raw.subarray(HEADER, HEADER + 16),
      credentialId: raw.subarray(ATTESTED_HEADER, keyStart),
      publicKey: raw.subarray(keyStart, offset),
    };
  }
  if (flags & Flag.ED) {
    const extensions = cborAt(raw, offset); // undefined at the end of the data
    if (!extensions || !(extensions[0] instanceof Map)) throw authDataInvalid('has no extensions map');
    offset += extensions[1];
  }
  if (offset !== raw.length) throw authDataInvalid(`has ${raw.length - offset} unexpected trailing bytes`);
  return {
    raw,
    rpIdHash: raw.subarray(0, 32),
    flags,
    signCount: raw.readUInt32BE(33),
    ...(attested && { attested }),
  };
}

export interface AttestationObject {
  fmt: string;
  attStmt: Map<string | number, CBORType>;
  authData: Buffer;
}

const MAX_ATTESTATION_BYTES = 16 * 1024;

/** `response.attestationObject`: a CBOR map of `fmt` (text), `attStmt` (map) and `authData` (bytes). */
export function parseAttestationObject(encoded: unknown): AttestationObject {
  const bytes = requireBytes(encoded, PasskeyCode.attestationObject, 'response.attestationObject');
  const invalid = (why: string) =>
    passkeyInvalid(
      PasskeyCode.attestationObject,
      `response.attestationObject ${why}`,
      'response.attestationObject',
    );
  if (bytes.length > MAX_ATTESTATION_BYTES) throw invalid(`is longer than ${MAX_ATTESTATION_BYTES} bytes`);
  const decoded = cborAt(bytes, 0);
  if (!decoded || !(decoded[0] instanceof Map)) throw invalid('is not a CBOR map');
  if (decoded[1] !== bytes.length) throw invalid('has trailing bytes');
  const map = decoded[0];
  const fmt = map.get('fmt');
  const attStmt = map.get('attStmt');
  const authData = map.get('authData');
  if (typeof fmt !== 'string') throw invalid('has no fmt');
  if (!(attStmt instanceof Map)) throw invalid('has no attStmt map');
  if (!(authData instanceof Uint8Array)) throw invalid('has no authData');
  return { fmt, attStmt, authData: Buffer.from(authData) };
}

/** COSE algorithm identifiers this verifier checks signatures for (IANA COSE registry). */
export const COSE_ALG = { ES256: -7, EdDSA: -8, RS256: -257 } as const;
export const SUPPORTED_ALGORITHMS: readonly number[] = [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256];

export interface PublicKey {
  alg: number;
  key: KeyObject;
}

const publicKeyInvalid = (why: string) =>
  passkeyInvalid(PasskeyCode.publicKey, `Credential public key ${why}`, 'publicKey');

const bytesOf = (map: Map<string | number, CBORType>, label: number, length?: number) => {
  const value = map.get(label);
  if (!(value instanceof Uint8Array) || (length !== undefined && value.length !== length)) {
    throw publicKeyInvalid(`parameter ${label} is missing or of the wrong size`);
  }
  return base64url(value);
};

/**
 * A COSE_Key (RFC 9053) as a Node key: EC2 P-256 with ES256, OKP Ed25519 with EdDSA, RSA with RS256.
 * Any other key type, curve or algorithm, or a key Node refuses (a point off the curve), is a 400.
 */
export function parseCoseKey(bytes: Buffer): PublicKey {
  const decoded = cborAt(bytes, 0);
  if (!decoded || !(decoded[0] instanceof Map) || decoded[1] !== bytes.length) {
    throw publicKeyInvalid('is not a COSE key');
  }
  const cose = decoded[0];
  const kty = cose.get(1);
  const alg = cose.get(3);
  let jwk: Record<string, string>;
  if (alg === COSE_ALG.ES256 && kty === 2 && cose.get(-1) === 1) {
    jwk = { kty: 'EC', crv: 'P-256', x: bytesOf(cose, -2, 32), y: bytesOf(cose, -3, 32) };
  } else if (alg === COSE_ALG.EdDSA && kty === 1 && cose.get(-1) === 6) {
    jwk = { kty: 'OKP', crv: 'Ed25519', x: bytesOf(cose, -2, 32) };
  } else if (alg === COSE_ALG.RS256 && kty === 3) {
    jwk = { kty: 'RSA', n: bytesOf(cose, -1), e: bytesOf(cose, -2) };
  } else {
    throw publicKeyInvalid(
      `has an unsupported key type or algorithm (kty ${String(kty)}, alg ${String(alg)})`,
    );
  }
  try {
    return { alg, key: createPublicKey({ key: jwk, format: 'jwk' }) };
  } catch {
    throw publicKeyInvalid('is not a valid key');
  }
}

/**
 * A credential ID as a client sends it: base64url (WebAuthn JSON), base64, or hex (a Twilio spec example's
 * `rawId`). Hex is tried only for even-length all-hex text that is not also the base64url of the expected
 * bytes; callers compare the result with the ID they expect.
 */
export function credentialIdCandidates(text: unknown): Buffer[] {
  if (typeof text !== 'string') return []; // '' decodes to no bytes and is no hex: no candidates
  const candidates: Buffer[] = [];
  const b64 = decodeBase64url(text);
  if (b64 && b64.length > 0) candidates.push(b64);
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) candidates.push(Buffer.from(text, 'hex'));
  return candidates;
}
