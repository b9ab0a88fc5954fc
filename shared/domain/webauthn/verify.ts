import { createHash, verify } from 'node:crypto';
import { passkeyInvalid, PasskeyCode } from '../errors';
import {
  base64url,
  COSE_ALG,
  credentialIdCandidates,
  decodeBase64url,
  Flag,
  parseAttestationObject,
  parseAuthenticatorData,
  parseCoseKey,
  requireBytes,
  type AuthenticatorData,
  type ClientData,
  type PublicKey,
} from './parse';

/**
 * WebAuthn Level 3 relying-party verification: §7.1 (registering a new credential) and §7.2 (verifying an
 * authentication assertion), for attestation `none` and `packed` self-attestation with ES256, RS256 and
 * EdDSA keys. Looking the challenge up, keeping it single-use and the credential ID unique per service are
 * the caller's (the stored record and its conditional write); everything a credential itself proves is
 * checked here. Every failure throws a DomainError with Twilio's passkeys code.
 */

export type UserVerification = 'required' | 'preferred' | 'discouraged';

export interface Expectations {
  /** The challenge issued, as the base64url text the client data must carry. */
  challenge: string;
  /** Allowed origins, compared as exact strings (`https://host[:port]`). */
  origins: readonly string[];
  rpId: string;
  userVerification: UserVerification;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const clientDataInvalid = (why: string) =>
  passkeyInvalid(PasskeyCode.clientData, `response.clientDataJSON ${why}`, 'response.clientDataJSON');
const authDataInvalid = (why: string) =>
  passkeyInvalid(PasskeyCode.authenticatorData, `Authenticator data ${why}`, 'authenticatorData');

/** §7.1 steps 7–11 / §7.2 steps 11–15: the client data is for this ceremony, challenge and origin. */
export function checkClientData(
  clientData: ClientData,
  type: 'webauthn.create' | 'webauthn.get',
  expected: Expectations,
) {
  if (clientData.type !== type)
    throw clientDataInvalid(`type is ${JSON.stringify(clientData.type)}, not ${type}`);
  if (clientData.challenge !== expected.challenge) throw clientDataInvalid('challenge is not the one issued');
  if (!expected.origins.includes(clientData.origin)) {
    throw clientDataInvalid(
      `origin ${JSON.stringify(clientData.origin)} is not an allowed origin of the relying party`,
    );
  }
  // Ceremonies inside cross-origin iframes are not supported: the origin list names top-level pages.
  if (clientData.crossOrigin || clientData.topOrigin !== undefined) {
    throw clientDataInvalid('comes from a cross-origin frame');
  }
}

/** §7.1 steps 13–16 / §7.2 steps 15–18: RP ID hash, user present, user verified when required, BE/BS. */
function checkAuthenticatorData(data: AuthenticatorData, expected: Expectations) {
  if (!sha256(expected.rpId).equals(data.rpIdHash))
    throw authDataInvalid(`is not for the relying party ${expected.rpId}`);
  if (!(data.flags & Flag.UP)) throw authDataInvalid('does not show the user present (UP)');
  if (expected.userVerification === 'required' && !(data.flags & Flag.UV)) {
    throw authDataInvalid('does not show the user verified (UV), which the relying party requires');
  }
  // §6.1: a credential that is not backup eligible cannot be backed up.
  if (!(data.flags & Flag.BE) && data.flags & Flag.BS) throw authDataInvalid('has BS set without BE');
}

/** The signature over authenticatorData ‖ SHA-256(clientDataJSON), in the key's COSE algorithm. */
function signatureHolds(key: PublicKey, authData: Buffer, clientData: Buffer, signature: Buffer) {
  const signed = Buffer.concat([authData, sha256(clientData)]);
  try {
    // EdDSA hashes by itself. ES256 signatures are ASN.1 DER (W3C §6.5.5), Node's default `dsaEncoding`;
    // RS256 is PKCS#1 v1.5, the default padding of an RSA key.
    return verify(key.alg === COSE_ALG.EdDSA ? null : 'sha256', signed, key.key, signature);
  } catch {
    return false;
  }
}

/** `type`, when given, must be `public-key` (the JSON's default). */
function checkCredentialType(type: unknown) {
  if (type !== undefined && type !== 'public-key') {
    throw passkeyInvalid(PasskeyCode.response, 'type must be public-key', 'type');
  }
}

/** `id` (base64url) and `rawId` (base64url, base64 or hex), when given, must name `credentialId`. */
export function checkCredentialIds(id: unknown, rawId: unknown, credentialId: Buffer) {
  if (id !== undefined && !decodeBase64url(id)?.equals(credentialId)) {
    throw passkeyInvalid(PasskeyCode.id, 'id is not the base64url of the credential ID', 'id');
  }
  if (rawId !== undefined && !credentialIdCandidates(rawId).some((bytes) => bytes.equals(credentialId))) {
    throw passkeyInvalid(PasskeyCode.rawId, 'rawId is not the credential ID', 'rawId');
  }
}

export interface RegistrationInput {
  id?: unknown;
  rawId?: unknown;
  type?: unknown;
  clientData: ClientData;
  attestationObject: unknown;
}

export interface RegisteredCredential {
  /** base64url of the credential ID. */
  credentialId: string;
  /** base64url of the COSE_Key bytes: public, stored with the factor, never in events or logs. */
  publicKey: string;
  alg: number;
  signCount: number;
  userVerified: boolean;
  backupEligible: boolean;
  backupState: boolean;
  aaguid: string;
}

/**
 * §7.1: a registration response for `expected` (its challenge already looked up by the caller). Returns the
 * credential to store. `algorithms` are the ones the creation options offered.
 */
export function verifyRegistration(
  input: RegistrationInput,
  expected: Expectations & { algorithms: readonly number[] },
): RegisteredCredential {
  checkCredentialType(input.type);
  checkClientData(input.clientData, 'webauthn.create', expected);
  const attestation = parseAttestationObject(input.attestationObject);
  const data = parseAuthenticatorData(attestation.authData);
  checkAuthenticatorData(data, expected);
  const attested = data.attested;
  if (!attested) {
    throw passkeyInvalid(
      PasskeyCode.attestedCredentialData,
      'Authenticator data has no attested credential data (AT)',
      'response.attestationObject',
    );
  }
  checkCredentialIds(input.id, input.rawId, attested.credentialId);
  const key = parseCoseKey(attested.publicKey);
  if (!expected.algorithms.includes(key.alg)) {
    throw passkeyInvalid(
      PasskeyCode.publicKey,
      `Credential algorithm ${key.alg} was not offered`,
      'publicKey',
    );
  }
  checkAttestationStatement(attestation.fmt, attestation.attStmt, key, data.raw, input.clientData.raw);
  return {
    credentialId: base64url(attested.credentialId),
    publicKey: base64url(attested.publicKey),
    alg: key.alg,
    signCount: data.signCount,
    userVerified: (data.flags & Flag.UV) !== 0,
    backupEligible: (data.flags & Flag.BE) !== 0,
    backupState: (data.flags & Flag.BS) !== 0,
    aaguid: attested.aaguid.toString('hex'),
  };
}

const attestationInvalid = (why: string) =>
  passkeyInvalid(PasskeyCode.attestationObject, `Attestation ${why}`, 'response.attestationObject');

/**
 * §7.1 steps 19–21 for the formats supported: `none` (an empty statement; what Twilio's options ask for)
 * and `packed` self-attestation (the credential's own key signs; no certificate chain). Full attestation
 * (`x5c`) and other formats would need trust anchors this service does not keep: refused.
 */
function checkAttestationStatement(
  fmt: string,
  attStmt: Map<string | number, unknown>,
  key: PublicKey,
  authData: Buffer,
  clientData: Buffer,
) {
  if (fmt === 'none') {
    if (attStmt.size !== 0) throw attestationInvalid('format none must have an empty statement');
    return;
  }
  if (fmt !== 'packed') throw attestationInvalid(`format ${JSON.stringify(fmt)} is not supported`);
  if (attStmt.has('x5c'))
    throw attestationInvalid('with a certificate chain (packed full attestation) is not supported');
  const alg = attStmt.get('alg');
  const sig = attStmt.get('sig');
  if (alg !== key.alg) throw attestationInvalid('alg is not the credential key algorithm');
  if (!(sig instanceof Uint8Array)) throw attestationInvalid('has no sig');
  if (!signatureHolds(key, authData, clientData, Buffer.from(sig))) {
    throw attestationInvalid('signature does not verify');
  }
}

export interface StoredCredential {
  publicKey: string;
  signCount: number;
  backupEligible: boolean;
}

export interface AssertionInput {
  clientData: ClientData;
  authenticatorData: unknown;
  signature: unknown;
}

export type AssertionResult =
  | { outcome: 'verified'; signCount: number; userVerified: boolean; backupState: boolean }
  /**
   * A validly signed assertion whose signature counter did not increase (§7.2 step 22): the credential may
   * have been cloned. Refused; the caller records it so that an event says so.
   */
  | { outcome: 'counter-regressed'; signCount: number; storedSignCount: number };

/** §7.2 steps 11–22 for the stored credential the assertion's ID named. */
export function verifyAssertion(
  input: AssertionInput,
  credential: StoredCredential,
  expected: Expectations,
): AssertionResult {
  checkClientData(input.clientData, 'webauthn.get', expected);
  const authData = requireBytes(
    input.authenticatorData,
    PasskeyCode.authenticatorData,
    'response.authenticatorData',
  );
  const signature = requireBytes(input.signature, PasskeyCode.signature, 'response.signature');
  const data = parseAuthenticatorData(authData);
  checkAuthenticatorData(data, expected);
  const backupEligible = (data.flags & Flag.BE) !== 0;
  if (backupEligible !== credential.backupEligible) {
    throw authDataInvalid('changed the credential’s backup eligibility (BE)');
  }
  const key = parseCoseKey(decodeBase64url(credential.publicKey) ?? Buffer.alloc(0));
  if (!signatureHolds(key, authData, input.clientData.raw, signature)) {
    throw passkeyInvalid(PasskeyCode.signature, 'Signature does not verify', 'response.signature');
  }
  // Authenticators without a counter always send 0: 0 after 0 is fine; otherwise it must increase (a count
  // above a stored 0 always does, so only a stored count can be regressed from).
  if (credential.signCount !== 0 && data.signCount <= credential.signCount) {
    return { outcome: 'counter-regressed', signCount: data.signCount, storedSignCount: credential.signCount };
  }
  return {
    outcome: 'verified',
    signCount: data.signCount,
    userVerified: (data.flags & Flag.UV) !== 0,
    backupState: (data.flags & Flag.BS) !== 0,
  };
}
