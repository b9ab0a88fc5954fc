/**
 * `npm run bench:push`: push delivery as `npm start` runs it (`startLocalRuntime`: DynamoDB Local, the
 * stream pump, the stream handler, the event sink's local rule, the push queue, the sender and the local
 * APNs and FCM). For BENCH_CHALLENGES (default 200) challenges, one at a time after a random pause,
 * alternating between a device on APNs and one on FCM, it times:
 *   - from the create request to the local provider receiving the notification (target p50 ≤ 400 ms);
 *   - in the same run, from the create request to the `challenge.created` event reaching the sink: the
 *     baseline, what every event takes through the local stream pump (which sleeps 250 ms when idle);
 *     push minus baseline is what the rule, the queue, the sender and the provider add;
 *   - the provider connections and token requests those sends took (target: 1 and 1 per provider).
 * Exits 0 whether or not the targets are met.
 */
// @ts-nocheck

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { Device, newDeviceKey, newNotificationToken } from '../../infra/device/client';
import { startLocalRuntime } from '../../infra/local/runtime';

const CHALLENGES = Number(process.env.BENCH_CHALLENGES ?? 200);
const WARMUP = 10;
const IDLE_MS = 250;
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

const dir = mkdtempSync(join(tmpdir(), 'verify-bench-push-'));
const createdAt = new Map<string, number>();
const runtime = await startLocalRuntime({
  port: 0,
  dir,
  inMemory: true,
  log: (line) => {
    const [, type, sid] = line.split(' ');
    if (type === 'challenge.created' && sid) createdAt.set(sid, performance.now());
  },
});
try {
  const cpu = cpus();
  console.log(
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model}; load ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  const service = await client.verify.v2.services.create({ friendlyName: 'Bench Bank' });
  const devices = [];
  for (const platform of ['apn', 'fcm'] as const) {
    const identity = `bench-push-${platform}`;
    const { token } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity, factorType: 'push' });
    const device = new Device({
      baseUrl: runtime.url,
      serviceSid: service.sid,
      identity,
      privateKey: newDeviceKey(),
    });
    await device.createFactor(token, 'Bench phone', { platform, token: newNotificationToken(platform) });
    await device.verifyFactor();
    devices.push({ platform, device, identity });
  }
  const { apns, fcm } = runtime.push;
  const received = (platform: 'apn' | 'fcm') => (platform === 'apn' ? apns.received : fcm.received);
  const auth = `Basic ${Buffer.from(`${runtime.account.sid}:${runtime.account.authToken}`).toString('base64')}`;

  const push: Record<'apn' | 'fcm', number[]> = { apn: [], fcm: [] };
  const baseline: number[] = [];
  let before = { apns: { ...apns.stats }, fcm: { ...fcm.stats } };
  for (let i = 0; i < WARMUP + CHALLENGES; i++) {
    if (i === WARMUP) before = { apns: { ...apns.stats }, fcm: { ...fcm.stats } };
    const { platform, device, identity } = devices[i % 2]!;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * IDLE_MS));
    const seen = received(platform).length;
    const start = performance.now();
    const response = await fetch(
      `${runtime.url}/v2/Services/${service.sid}/Entities/${identity}/Challenges`,
      {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ FactorSid: device.state.factorSid!, 'Details.Message': 'Log in?' }),
      },
    );
    const { sid } = (await response.json()) as { sid: string };
    if (!response.ok) throw new Error(`Create failed: HTTP ${response.status}`);
    const deadline = Date.now() + 10_000;
    while (received(platform).length === seen) {
      if (Date.now() > deadline) throw new Error(`No push for ${sid}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const arrived = performance.now();
    if (i < WARMUP) continue;
    push[platform].push(arrived - start);
    const created = createdAt.get(sid);
    if (created !== undefined) baseline.push(created - start);
  }

  const all = [...push.apn, ...push.fcm].sort((a, b) => a - b);
  const base = baseline.sort((a, b) => a - b);
  const line = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${name.padEnd(34)} p50 ${percentile(sorted, 0.5).toFixed(0).padStart(4)} ms   p99 ${percentile(sorted, 0.99).toFixed(0).padStart(4)} ms   (n=${sorted.length})`;
  };
  console.log(line('create → provider (all)', all));
  console.log(line('create → provider (APNs)', push.apn));
  console.log(line('create → provider (FCM)', push.fcm));
  console.log(line('baseline: create → event at sink', base));
  const p50 = percentile(all, 0.5);
  console.log(
    `\np50 ${p50.toFixed(0)} ms (target ≤ 400 ms: ${p50 <= 400 ? 'pass' : 'FAIL'}); ` +
      `push/baseline p50 ratio ${(p50 / percentile(base, 0.5)).toFixed(2)}×, ` +
      `the sender path adds ${(p50 - percentile(base, 0.5)).toFixed(0)} ms at p50`,
  );
  const sends = { apns: apns.stats.requests - before.apns.requests, fcm: fcm.stats.sends - before.fcm.sends };
  console.log(
    `\nAPNs: ${sends.apns} sends over ${apns.stats.connections - before.apns.connections} new connections ` +
      `(${apns.stats.connections} in all, warm-up included), ${apns.stats.providerTokens} provider JWT(s) in all`,
  );
  console.log(
    `FCM:  ${sends.fcm} sends over ${fcm.stats.connections - before.fcm.connections} new connections ` +
      `(${fcm.stats.connections} in all), ${fcm.stats.tokenRequests} OAuth token request(s) in all`,
  );
} finally {
  await runtime.stop();
  rmSync(dir, { recursive: true, force: true });
}
