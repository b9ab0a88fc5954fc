import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests: real keys (ES256, RS256, EdDSA) from node:crypto, authenticator
 * data, CBOR attestation objects and signed assertions built byte by byte as W3C WebAuthn L3 lays them out,
 * and the JSON a browser's `PublicKeyCredential.toJSON()` (or Twilio's SDKs) posts. Every part can be
 * overridden, so a test can tamper with exactly one field.
 */

export type Algorithm = 'ES256' | 'RS256' | 'EdDSA';
const COSE_ALG: Record<Algorithm, number> = { ES256: -7, RS256: -257, EdDSA: -8 };

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** RSA key generation takes up to seconds on a loaded machine: every RS256 authenticator shares one key. */
let rsaKeys: ReturnType<typeof generateKeyPairSync> | undefined;

export function keyPair(alg: Algorithm) {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return (rsaKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
  return generateKeyPairSync('ed25519');
}

/** The COSE_Key (RFC 9053) of a public key, CBOR-encoded with integer labels. */
export function coseKey(publicKey: KeyObject, alg: Algorithm, overrides: Map<number, CBORType> = new Map()) {
  const jwk = publicKey.export({ format: 'jwk' });
  const bytes = (text: string | undefined) => new Uint8Array(Buffer.from(text!, 'base64url'));
  const map = new Map<number, CBORType>();
  if (alg === 'ES256') {
    map.set(1, 2).set(3, -7).set(-1, 1).set(-2, bytes(jwk.x)).set(-3, bytes(jwk.y));
  } else if (alg === 'RS256') {
    map.set(1, 3).set(3, -257).set(-1, bytes(jwk.n)).set(-2, bytes(jwk.e));
  } else {
    map.set(1, 1).set(3, -8).set(-1, 6).set(-2, bytes(jwk.x));
  }
  for (const [label, value] of overrides) {
    if (value === undefined) map.delete(label);
    else map.set(label, value);
  }
  return Buffer.from(encodeCBOR(map));
}

export interface AuthDataParts {
  rpId: string;
  flags: number;
  signCount: number;
  attested?: { credentialId: Buffer; publicKey: Buffer; aaguid?: Buffer };
  extensions?: Buffer;
}

/** rpIdHash ‖ flags ‖ signCount ‖ [aaguid ‖ credIdLen ‖ credId ‖ COSE key] ‖ [extensions]. */
export function authenticatorData(parts: AuthDataParts): Buffer {
  const header = Buffer.alloc(37);
  sha256(parts.rpId).copy(header, 0);
  header[32] = parts.flags;
  header.writeUInt32BE(parts.signCount, 33);
  const chunks = [header];
  if (parts.attested) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(parts.attested.credentialId.length);
    chunks.push(
      Buffer.from(parts.attested.aaguid ?? Buffer.alloc(16)),
      length,
      Buffer.from(parts.attested.credentialId),
      Buffer.from(parts.attested.publicKey),
    );
  }
  if (parts.extensions) chunks.push(Buffer.from(parts.extensions));
  return Buffer.concat(chunks);
}

export const clientDataJSON = (data: Record<string, unknown>) => Buffer.from(JSON.stringify(data), 'utf8');

export function attestationObject(fmt: string, authData: Buffer, attStmt: Map<string, CBORType> = new Map()) {
  return Buffer.from(
    encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', fmt],
        ['attStmt', attStmt],
        ['authData', new Uint8Array(authData)],
      ]),
    ),
  );
}

export function signWith(alg: Algorithm, privateKey: KeyObject, data: Buffer) {
  if (alg === 'EdDSA') return sign(null, data, privateKey);
  if (alg === 'ES256') return sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
  return sign('sha256', data, privateKey);
}

export interface RegistrationOverrides {
  type?: string;
  clientData?: Record<string, unknown>;
  flags?: number;
  rpId?: string;
  fmt?: 'none' | 'packed' | string;
  attStmt?: Map<string, CBORType>;
  /** Replaces the encoded public key in the attested credential data. */
  publicKey?: Buffer;
  signCount?: number;
  credentialId?: Buffer;
}

export interface AssertionOverrides {
  type?: string;
  clientData?: Record<string, unknown>;
  flags?: number;
  rpId?: string;
  signCount?: number;
  /** Flips a bit of the signature. */
  badSignature?: boolean;
  userHandle?: string;
  id?: string;
}

/** One credential on one authenticator, for one relying party and origin. */
export class SoftwareAuthenticator {
  readonly credentialId: Buffer;
  readonly keys: ReturnType<typeof keyPair>;
  signCount: number;
  userHandle = '';

  constructor(
    readonly origin: string,
    readonly alg: Algorithm = 'ES256',
    options: { signCount?: number; credentialId?: Buffer; flags?: number } = {},
  ) {
    this.credentialId = options.credentialId ?? randomBytes(32);
    this.keys = keyPair(alg);
    this.signCount = options.signCount ?? 1;
    this.flags = options.flags ?? FLAGS.UP | FLAGS.UV;
  }

  readonly flags: number;
  get id() {
    return b64u(this.credentialId);
  }

  /** A registration response for `options` (the creation options' `publicKey`). */
  register(
    options: { challenge: string; rp: { id: string }; user: { id: string } },
    o: RegistrationOverrides = {},
  ) {
    this.userHandle = options.user.id;
    const clientData = clientDataJSON({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: this.origin,
      crossOrigin: false,
      ...o.clientData,
    });
    const credentialId = o.credentialId ?? this.credentialId;
    const authData = authenticatorData({
      rpId: o.rpId ?? options.rp.id,
      flags: o.flags ?? this.flags | FLAGS.AT,
      signCount: o.signCount ?? 0,
      attested: { credentialId, publicKey: o.publicKey ?? coseKey(this.keys.publicKey, this.alg) },
    });
    let attStmt = o.attStmt ?? new Map<string, CBORType>();
    if (o.fmt === 'packed' && !o.attStmt) {
      const sig = signWith(this.alg, this.keys.privateKey, Buffer.concat([authData, sha256(clientData)]));
      attStmt = new Map<string, CBORType>([
        ['alg', COSE_ALG[this.alg]],
        ['sig', new Uint8Array(sig)],
      ]);
    }
    return {
      id: b64u(credentialId),
      rawId: b64u(credentialId),
      type: o.type ?? 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientData),
        attestationObject: b64u(attestationObject(o.fmt ?? 'none', authData, attStmt)),
        transports: ['internal'],
      },
    };
  }

  /** An assertion for `options` (the request options' `publicKey`); the counter moves by one each time. */
  assert(options: { challenge: string; rpId: string }, o: AssertionOverrides = {}) {
    this.signCount += 1;
    const clientData = clientDataJSON({
      type: 'webauthn.get',
      challenge: options.challenge,
      origin: this.origin,
      crossOrigin: false,
      ...o.clientData,
    });
    const authData = authenticatorData({
      rpId: o.rpId ?? options.rpId,
      flags: o.flags ?? this.flags,
      signCount: o.signCount ?? this.signCount,
    });
    const signature = signWith(this.alg, this.keys.privateKey, Buffer.concat([authData, sha256(clientData)]));
    if (o.badSignature) signature[signature.length - 1]! ^= 0x01;
    return {
      id: o.id ?? this.id,
      rawId: o.id ?? this.id,
      type: o.type ?? 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        authenticatorData: b64u(authData),
        clientDataJSON: b64u(clientData),
        signature: b64u(signature),
        userHandle: o.userHandle ?? this.userHandle,
      },
    };
  }
}
