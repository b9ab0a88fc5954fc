// @ts-nocheck
import { factorLocked } from './errors';

/**
 * The factor-wide brute-force limit, as data. Every failed attempt on a factor counts, whatever it came
 * through: a wrong `AuthPayload` verifying the factor, a wrong (or already used) TOTP code answering any of
 * its challenges or creating one. Every `every`th consecutive failure locks the factor: for the next
 * cool-down in turn, and after the last one for good (until the factor is deleted and created again).
 * A success resets the count and the lock.
 *
 * With 5 / 1 min, 10 min, 1 h that is at most 20 consecutive failures in a factor's life (NIST SP 800-63B
 * §5.2.2 allows up to 100): guessing a 6-digit code (3 codes valid at a time with skew 1) then succeeds
 * with probability 20 × 3 / 10⁶ = 0.006 %. A user who mistypes is locked out for a minute at worst the
 * first time, and nobody can lock the factor for good without 20 failures in a row over more than 71 minutes.
 */
export const LOCKOUT_POLICY = {
  /** Every this many consecutive failures lock the factor. */
  every: 5,
  /** The length of the first, second, … lock; the lock after the last one is for good. */
  coolDownsMs: [60_000, 10 * 60_000, 60 * 60_000],
} as const;

/** The consecutive failures after which the factor is locked for good: 20. */
export const PERMANENT_LOCK_AFTER = LOCKOUT_POLICY.every * (LOCKOUT_POLICY.coolDownsMs.length + 1);

/** A factor's brute-force state, as stored on the factor. */
export interface LockState {
  /** Consecutive failed attempts on the factor (verifications and challenge answers) since its last success. */
  failedAttempts: number;
  /** When the current timed lock ends (ISO 8601); null when none was set by the latest failure. */
  lockedUntil: string | null;
}

export type Lock = { locked: false } | { locked: true; until?: Date };

/** Whether the factor is locked at `now`, and until when (no `until`: for good). */
export function lockOf(state: LockState, now: Date): Lock {
  if (state.failedAttempts >= PERMANENT_LOCK_AFTER) return { locked: true };
  // Factors stored before locks had a time carry no `lockedUntil` at all.
  const until = state.lockedUntil ? new Date(state.lockedUntil) : undefined;
  return until && until.getTime() > now.getTime() ? { locked: true, until } : { locked: false };
}

export const isLocked = (state: LockState, now: Date) => lockOf(state, now).locked;

/** Throws 429 (60310), with the lock's end for `Retry-After`, when the factor is locked at `now`. */
export function assertUnlocked(state: LockState, now: Date) {
  const lock = lockOf(state, now);
  if (lock.locked) throw factorLocked(lock.until);
}

/** The state after one more failure at `now`: counted, and locked when the count reaches a threshold. */
export function afterFailure(state: LockState, now: Date): LockState {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts % LOCKOUT_POLICY.every !== 0) return { failedAttempts, lockedUntil: null };
  const coolDown = LOCKOUT_POLICY.coolDownsMs[failedAttempts / LOCKOUT_POLICY.every - 1];
  return {
    failedAttempts,
    lockedUntil: coolDown === undefined ? null : new Date(now.getTime() + coolDown).toISOString(),
  };
}

/** The state after a success: no failures, no lock. */
export const afterSuccess = (): LockState => ({ failedAttempts: 0, lockedUntil: null });
