// @ts-nocheck
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../../shared/domain/errors';
import {
  afterFailure,
  afterSuccess,
  assertUnlocked,
  isLocked,
  lockOf,
  LOCKOUT_POLICY,
  PERMANENT_LOCK_AFTER,
  type LockState,
} from '../../../shared/domain/lockout';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const MINUTE = 60_000;

/** The state after `n` consecutive failures, all at t0. */
const failures = (n: number, from: LockState = afterSuccess(), now = t0) =>
  Array.from({ length: n }).reduce<LockState>((state) => afterFailure(state, now), from);

describe('the lockout policy', () => {
  it('is 5 / 1 minute, 10 minutes, 1 hour, then for good at 20', () => {
    expect(LOCKOUT_POLICY).toEqual({ every: 5, coolDownsMs: [MINUTE, 10 * MINUTE, 60 * MINUTE] });
    expect(PERMANENT_LOCK_AFTER).toBe(20);
  });

  it('counts failures without locking below each fifth', () => {
    for (const n of [1, 2, 3, 4, 6, 9, 11, 14, 16, 19]) {
      expect(failures(n), `${n}`).toEqual({ failedAttempts: n, lockedUntil: null });
      expect(isLocked(failures(n), t0), `${n}`).toBe(false);
    }
  });

  it('locks at every fifth consecutive failure for a growing cool-down', () => {
    expect(failures(5)).toEqual({ failedAttempts: 5, lockedUntil: later(MINUTE).toISOString() });
    expect(failures(10)).toEqual({ failedAttempts: 10, lockedUntil: later(10 * MINUTE).toISOString() });
    expect(failures(15)).toEqual({ failedAttempts: 15, lockedUntil: later(60 * MINUTE).toISOString() });
    expect(failures(20)).toEqual({ failedAttempts: 20, lockedUntil: null });
  });

  it('lifts a timed lock when it ends, to the millisecond', () => {
    const state = failures(5);
    expect(lockOf(state, t0)).toEqual({ locked: true, until: later(MINUTE) });
    expect(lockOf(state, later(MINUTE - 1))).toEqual({ locked: true, until: later(MINUTE) });
    expect(lockOf(state, later(MINUTE))).toEqual({ locked: false });
  });

  it('locks for good at 20, whenever asked', () => {
    expect(lockOf(failures(20), later(10 * 365 * 24 * 60 * MINUTE))).toEqual({ locked: true });
    expect(lockOf({ failedAttempts: 25, lockedUntil: null }, t0)).toEqual({ locked: true });
  });

  it('clears a passed lock with the next failure, and resets everything on a success', () => {
    const passed = later(MINUTE);
    expect(afterFailure(failures(5), passed)).toEqual({ failedAttempts: 6, lockedUntil: null });
    expect(afterSuccess()).toEqual({ failedAttempts: 0, lockedUntil: null });
    expect(failures(5, afterSuccess())).toEqual(failures(5));
  });

  it('reads a factor stored before timed locks (no lockedUntil) as unlocked below 20', () => {
    const old = { failedAttempts: 5 } as LockState;
    expect(lockOf(old, t0)).toEqual({ locked: false });
  });

  it('refuses with 60310 and the end of the lock, or none for good', () => {
    expect(() => assertUnlocked(failures(4), t0)).not.toThrow();
    const timed = (() => {
      try {
        assertUnlocked(failures(5), t0);
      } catch (error) {
        return error;
      }
    })() as DomainError;
    expect(timed).toMatchObject({ kind: 'factor-locked', detail: { retryAt: later(MINUTE) } });
    const forGood = (() => {
      try {
        assertUnlocked(failures(20), t0);
      } catch (error) {
        return error;
      }
    })() as DomainError;
    expect(forGood.kind).toBe('factor-locked');
    expect(forGood.detail.retryAt).toBeUndefined();
  });
});
