// @ts-nocheck
import { describe, expect, it, vi } from 'vitest';
import { decideOnFactor, FACTOR_RACE_RETRY } from '../../../shared/app/factor-race';
import type { Factor } from '../../../shared/domain/factor';
import { memoryDeps } from '../../support/memory';
import { failure, totpFactor } from '../../support/memory/fixtures';

describe('decideOnFactor', () => {
  it('decides on the factor as read, without reading it again, when the write holds', async () => {
    const deps = memoryDeps();
    const { factor } = await totpFactor(deps);
    const get = vi.spyOn(deps.factors, 'get');
    const decide = vi.fn(async (current: Factor) => current.sid);
    expect(await decideOnFactor(deps, factor, decide)).toBe(factor.sid);
    expect(decide.mock.calls).toEqual([[factor]]);
    expect(get).not.toHaveBeenCalled();
  });

  it('decides again on the factor read afresh after each refusal', async () => {
    const deps = memoryDeps();
    const { factor } = await totpFactor(deps);
    const seen: number[] = [];
    const outcome = await decideOnFactor(deps, factor, async (current) => {
      seen.push(current.failedAttempts);
      if (seen.length === 3) return 'decided';
      const stored = (await deps.factors.get(
        factor.accountSid,
        factor.serviceSid,
        factor.identity,
        factor.sid,
      ))!;
      await deps.factors.recordFailure(stored, {
        failedAttempts: stored.failedAttempts + 1,
        lockedUntil: null,
      });
      return 'factor-changed';
    });
    expect(outcome).toBe('decided');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('gives up with a 409 after as many refusals as its budget allows, and 404 when the factor went', async () => {
    expect(FACTOR_RACE_RETRY).toEqual({ attempts: 8, baseDelayMs: 5 });
    const deps = memoryDeps();
    const { factor } = await totpFactor(deps);
    const decide = vi.fn(async () => 'factor-changed' as const);
    expect(await failure(decideOnFactor(deps, factor, decide))).toMatchObject({
      kind: 'conflict',
      code: 20409,
    });
    expect(decide).toHaveBeenCalledTimes(8);
    await deps.factors.delete(factor);
    const after = vi.fn(async () => 'factor-changed' as const);
    expect(await failure(decideOnFactor(deps, factor, after))).toMatchObject({ code: 20404 });
    expect(after).toHaveBeenCalledTimes(1);
  });
});
