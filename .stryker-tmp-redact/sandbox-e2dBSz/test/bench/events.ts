/**
 * `npm run bench:events`: the event pipeline on DynamoDB Local.
 *   (i)  A batch of 100 challenge INSERT stream records through `processStream` with the real
 *        EventBridge publisher against the local sink: PutEvents calls the sink receives (target ≤ 10).
 *   (ii) From a challenge creation through the local server to its `challenge.created` line in the events
 *        file, with the stream pump and the sink as `npm start` runs them: p50 / p99 over BENCH_CHALLENGES
 *        (default 200) challenges, one at a time, each after a random pause. The pump sleeps 250 ms when
 *        the stream is idle, so expect half that on average (and up to all of it) on top of the work.
 * Exits 0 whether or not the target is met.
 */
// @ts-nocheck

import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { Device, newDeviceKey } from '../../infra/device/client';
import { ensureTable, freePort, LOCAL_AWS_ENV, startDynamoDbLocal } from '../../infra/local/dynamodb';
import { startEventSink, type EventSink } from '../../infra/local/event-sink';
import { createLocalServer, listen } from '../../infra/local/server';
import { build as buildStreamHandler } from '../../functions/stream/handler';
import { localDependencies } from '../../infra/local/dependencies';
import { startStreamPump } from '../../infra/local/stream-pump';
import { processStream } from '../../shared/app/stream';
import { newAccount } from '../../shared/domain/credentials';
import { EventBridgePublisher } from '../../shared/events/eventbridge';
import { challengeItem, challengeOf, pushFactor, streamRecord } from '../support/stream-records';

const CHALLENGES = Number(process.env.BENCH_CHALLENGES ?? 200);
const WARMUP = 10;
const TABLE = 'verify-bench-events';
/** The stream pump's sleep when the stream has nothing new. */
const IDLE_MS = 250;

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

/** (i) One Lambda batch of 100 new challenges → PutEvents calls. */
async function batchOf100(sink: EventSink) {
  const factor = pushFactor();
  const records = Array.from({ length: 100 }, () =>
    streamRecord('INSERT', undefined, challengeItem(challengeOf(factor))),
  );
  const client = new EventBridgeClient({ endpoint: sink.endpoint });
  const before = { ...sink.stats };
  const start = performance.now();
  const result = await processStream(records, {
    publisher: new EventBridgePublisher(client, 'bench'),
    challenges: { expire: async () => false, scheduleExpiry: async () => undefined },
    options: { includePii: true },
    now: () => new Date(),
  });
  const ms = performance.now() - start;
  client.destroy();
  const calls = sink.stats.calls - before.calls;
  const events = sink.stats.events - before.events;
  console.log('(i) 100 challenge INSERT records → processStream → EventBridgePublisher → local sink');
  console.log(
    `    failed records: ${result.batchItemFailures.length}; events: ${events}; ${ms.toFixed(1)} ms`,
  );
  console.log(`    PutEvents calls: ${calls} (target ≤ 10: ${calls <= 10 ? 'pass' : 'FAIL'})\n`);
}

Object.assign(process.env, LOCAL_AWS_ENV);
const dir = mkdtempSync(join(tmpdir(), 'verify-bench-events-'));
const eventsFile = join(dir, 'events.jsonl');
/** When each challenge's `challenge.created` line was written, by challenge SID. */
const createdAt = new Map<string, number>();
const waiting = new Map<string, () => void>();
const dynamo = await startDynamoDbLocal();
const stops: (() => Promise<void>)[] = [dynamo.stop];
try {
  const sink = await startEventSink({
    file: eventsFile,
    log: (line) => {
      const [, type, sid] = line.split(' ');
      if (type !== 'challenge.created' || !sid) return;
      createdAt.set(sid, performance.now());
      waiting.get(sid)?.();
    },
  });
  stops.push(sink.stop);
  writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const deps = localDependencies({
    TABLE_NAME: TABLE,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOCAL_MASTER_KEY_FILE: join(dir, 'master.key'),
    EVENT_BUS_NAME: 'bench',
    EVENTBRIDGE_ENDPOINT: sink.endpoint,
    PUBLIC_BASE_URL: url,
  });
  await ensureTable(dynamo.endpoint, TABLE);

  const cpu = cpus();
  console.log(
    `Node ${process.version} ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model}`,
  );
  console.log(
    `Memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average 1/5/15 min: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  await batchOf100(sink);

  // (ii) The pipeline as `npm start` runs it, and a device with a verified push factor.
  const pump = await startStreamPump({
    endpoint: dynamo.endpoint,
    tableName: TABLE,
    handler: buildStreamHandler(deps),
  });
  stops.push(pump.stop);
  const api = createLocalServer(deps);
  await api.ready();
  await listen(api, port);
  stops.push(async () => {
    api.closeAllConnections();
    await new Promise((done) => api.close(done));
  });
  const { account, authToken } = newAccount(new Date());
  await deps.accounts.putAccount(account);
  const client = twilio(account.sid, authToken);
  client.verify.baseUrl = url;
  const service = await client.verify.v2.services.create({ friendlyName: 'Bench Bank' });
  const identity = 'bench-events-user';
  const { token } = await client.verify.v2
    .services(service.sid)
    .accessTokens.create({ identity, factorType: 'push' });
  const device = new Device({ baseUrl: url, serviceSid: service.sid, identity, privateKey: newDeviceKey() });
  await device.createFactor(token, 'Bench Pixel');
  await device.verifyFactor();

  const challengesUrl = `${url}/v2/Services/${service.sid}/Entities/${identity}/Challenges`;
  const headers = {
    Authorization: `Basic ${Buffer.from(`${account.sid}:${authToken}`).toString('base64')}`,
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  const latencies: number[] = [];
  for (let i = 0; i < WARMUP + CHALLENGES; i++) {
    // A random pause first, so writes land at random points of the pump's polling cycle rather than
    // right after its last delivery (which would measure the full idle sleep every time).
    await new Promise((resolve) => setTimeout(resolve, Math.random() * IDLE_MS));
    const start = performance.now();
    const response = await fetch(challengesUrl, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ FactorSid: device.state.factorSid!, 'Details.Message': 'Log in?' }),
    });
    const { sid } = (await response.json()) as { sid: string };
    if (!response.ok) throw new Error(`Create failed: HTTP ${response.status}`);
    if (!createdAt.has(sid)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No challenge.created for ${sid} in 10 s`)), 10_000);
        waiting.set(sid, () => resolve(clearTimeout(timer)));
      });
      waiting.delete(sid);
    }
    if (i >= WARMUP) latencies.push(createdAt.get(sid)! - start);
  }
  const sorted = latencies.sort((a, b) => a - b);
  const lines = readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).length;
  console.log('(ii) challenge creation (HTTP, local server) → its challenge.created line in the events file');
  console.log(
    `    ${CHALLENGES} challenges, one at a time, each after a random 0–${IDLE_MS} ms pause, after ${WARMUP} ` +
      'warm-up; pump + sink running',
  );
  console.log(
    `    p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, ` +
      `min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
  );
  console.log(`    events file: ${lines} lines; PutEvents calls in all: ${sink.stats.calls}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const stop of stops.reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
}
