/**
 * `npm run bench:expiry`: how late `challenge.expired` reaches the event sink after a challenge's
 * expiration date, with `npm start`'s runtime (DynamoDB Local, the pipeline process, the expiry sweeper
 * every BENCH_SWEEP_SECONDS, default 5 as `npm start`; DynamoDB Local's TTL does not delete items in a
 * table with a sparse index, so locally the sweeper is the only path). BENCH_CHALLENGES (default 40)
 * TOTP challenges are created with expiration dates spread over whole seconds, so each lands at another
 * point of the sweep's cycle; the lag is the time from the expiration date to the event's line in the
 * events file (read every 20 ms). Then it waits 20 s more and counts the events: exactly one
 * `challenge.expired` per challenge. Exits 0 whether or not that holds (it prints the verdict).
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP } from 'otpauth';
import twilio from 'twilio';
import { startLocalRuntime } from '../../infra/local/runtime';

const CHALLENGES = Number(process.env.BENCH_CHALLENGES ?? 40);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 5);
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Line = { 'detail-type': string; detail: { challenge_sid?: string } };
const expiredEvents = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line)
        .filter((event) => event['detail-type'] === 'challenge.expired')
        .map((event) => event.detail.challenge_sid!)
    : [];

const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'verify-bench-expiry-'));
const runtime = await startLocalRuntime({
  port: 0,
  dir,
  inMemory: true,
  log: () => {},
  expirySweepSeconds: SWEEP_SECONDS,
});
try {
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  const service = await client.verify.v2.services.create({ friendlyName: 'Bench' });
  const entity = client.verify.v2.services(service.sid).entities('user-0001-bench');
  const factor = await entity.newFactors.create({ friendlyName: 'Bench', factorType: 'totp' });
  const code = new TOTP({ secret: factor.binding.secret }).generate();
  await entity.factors(factor.sid).update({ authPayload: code });

  // Expiration dates on whole seconds from 10 s ahead, one every 0.7 s or so (no two in one sweep phase).
  const first = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
  const expiries = new Map<string, number>();
  for (let i = 0; i < CHALLENGES; i++) {
    const expirationDate = new Date(first + Math.round(i * 0.7) * 1000);
    const challenge = await entity.challenges.create({ factorSid: factor.sid, expirationDate });
    expiries.set(challenge.sid, expirationDate.getTime());
  }
  const arrived = new Map<string, number>();
  const deadline = Math.max(...expiries.values()) + SWEEP_SECONDS * 1000 + 60_000;
  while (arrived.size < expiries.size && Date.now() < deadline) {
    const now = Date.now();
    for (const sid of expiredEvents(runtime.eventsFile)) if (!arrived.has(sid)) arrived.set(sid, now);
    await sleep(20);
  }
  // More sweeps (and, where TTL deletes timers, their path) get the time to (not) add a second event.
  await sleep(20_000);
  const counts = new Map<string, number>();
  for (const sid of expiredEvents(runtime.eventsFile)) counts.set(sid, (counts.get(sid) ?? 0) + 1);
  const lags = [...arrived].map(([sid, at]) => at - expiries.get(sid)!).sort((a, b) => a - b);
  const once = [...expiries.keys()].every((sid) => counts.get(sid) === 1);

  const cpu = cpus();
  const loads = [loadBefore, loadavg()].map((l) => l.map((x) => x.toFixed(2)).join(' '));
  console.log(
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model}; load average 1/5/15: ${loads.join(' → ')}`,
  );
  console.log(`${CHALLENGES} challenges, expiry sweep every ${SWEEP_SECONDS} s (npm start's default: 5 s)\n`);
  console.log(`challenge.expired received: ${arrived.size} of ${expiries.size}`);
  if (lags.length > 0) {
    const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `lag from expiration_date to the event line: p50 ${fmt(percentile(lags, 0.5))}, p90 ${fmt(
        percentile(lags, 0.9),
      )}, max ${fmt(lags.at(-1)!)} (min ${fmt(lags[0]!)})`,
    );
  }
  console.log(`exactly one challenge.expired per challenge, 20 s later: ${once ? 'yes' : 'NO'}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await runtime.stop({ drain: false });
  rmSync(dir, { recursive: true, force: true });
}
