// @ts-nocheck
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

export const TOTP_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

export interface TotpConfig {
  alg: TotpAlgorithm;
  skew: number;
  codeLength: number;
  timeStep: number;
}

/** 20 random bytes (160 bits, RFC 4226 §4's recommendation) as unpadded Base32, like Twilio's secrets. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/**
 * Normalises a caller-supplied Base32 secret (case, spaces, padding) or returns undefined when it is not
 * Base32 or shorter than 80 bits (16 characters, the shortest secret common authenticator apps issue).
 */
export function normalizeTotpSecret(input: string): string | undefined {
  const secret = input.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  return /^[A-Z2-7]{16,128}$/.test(secret) ? secret : undefined;
}

export const totpStep = (now: Date, timeStep: number) => Math.floor(now.getTime() / 1000 / timeStep);

export function totpCode(secret: string, config: TotpConfig, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: config.alg.toUpperCase(),
    digits: config.codeLength,
    counter: step,
  });
}

export type TotpCheck =
  | { kind: 'accepted'; step: number }
  /** The code is right but only for a time step at or before the last accepted one (RFC 6238 §5.2). */
  | { kind: 'replayed' }
  | { kind: 'wrong' };

/**
 * Checks a code against every step in the skew window and accepts the latest matching step that is later
 * than `lastAcceptedStep`. Every step is compared, in constant time, so timing does not reveal which one
 * matched.
 */
export function checkTotp(
  secret: string,
  config: TotpConfig,
  code: string,
  now: Date,
  lastAcceptedStep: number | null,
): TotpCheck {
  if (!/^\d+$/.test(code) || code.length !== config.codeLength) return { kind: 'wrong' };
  const current = totpStep(now, config.timeStep);
  const presented = Buffer.from(code);
  let latest: number | null = null;
  for (let step = current - config.skew; step <= current + config.skew; step++) {
    if (timingSafeEqual(presented, Buffer.from(totpCode(secret, config, step)))) latest = step;
  }
  if (latest === null) return { kind: 'wrong' };
  if (lastAcceptedStep !== null && latest <= lastAcceptedStep) return { kind: 'replayed' };
  return { kind: 'accepted', step: latest };
}

/** Google Authenticator key URI, in the parameter order Twilio uses. */
export function totpUri(issuer: string, accountName: string, secret: string, config: TotpConfig): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${config.alg.toUpperCase()}`,
    `digits=${config.codeLength}`,
    `period=${config.timeStep}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
