// @ts-nocheck
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { ApnAuth, FcmServiceAccount } from './types';

/**
 * Validation of the push secrets the Credentials API receives. Pure (no I/O) and total: every input yields either the
 * parsed value or `{ error }`, a sentence for a Twilio 400 that names the field and never repeats secret material.
 */

export interface ParseError {
  error: string;
}

export const isParseError = (value: unknown): value is ParseError =>
  typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';

type Json = Record<string, unknown>;

function parseObject(text: unknown, what: string): Json | ParseError {
  if (typeof text !== 'string' || text.trim() === '') return { error: `${what} is empty` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never the parser's message: it quotes the input.
    return { error: `${what} is not valid JSON` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: `${what} is not a JSON object` };
  return value as Json;
}

function stringField(object: Json, name: string): string | ParseError {
  const value = object[name];
  if (value === undefined || value === null) return { error: `${name} is missing` };
  if (typeof value !== 'string') return { error: `${name} must be a string` };
  if (value.trim() === '') return { error: `${name} is empty` };
  return value;
}

function privateKey(pem: string, name: string): KeyObject | ParseError {
  if (!pem.includes('-----BEGIN')) return { error: `${name} is not a PEM private key` };
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return { error: `${name} is not a readable PEM private key (an encrypted key is not accepted)` };
  }
}

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Google Cloud project ids: 6–30 lowercase letters, digits and hyphens (legacy ids may carry a `domain:` prefix). */
const PROJECT_ID = /^(?:[a-z0-9][a-z0-9.-]{0,60}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const EMAIL = /^[^\s@]{1,64}@[A-Za-z0-9.-]{1,190}$/;
const KEY_ID_FCM = /^[A-Za-z0-9_-]{1,128}$/;
const APPLE_ID = /^[A-Z0-9]{10}$/;

function tokenUri(text: string): string | ParseError {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'token_uri is not a URL' };
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    return { error: 'token_uri must be an https URL' };
  if (url.username || url.password) return { error: 'token_uri must not carry credentials' };
  return url.toString();
}

/** The service-account JSON Google issues (`project_id`, `client_email`, `private_key`, `token_uri`, `private_key_id`). */
export function parseFcmSecret(text: string): FcmServiceAccount | ParseError {
  const json = parseObject(text, 'the service account');
  if (isParseError(json)) return json;
  if (json.type !== undefined && json.type !== 'service_account')
    return { error: 'type must be "service_account"' };

  const projectId = stringField(json, 'project_id');
  if (isParseError(projectId)) return projectId;
  if (!PROJECT_ID.test(projectId)) return { error: 'project_id is not a Google Cloud project id' };

  const clientEmail = stringField(json, 'client_email');
  if (isParseError(clientEmail)) return clientEmail;
  if (!EMAIL.test(clientEmail)) return { error: 'client_email is not an email address' };

  const pem = stringField(json, 'private_key');
  if (isParseError(pem)) return pem;
  const key = privateKey(pem, 'private_key');
  if (isParseError(key)) return key;
  if (key.asymmetricKeyType !== 'rsa') return { error: 'private_key must be an RSA private key' };
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    return { error: 'private_key must be an RSA key of at least 2048 bits' };

  const uriText = stringField(json, 'token_uri');
  if (isParseError(uriText)) return uriText;
  const uri = tokenUri(uriText);
  if (isParseError(uri)) return uri;

  const account: FcmServiceAccount = { projectId, clientEmail, privateKey: pkcs8(key), tokenUri: uri };
  if (json.private_key_id !== undefined) {
    const keyId = json.private_key_id;
    if (typeof keyId !== 'string' || !KEY_ID_FCM.test(keyId))
      return { error: 'private_key_id must be a key id of letters, digits, - and _' };
    account.privateKeyId = keyId;
  }
  return account;
}

/** APNs token auth: `{"team_id","key_id","private_key"}` — the `.p8` key (PKCS#8, EC P-256) and its 10-character ids. */
export function parseApnTokenSecret(text: string): Extract<ApnAuth, { kind: 'token' }> | ParseError {
  const json = parseObject(text, 'the APNs key');
  if (isParseError(json)) return json;
  const teamId = stringField(json, 'team_id');
  if (isParseError(teamId)) return teamId;
  if (!APPLE_ID.test(teamId)) return { error: 'team_id must be 10 uppercase letters or digits' };
  const keyId = stringField(json, 'key_id');
  if (isParseError(keyId)) return keyId;
  if (!APPLE_ID.test(keyId)) return { error: 'key_id must be 10 uppercase letters or digits' };
  const pem = stringField(json, 'private_key');
  if (isParseError(pem)) return pem;
  if (!pem.includes('-----BEGIN PRIVATE KEY-----'))
    return { error: 'private_key must be a PKCS#8 PEM ("BEGIN PRIVATE KEY"), as in the .p8 file' };
  const key = privateKey(pem, 'private_key');
  if (isParseError(key)) return key;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    return { error: 'private_key must be an EC P-256 key' };
  return { kind: 'token', teamId, keyId, privateKey: pkcs8(key) };
}

/** APNs certificate auth (Twilio's `Certificate` + `PrivateKey`): a PEM certificate and the private key that matches it. */
export function parseApnCertificate(
  certificatePem: string,
  privateKeyPem: string,
): Extract<ApnAuth, { kind: 'certificate' }> | ParseError {
  if (typeof certificatePem !== 'string' || !certificatePem.includes('-----BEGIN CERTIFICATE-----'))
    return { error: 'Certificate is not a PEM certificate' };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return { error: 'Certificate is not a readable PEM certificate' };
  }
  if (typeof privateKeyPem !== 'string') return { error: 'PrivateKey is not a PEM private key' };
  const key = privateKey(privateKeyPem, 'PrivateKey');
  if (isParseError(key)) return key;
  let matches = false;
  try {
    matches = certificate.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) return { error: 'PrivateKey does not match the Certificate' };
  // The text as given (trimmed): it may carry intermediates after the leaf.
  return { kind: 'certificate', certificate: certificatePem.trim(), privateKey: pkcs8(key) };
}
