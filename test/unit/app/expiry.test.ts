import { describe, expect, it } from 'vitest';
import { sweepExpired } from '../../../shared/app/expiry';
import { newChallenge, respond, type Challenge } from '../../../shared/domain/challenge';
import type { Factor } from '../../../shared/domain/factor';
import { EXPIRY_LOOKBACK_MINUTES } from '../../../shared/store/expiry';
import { memoryDeps, type MemoryDeps } from '../../support/memory';
import { pushFactor } from '../../support/memory/fixtures';

const at = new Date('2026-12-01T10:00:00Z');
const inSeconds = (seconds: number) => new Date(at.getTime() + seconds * 1000);

async function setUp() {
  const deps = memoryDeps({ now: at });
  const { factor } = await pushFactor(deps);
  const challenge = async (expiresInSeconds: number) => {
    const created = newChallenge(
      { factor, includeDate: false, expirationDate: inSeconds(expiresInSeconds), message: 'Log in?' },
      at,
    );
    expect(await deps.challenges.create(created)).toBe('created');
    return created;
  };
  return { deps, factor, challenge };
}

const statusOf = async (deps: MemoryDeps, c: Challenge) =>
  (await deps.challenges.get(c.accountSid, c.serviceSid, c.identity, c.sid))?.status;

const approve = (deps: MemoryDeps, c: Challenge, factor: Factor, when: Date) =>
  deps.challenges.answer(respond(c, 'approved', when), when, { kind: 'unchanged', factor });

const sweep = (deps: MemoryDeps) => sweepExpired(deps, EXPIRY_LOOKBACK_MINUTES);

describe('sweepExpired', () => {
  it('marks the pending challenges whose expiration date passed, and nothing else', async () => {
    const { deps, factor, challenge } = await setUp();
    const [due, answered, later] = [await challenge(30), await challenge(30), await challenge(300)];
    expect(await approve(deps, answered, factor, inSeconds(10))).toBe('answered');
    deps.setNow(inSeconds(29));
    expect(await sweep(deps)).toEqual({ due: 0, expired: 0 });
    deps.setNow(inSeconds(45));
    expect(await sweep(deps)).toEqual({ due: 1, expired: 1 });
    expect(await statusOf(deps, due)).toBe('expired');
    expect(await statusOf(deps, answered)).toBe('approved');
    expect(await statusOf(deps, later)).toBe('pending');
    // Expired challenges leave the index: the next sweep finds nothing to do.
    expect(await sweep(deps)).toEqual({ due: 0, expired: 0 });
    // The TTL timer's path, later, changes nothing either: one transition, so one challenge.expired.
    expect(await deps.challenges.expire(due, inSeconds(3600))).toBe(false);
  });

  it('loses to an answer that lands between its query and its write, and never overrides it', async () => {
    const { deps, factor, challenge } = await setUp();
    const c = await challenge(30);
    deps.setNow(inSeconds(31));
    // The device's clock was a second behind: its answer was accepted just before the sweep's write.
    deps.before('challenges.expire', () => approve(deps, c, factor, inSeconds(29)));
    expect(await sweep(deps)).toEqual({ due: 1, expired: 0 });
    expect(await statusOf(deps, c)).toBe('approved');
    expect(await deps.challenges.expire(c, inSeconds(3600))).toBe(false);
  });

  it('refuses an answer once it has expired the challenge', async () => {
    const { deps, factor, challenge } = await setUp();
    const c = await challenge(30);
    deps.setNow(inSeconds(31));
    expect(await sweep(deps)).toEqual({ due: 1, expired: 1 });
    expect(await approve(deps, c, factor, inSeconds(29))).toBe('challenge-changed');
    expect(await statusOf(deps, c)).toBe('expired');
  });

  it('expires a challenge once when the TTL path gets there between its query and its write', async () => {
    const { deps, challenge } = await setUp();
    const c = await challenge(30);
    deps.setNow(inSeconds(40));
    let ttl: boolean | undefined;
    deps.before('challenges.expire', async () => {
      ttl = await deps.challenges.expire(c, inSeconds(40));
    });
    expect(await sweep(deps)).toEqual({ due: 1, expired: 0 });
    expect(ttl).toBe(true);
    expect(await statusOf(deps, c)).toBe('expired');
  });

  it('expires a challenge once when two sweeps overlap', async () => {
    const { deps, challenge } = await setUp();
    const c = await challenge(30);
    deps.setNow(inSeconds(40));
    let overlapping: Awaited<ReturnType<typeof sweep>> | undefined;
    deps.before('challenges.expire', async () => {
      overlapping = await sweep(deps);
    });
    expect(await sweep(deps)).toEqual({ due: 1, expired: 0 });
    expect(overlapping).toEqual({ due: 1, expired: 1 });
    expect(await statusOf(deps, c)).toBe('expired');
  });

  it('catches up on the minutes a failed sweep missed, within its lookback', async () => {
    const { deps, challenge } = await setUp();
    const c = await challenge(30);
    deps.setNow(inSeconds(30 + (EXPIRY_LOOKBACK_MINUTES - 1) * 60));
    expect(await sweep(deps)).toEqual({ due: 1, expired: 1 });
    expect(await statusOf(deps, c)).toBe('expired');
  });
});
