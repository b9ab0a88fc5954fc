// @ts-nocheck
import { compactVerify } from 'jose';
import type { KeyObject } from 'node:crypto';
import { signedFields, type Challenge } from './challenge';

export type PushAnswer = { valid: true; status: 'approved' | 'denied' } | { valid: false };

/** Structural equality of JSON values, whatever the key order (iOS serialises keys in any order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) =>
      Object.hasOwn(b, key) &&
      jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

/**
 * Checks the `AuthPayload` a Verify Push SDK sends to answer a challenge (protocol reference §6.3): an
 * ES256 JWT signed by the factor's key over the advertised fields plus `status`. The signature is verified
 * over the bytes received; the claims are compared with the stored challenge as JSON values.
 */
export async function checkPushAnswer(
  token: string,
  key: KeyObject,
  challenge: Challenge,
): Promise<PushAnswer> {
  let claims: Record<string, unknown>;
  try {
    const { payload, protectedHeader } = await compactVerify(token, key, { algorithms: ['ES256'] });
    if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') return { valid: false };
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return { valid: false };
  }
  if (typeof claims !== 'object' || claims === null) return { valid: false };
  const status = claims.status;
  if (status !== 'approved' && status !== 'denied') return { valid: false };
  const expected = signedFields(challenge);
  const matches = Object.entries(expected).every(([name, value]) => jsonEqual(claims[name], value));
  return matches ? { valid: true, status } : { valid: false };
}
