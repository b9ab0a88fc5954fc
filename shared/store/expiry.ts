import { formatDate } from '../domain/time';

/**
 * Expiry buckets: a pending challenge carries `expiryBucket`, the minute its expiration date falls in and a
 * shard (`2026-12-02T07:41#3`), which the table's sparse expiry index (`TABLE.expiryIndex`) is keyed by.
 * The expiry sweeper reads the buckets that are due, a handful of small queries a minute however large the
 * table, instead of a scan.
 */

/**
 * How many buckets share a minute: a minute's index writes spread over this many partitions (an index
 * partition takes about 1,000 writes a second), at the price of as many queries per minute swept.
 */
export const EXPIRY_SHARDS = 4;

/**
 * How many past minutes a sweep reads besides the current one. A challenge leaves its bucket when it is
 * answered or expired, so past buckets are empty unless a sweep failed or fell behind: the next sweeps
 * catch up within this window. Older misses are left to the TTL timer, the safety net.
 */
export const EXPIRY_LOOKBACK_MINUTES = 10;

const MINUTE_MS = 60_000;

/** `YYYY-MM-DDTHH:MM` of a stored date (`formatDate`'s format). */
const minuteOf = (date: string) => date.slice(0, 16);

/** The bucket of a challenge: its expiry minute and a shard taken from its SID's last (random) hex digit. */
export const expiryBucket = (expirationDate: string, sid: string) =>
  `${minuteOf(expirationDate)}#${parseInt(sid.slice(-1), 16) % EXPIRY_SHARDS}`;

/** Every bucket a sweep at `now` reads: each shard of the current minute and of the `lookback` before it. */
export function dueBuckets(now: Date, lookbackMinutes: number): string[] {
  const buckets: string[] = [];
  for (let back = lookbackMinutes; back >= 0; back--) {
    const minute = minuteOf(formatDate(new Date(now.getTime() - back * MINUTE_MS)));
    for (let shard = 0; shard < EXPIRY_SHARDS; shard++) buckets.push(`${minute}#${shard}`);
  }
  return buckets;
}
