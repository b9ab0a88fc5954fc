/**
 * `npm run bench:webhooks`: webhook delivery as `npm start` runs it (`startLocalRuntime`: DynamoDB Local,
 * the stream pump, the stream handler, the event sink's local rule, the dispatcher, the delivery queue and
 * the delivery's real HTTP). A `*` webhook points at a local receiver; for BENCH_EVENTS (default 200) TOTP
 * factor creations, one at a time after a random pause, it times from the create request to the receiver
 * getting the signed `factor.created` request (target p50 ≤ 500 ms), and counts the connections the
 * receiver accepted for those deliveries (target: a handful, thanks to keep-alive). It also times the
 * create request to the event reaching the sink (the local pipeline's baseline, mostly the stream pump's
 * 250 ms polling). Exits 0 whether or not the targets are met.
 */
// @ts-nocheck

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { startLocalRuntime } from '../../infra/local/runtime';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const WARMUP = 10;
const IDLE_MS = 250;
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

const arrivals = new Map<string, number>();
let valid = 0;
let connections = 0;
let authToken = '';
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${req.url}`;
    if (twilio.validateRequest(authToken, String(req.headers['x-twilio-signature']), url, params)) valid++;
    if (params.type === 'factor.created' && params.factor_sid)
      arrivals.set(params.factor_sid, performance.now());
    res.writeHead(204).end();
  });
});
receiver.on('connection', () => connections++);
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const dir = mkdtempSync(join(tmpdir(), 'verify-bench-webhooks-'));
const sinkAt = new Map<string, number>();
const runtime = await startLocalRuntime({
  port: 0,
  dir,
  inMemory: true,
  log: (line) => {
    const [, type, sid] = line.split(' ');
    if (type === 'factor.created' && sid) sinkAt.set(sid, performance.now());
  },
});
authToken = runtime.account.authToken;
try {
  const cpu = cpus();
  console.log(
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model}; load ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  const service = await client.verify.v2.services.create({ friendlyName: 'Bench Hooks' });
  await client.verify.v2
    .services(service.sid)
    .webhooks.create({ friendlyName: 'bench', eventTypes: ['*'], webhookUrl: receiverUrl });
  const auth = `Basic ${Buffer.from(`${runtime.account.sid}:${runtime.account.authToken}`).toString('base64')}`;

  const latency: number[] = [];
  const baseline: number[] = [];
  let connectionsBefore = 0;
  for (let i = 0; i < WARMUP + EVENTS; i++) {
    if (i === WARMUP) connectionsBefore = connections;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * IDLE_MS));
    const identity = `bench-hook-${i.toString().padStart(4, '0')}`;
    const start = performance.now();
    const response = await fetch(`${runtime.url}/v2/Services/${service.sid}/Entities/${identity}/Factors`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ FactorType: 'totp', FriendlyName: 'bench' }),
    });
    const { sid } = (await response.json()) as { sid: string };
    const deadline = Date.now() + 10_000;
    while (!arrivals.has(sid) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 2));
    if (!arrivals.has(sid)) throw new Error(`No delivery for ${sid}`);
    if (i >= WARMUP) {
      latency.push(arrivals.get(sid)! - start);
      if (sinkAt.has(sid)) baseline.push(sinkAt.get(sid)! - start);
    }
  }
  latency.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const row = (name: string, values: number[]) =>
    `${name.padEnd(34)} p50 ${percentile(values, 0.5).toFixed(0).padStart(4)} ms   p99 ${percentile(
      values,
      0.99,
    )
      .toFixed(0)
      .padStart(4)} ms`;
  console.log(`${EVENTS} factor creations, one \`*\` webhook on 127.0.0.1:`);
  console.log(row('create → receiver (webhook)', latency));
  console.log(row('create → event sink (baseline)', baseline));
  console.log(
    `connections for ${EVENTS} deliveries: ${connections - connectionsBefore}; requests validated by twilio.validateRequest: ${valid}/${arrivals.size}`,
  );
  console.log(`target p50 ≤ 500 ms: ${percentile(latency, 0.5) <= 500 ? 'met' : 'NOT met'}`);
} finally {
  await runtime.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
}
