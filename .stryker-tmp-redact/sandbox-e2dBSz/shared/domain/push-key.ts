// @ts-nocheck
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const decodeBase64Strict = (value: string): Buffer | undefined =>
  value.length > 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;

/**
 * Parses `Binding.PublicKey`: standard Base64 of the DER SubjectPublicKeyInfo of a P-256 key (what the
 * Verify Push SDKs send). Returns a reason string when the value is anything else.
 */
export function parsePushPublicKey(value: string): KeyObject | string {
  const cached = parsedKeys.get(value);
  if (cached) return cached;
  const parsed = parseKey(value);
  if (typeof parsed !== 'string') {
    if (parsedKeys.size >= 500) parsedKeys.clear();
    parsedKeys.set(value, parsed);
  }
  return parsed;
}

/** Parsed device keys: a warm function verifies the same few devices again and again. */
const parsedKeys = new Map<string, KeyObject>();

function parseKey(value: string): KeyObject | string {
  const der = decodeBase64Strict(value);
  if (!der) return 'must be Base64';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return 'must be a DER SubjectPublicKeyInfo';
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return 'must be an ECDSA P-256 key';
  }
  if (!key.export({ format: 'der', type: 'spki' }).equals(der)) return 'must be a DER SubjectPublicKeyInfo';
  return key;
}

/**
 * Push factor verification (protocol reference §5.1): `AuthPayload` is the Base64 DER ECDSA-SHA256
 * signature of the factor SID, made with the device key.
 */
export function verifyFactorSignature(publicKey: string, factorSid: string, signature: string): boolean {
  const key = parsePushPublicKey(publicKey);
  const der = decodeBase64Strict(signature);
  if (typeof key === 'string' || !der) return false;
  try {
    return verify('sha256', Buffer.from(factorSid, 'utf8'), { key, dsaEncoding: 'der' }, der);
  } catch {
    return false;
  }
}
