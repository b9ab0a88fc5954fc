// @ts-nocheck
import type { Factor } from './factor';
import { lockOf } from './lockout';
import { verifyFactorSignature } from './push-key';
import { checkTotp } from './totp';

export type FactorVerification =
  | { outcome: 'locked'; until?: Date }
  | { outcome: 'verified'; acceptedStep: number | null }
  | { outcome: 'failed' };

/**
 * Decides what an `AuthPayload` does to a factor. A locked factor (`lockout.ts`) is locked whatever the
 * payload. TOTP: a code for a step later than the last accepted one verifies; push: the device's signature
 * of the factor SID verifies. Anything else is a failure, which counts toward the factor's lock.
 */
export function evaluateFactorVerification(
  factor: Factor,
  authPayload: string,
  now: Date,
  totpSecret?: string,
): FactorVerification {
  const lock = lockOf(factor, now);
  if (lock.locked) return lock.until ? { outcome: 'locked', until: lock.until } : { outcome: 'locked' };
  if (factor.factorType === 'push') {
    return verifyFactorSignature(factor.binding.publicKey, factor.sid, authPayload)
      ? { outcome: 'verified', acceptedStep: null }
      : { outcome: 'failed' };
  }
  if (totpSecret === undefined) throw new Error('A TOTP factor needs its secret to be verified');
  const check = checkTotp(totpSecret, factor.config, authPayload, now, factor.lastAcceptedStep);
  return check.kind === 'accepted'
    ? { outcome: 'verified', acceptedStep: check.step }
    : { outcome: 'failed' };
}
