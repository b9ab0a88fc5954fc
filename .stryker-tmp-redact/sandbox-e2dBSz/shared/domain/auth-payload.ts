// @ts-nocheck
import { invalidParameter } from './errors';
import type { Factor } from './factor';
import { decodeBase64Strict } from './push-key';

const TOTP_CODE = /^\d{3,8}$/;

/**
 * The one place `AuthPayload`'s shape is checked, before anything is read or counted: a TOTP code is 3 to 8
 * digits; a push factor is verified with a Base64 signature (its challenges are answered with a JWT, which
 * the signature check itself reads).
 */
export function assertAuthPayloadShape(
  factorType: Factor['factorType'],
  payload: string,
  use: 'factor' | 'challenge',
) {
  if (factorType === 'totp' && !TOTP_CODE.test(payload)) {
    throw invalidParameter('AuthPayload', 'must be a code of 3 to 8 digits');
  }
  if (factorType === 'push' && use === 'factor' && decodeBase64Strict(payload) === undefined) {
    throw invalidParameter('AuthPayload', 'must be a Base64 signature');
  }
}
