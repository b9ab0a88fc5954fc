// @ts-nocheck
import { conflict, notFound } from '../domain/errors';
import type { Factor } from '../domain/factor';
import { retry } from '../retry';
import type { AppDeps } from './ports';

/**
 * How often an attempt is decided again after a concurrent request changed the factor first. Each refusal
 * means another attempt was recorded meanwhile, and failures stop being recorded once the factor locks
 * (after at most 5 in a row), so losing more than a few times in a row takes a stream of successes.
 */
export const FACTOR_RACE_RETRY = { attempts: 8, baseDelayMs: 5 };

/**
 * Decides an attempt on a factor against the factor as read and writes it with the store's optimistic
 * condition on the factor's lock state. When the write comes back 'factor-changed' (a concurrent attempt
 * counted a failure or a success, locked the factor, or used the same TOTP step), the factor is read again
 * and `decide` runs again on the fresh state, which may now say locked (429) or replayed. Bounded: after
 * FACTOR_RACE_RETRY.attempts refusals the request answers 409, to be tried again.
 */
export async function decideOnFactor<F extends Factor, T>(
  deps: Pick<AppDeps, 'factors'>,
  factor: F,
  decide: (current: F) => Promise<T | 'factor-changed'>,
): Promise<T> {
  let current = factor;
  let result: { value: T } | undefined;
  await retry(FACTOR_RACE_RETRY, async (attempt) => {
    if (attempt > 0) {
      const fresh = await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
      // A factor SID is never reused, so the one read again has the same type.
      if (!fresh) throw notFound();
      current = fresh as F;
    }
    const outcome = await decide(current);
    if (outcome === 'factor-changed') return false;
    result = { value: outcome };
    return true;
  });
  if (!result) throw conflict('The factor changed while the attempt was being recorded; try again');
  return result.value;
}
