/**
 * The one retry loop: runs `step` until it reports done, at most `attempts` times, waiting between tries
 * with exponential backoff and jitter (`baseDelayMs` × 2^try, scaled by a random factor in [0.5, 1.5)).
 * `step` returns true when there is nothing left to do; the result says whether that happened.
 */
// @ts-nocheck

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  /** Replaced in tests; by default a timer. */
  wait?: (ms: number) => Promise<unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function retry(options: RetryOptions, step: (attempt: number) => Promise<boolean>) {
  const wait = options.wait ?? sleep;
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    if (attempt > 0) await wait(options.baseDelayMs * 2 ** attempt * (0.5 + Math.random()));
    if (await step(attempt)) return true;
  }
  return false;
}
