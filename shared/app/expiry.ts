import type { ChallengeStore } from './ports';

export interface ExpiryDeps {
  challenges: Pick<ChallengeStore, 'dueForExpiry' | 'expire'>;
  now: () => Date;
}

export interface SweepResult {
  /** Challenges the index listed as due. */
  due: number;
  /** Of those, the ones this sweep marked expired (the rest were answered or expired meanwhile). */
  expired: number;
}

/** How many conditional expiry writes are in flight at once. */
const CONCURRENCY = 16;

/**
 * One sweep of the expiry index (every minute on AWS, every few seconds locally): each pending challenge
 * whose expiration date has passed is marked `expired` with the same conditional write the TTL timer's
 * path uses, so whichever comes first wins and the other changes nothing; an answer that won first is
 * never overridden. The stream then sees pending → expired and publishes `challenge.expired` once.
 */
export async function sweepExpired(deps: ExpiryDeps, lookbackMinutes: number): Promise<SweepResult> {
  const now = deps.now();
  const due = await deps.challenges.dueForExpiry(now, lookbackMinutes);
  let expired = 0;
  for (let i = 0; i < due.length; i += CONCURRENCY) {
    const outcomes = await Promise.all(
      due.slice(i, i + CONCURRENCY).map((key) => deps.challenges.expire(key, now)),
    );
    expired += outcomes.filter(Boolean).length;
  }
  return { due: due.length, expired };
}
