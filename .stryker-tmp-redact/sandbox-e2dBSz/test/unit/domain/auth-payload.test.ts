// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { assertAuthPayloadShape } from '../../../shared/domain/auth-payload';
import { answeredFailure } from '../../support/deps';

const refusal = (message: string) => ({
  status: 400,
  code: 60200,
  message: `Invalid parameter AuthPayload: ${message}`,
});

describe('AuthPayload shape', () => {
  it.each(['123', '123456', '12345678'])('takes a TOTP code of 3 to 8 digits: %s', (code) => {
    expect(() => assertAuthPayloadShape('totp', code, 'factor')).not.toThrow();
    expect(() => assertAuthPayloadShape('totp', code, 'challenge')).not.toThrow();
  });

  it.each(['12', '123456789', '12345a', ' 123456', '123456\n', '', '１２３４５６'])(
    'refuses anything else for TOTP, before anything is read or counted: %j',
    (code) => {
      for (const use of ['factor', 'challenge'] as const) {
        expect(answeredFailure(() => assertAuthPayloadShape('totp', code, use))).toEqual(
          refusal('must be a code of 3 to 8 digits'),
        );
      }
    },
  );

  it('takes a Base64 signature to verify a push factor, and refuses anything else', () => {
    expect(() => assertAuthPayloadShape('push', 'MEUCIQDa', 'factor')).not.toThrow();
    for (const payload of ['not base64!', 'abc', '']) {
      expect(answeredFailure(() => assertAuthPayloadShape('push', payload, 'factor'))).toEqual(
        refusal('must be a Base64 signature'),
      );
    }
  });

  it('leaves a push challenge answer (a JWT) to the signature check', () => {
    expect(() => assertAuthPayloadShape('push', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'challenge')).not.toThrow();
    expect(() => assertAuthPayloadShape('push', 'not base64!', 'challenge')).not.toThrow();
  });
});
