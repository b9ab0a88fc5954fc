/**
 * `npm run bench:bundles`: builds every function exactly as the CDK stack does (`bundleFunction`) and reports
 * each bundle's size and cold import time next to a floor bundle (the DynamoDB document client and one
 * `GetCommand`) built the same way in the same run. Budget: each function ≤ floor + 200 KB and ≤ 1.3× the
 * floor's import time. Size is every file of the bundle (what deploys); "eager" is `index.mjs` and the chunks
 * it imports statically, which every cold start reads, while lazily imported chunks load on first use.
 * Timings are medians of BENCH_RUNS (default 15) fresh `node` processes, interleaved across bundles; a
 * function's ratio is the median of its per-round ratios to the floor, so load that hits one round hits
 * both sides of the comparison.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_ENTRY_FILE, bundleFunction, eagerFiles } from '../../infra/cdk/bundling';
import {
  DELETER_HANDLER,
  PUSH_SENDER_HANDLER,
  STREAM_HANDLER,
  WEBHOOK_DELIVERY_HANDLER,
  WEBHOOK_DISPATCHER_HANDLER,
} from '../../shared/events/filters';
import { FALLBACK_HANDLER, ROUTES } from '../../shared/http/routes';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SIZE_BUDGET_KB = 200;
const TIME_BUDGET_RATIO = 1.3;
const ENV = {
  ...process.env,
  TABLE_NAME: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  KMS_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/bench',
  EVENT_BUS_NAME: 'bench',
};
/** Runs in a fresh process: the time to import the bundle at argv[1], in ms, on stdout. */
const IMPORT_TIMER =
  'const t = performance.now(); await import(process.argv[1]); ' +
  'process.stdout.write(String(performance.now() - t)); process.exit(0);';

interface Bundle {
  name: string;
  entry: string;
  file: string;
  bytes: number;
  eagerBytes: number;
  times: number[];
}

const targets = [
  { name: 'floor', entry: 'test/bench/floor/handler.ts' },
  ...ROUTES.map(({ name, handler }) => ({ name, entry: handler })),
  { name: 'Fallback', entry: FALLBACK_HANDLER },
  { name: 'StreamHandler', entry: STREAM_HANDLER },
  { name: 'Deleter', entry: DELETER_HANDLER },
  { name: 'PushSender', entry: PUSH_SENDER_HANDLER },
  { name: 'WebhookDispatcher', entry: WEBHOOK_DISPATCHER_HANDLER },
  { name: 'WebhookDelivery', entry: WEBHOOK_DELIVERY_HANDLER },
];

function build(name: string, entry: string): Bundle {
  const dir = join(OUT, 'bundles', name);
  rmSync(dir, { recursive: true, force: true });
  bundleFunction(join(ROOT, entry), dir);
  const size = (files: Iterable<string>) =>
    [...files].reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return {
    name,
    entry,
    file: join(dir, BUNDLE_ENTRY_FILE),
    bytes: size(readdirSync(dir)),
    eagerBytes: size(eagerFiles(dir)),
    times: [],
  };
}

function importMs(file: string): number {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href],
    {
      env: ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return Number(out);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number) => bytes / 1024;

mkdirSync(OUT, { recursive: true });
let bundles: Bundle[];
try {
  bundles = targets.map(({ name, entry }) => build(name, entry));
} catch (error) {
  console.error('bench:bundles: build failed\n', error);
  process.exit(1);
}

for (const { file } of bundles) importMs(file); // warm the filesystem cache
for (let run = 0; run < RUNS; run++) for (const bundle of bundles) bundle.times.push(importMs(bundle.file));

const [floor] = bundles as [Bundle, ...Bundle[]];
const results = bundles.map(({ name, entry, bytes, eagerBytes, times }) => {
  const sizeKb = kb(bytes);
  const deltaKb = kb(bytes - floor.bytes);
  const ms = median(times);
  const ratio = median(times.map((time, run) => time / floor.times[run]!));
  return {
    name,
    entry,
    bytes,
    eagerKb: kb(eagerBytes),
    sizeKb,
    deltaKb,
    importMs: ms,
    ratio,
    sizeOk: deltaKb <= SIZE_BUDGET_KB,
    timeOk: ratio <= TIME_BUDGET_RATIO,
    times: times.map((t) => Math.round(t * 100) / 100),
  };
});

const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  runs: RUNS,
};
console.log(
  `node ${machine.node}, ${machine.cpus} × ${machine.cpu}, N=${RUNS} (median of fresh processes)\n`,
);
const yesNo = (ok: boolean) => (ok ? 'yes' : 'no');
const rows = [
  ['name', 'size KB', 'eager KB', 'Δ size KB', 'import ms', 'ratio', 'size ok', 'time ok'],
  ...results.map((r) => [
    r.name,
    r.sizeKb.toFixed(1),
    r.eagerKb.toFixed(1),
    r === results[0] ? '—' : `${r.deltaKb >= 0 ? '+' : ''}${r.deltaKb.toFixed(1)}`,
    r.importMs.toFixed(1),
    `${r.ratio.toFixed(2)}×`,
    yesNo(r.sizeOk),
    yesNo(r.timeOk),
  ]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
for (const row of rows) {
  console.log(
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | '),
  );
}

const functions = results.slice(1);
const within = functions.filter((r) => r.sizeOk && r.timeOk).length;
writeFileSync(
  join(OUT, 'bundles.json'),
  `${JSON.stringify({ machine, floor: results[0], functions }, null, 2)}\n`,
);
console.log(
  `\nbundles: ${within}/${functions.length} within budget ` +
    `(size ≤ floor+${SIZE_BUDGET_KB} KB and import ≤ ${TIME_BUDGET_RATIO}× floor)`,
);
