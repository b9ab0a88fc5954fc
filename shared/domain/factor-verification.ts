import { MAX_FACTOR_VERIFICATION_ATTEMPTS, type Factor } from './factor';
import { verifyFactorSignature } from './push-key';
import { checkTotp } from './totp';

export type FactorVerification =
  { outcome: 'locked' } | { outcome: 'verified'; acceptedStep: number | null } | { outcome: 'failed' };

/**
 * Decides what an `AuthPayload` does to a factor. TOTP: a code for a step later than the last accepted one
 * verifies; push: the device's signature of the factor SID verifies. After
 * MAX_FACTOR_VERIFICATION_ATTEMPTS failures the factor is locked, whatever the payload.
 */
export function evaluateFactorVerification(
  factor: Factor,
  authPayload: string,
  now: Date,
  totpSecret?: string,
): FactorVerification {
  if (factor.failedAttempts >= MAX_FACTOR_VERIFICATION_ATTEMPTS) return { outcome: 'locked' };
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
