// @ts-nocheck
import { describe, expect, it } from 'vitest';
import {
  checkTotp,
  normalizeTotpSecret,
  totpCode,
  totpStep,
  totpUri,
  type TotpConfig,
} from '../../../shared/domain/totp';

// RFC 6238 Appendix B: seeds are the ASCII strings below; codes are 8 digits, 30 s steps.
const base32 = (ascii: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of Buffer.from(ascii)) bits += byte.toString(2).padStart(8, '0');
  return bits
    .match(/.{1,5}/g)!
    .map((chunk) => alphabet[parseInt(chunk.padEnd(5, '0'), 2)])
    .join('');
};
const SEEDS = {
  sha1: base32('12345678901234567890'),
  sha256: base32('12345678901234567890123456789012'),
  sha512: base32('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, keyof typeof SEEDS, string][] = [
  [59, '1970-01-01T00:00:59Z', 'sha1', '94287082'],
  [59, '1970-01-01T00:00:59Z', 'sha256', '46119246'],
  [59, '1970-01-01T00:00:59Z', 'sha512', '90693936'],
  [1111111109, '2005-03-18T01:58:29Z', 'sha1', '07081804'],
  [1111111109, '2005-03-18T01:58:29Z', 'sha256', '68084774'],
  [1111111109, '2005-03-18T01:58:29Z', 'sha512', '25091201'],
  [1111111111, '2005-03-18T01:58:31Z', 'sha1', '14050471'],
  [1234567890, '2009-02-13T23:31:30Z', 'sha256', '91819424'],
  [2000000000, '2033-05-18T03:33:20Z', 'sha512', '38618901'],
  [20000000000, '2603-10-11T11:33:20Z', 'sha1', '65353130'],
  [20000000000, '2603-10-11T11:33:20Z', 'sha256', '77737706'],
  [20000000000, '2603-10-11T11:33:20Z', 'sha512', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s (%s) %s gives %s', (seconds, _utc, alg, expected) => {
    const config: TotpConfig = { alg, codeLength: 8, timeStep: 30, skew: 0 };
    const now = new Date(seconds * 1000);
    expect(totpCode(SEEDS[alg], config, totpStep(now, 30))).toBe(expected);
    expect(checkTotp(SEEDS[alg], config, expected, now, null)).toEqual({
      kind: 'accepted',
      step: totpStep(now, 30),
    });
  });

  const config: TotpConfig = { alg: 'sha1', codeLength: 6, timeStep: 30, skew: 1 };
  const secret = SEEDS.sha1;
  const now = new Date('2026-11-22T10:00:15Z');
  const step = totpStep(now, 30);

  it('accepts the codes of the steps within the skew window, and no others', () => {
    for (const offset of [-1, 0, 1]) {
      expect(checkTotp(secret, config, totpCode(secret, config, step + offset), now, null)).toEqual({
        kind: 'accepted',
        step: step + offset,
      });
    }
    for (const offset of [-3, -2, 2, 3]) {
      expect(checkTotp(secret, config, totpCode(secret, config, step + offset), now, null).kind).toBe(
        'wrong',
      );
    }
    expect(
      checkTotp(secret, { ...config, skew: 0 }, totpCode(secret, config, step - 1), now, null).kind,
    ).toBe('wrong');
    expect(
      checkTotp(secret, { ...config, skew: 2 }, totpCode(secret, config, step - 2), now, null).kind,
    ).toBe('accepted');
  });

  it('rejects a code for a step at or before the last accepted step as a replay', () => {
    const code = totpCode(secret, config, step);
    expect(checkTotp(secret, config, code, now, step)).toEqual({ kind: 'replayed' });
    expect(checkTotp(secret, config, code, now, step + 1)).toEqual({ kind: 'replayed' });
    expect(checkTotp(secret, config, code, now, step - 1)).toEqual({ kind: 'accepted', step });
  });

  it('treats codes of the wrong length or with non-digits as wrong', () => {
    const code = totpCode(secret, config, step);
    expect(checkTotp(secret, config, code.slice(1), now, null).kind).toBe('wrong');
    expect(checkTotp(secret, config, `${code}0`, now, null).kind).toBe('wrong');
    expect(checkTotp(secret, config, 'abcdef', now, null).kind).toBe('wrong');
  });

  it('normalises Base32 secrets and refuses short or non-Base32 ones', () => {
    expect(normalizeTotpSecret('gezd gnbv gy3t qojq====')).toBe('GEZDGNBVGY3TQOJQ');
    expect(normalizeTotpSecret('GEZDGNBVGY3TQOJ')).toBeUndefined();
    expect(normalizeTotpSecret('GEZDGNBVGY3TQOJ1')).toBeUndefined();
  });

  it("builds the key URI in Twilio's format", () => {
    expect(totpUri('test-issuer', 'John’s Account Name', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', config)).toBe(
      'otpauth://totp/test-issuer:John%E2%80%99s%20Account%20Name?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=test-issuer&algorithm=SHA1&digits=6&period=30',
    );
  });
});
