// @ts-nocheck
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS signed with node:crypto. ES256 must be the raw r‖s form (`ieee-p1363`): the default DER encoding is
 * wrong for JWS (reference §3.1). RS256 is PKCS#1 v1.5 over SHA-256.
 */
export function signJwt(
  alg: 'ES256' | 'RS256',
  header: Record<string, string>,
  claims: Record<string, unknown>,
  key: string | KeyObject,
): string {
  const input = `${b64url({ alg, typ: 'JWT', ...header })}.${b64url(claims)}`;
  const privateKey = typeof key === 'string' ? createPrivateKey(key) : key;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey,
  );
  return `${input}.${signature.toString('base64url')}`;
}
