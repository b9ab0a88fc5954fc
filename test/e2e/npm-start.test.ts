import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portIsFree = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
  return response === undefined;
};

/** Every process below `pid` (npm → node → java, its watchdog, the pipeline process). */
function descendantsOf(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** The local addresses a process listens on, from `ss -ltnp`. */
const listeningAddresses = (pid: number) =>
  execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3]!);

const sid = `AC${'5'.repeat(32)}`;
const token = 'f'.repeat(32);

/** `npm start` on a free port with its own data folder, and ways to wait for what it prints. */
function npmStart(localDir: string, port: number) {
  const { PUBLIC_BASE_URL: _public, DYNAMODB_ENDPOINT: _endpoint, ...inherited } = process.env;
  const child = spawn('npm', ['start'], {
    env: {
      ...inherited,
      PORT: String(port),
      LOCAL_DIR: localDir,
      LOCAL_ACCOUNT_SID: sid,
      LOCAL_AUTH_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const until = async (condition: () => boolean | Promise<boolean>, what: string, ms = 90_000) => {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > ms) throw new Error(`Timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const ready = async () => {
    await until(() => output.includes('Press Ctrl+C to stop.') || child.exitCode !== null, 'the ready line');
    expect(output).toContain('Press Ctrl+C to stop.');
    return Number(/DynamoDB:\s+local \(pid (\d+)\)/.exec(output)![1]);
  };
  const client = twilio(sid, token);
  client.verify.baseUrl = `http://127.0.0.1:${port}`;
  return { child, output: () => output, exited, until, ready, client };
}

const eventsOf = (file: string, type: string, factorSid: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { 'detail-type': string; detail: { factor_sid?: string } })
        .filter((event) => event['detail-type'] === type && event.detail.factor_sid === factorSid)
    : [];

describe('npm start', () => {
  it('serves the API with the configured account, keeps DynamoDB Local on 127.0.0.1, then stops with it on SIGTERM', async () => {
    const port = await freePort();
    const localDir = join(mkdtempSync(join(tmpdir(), 'verify-start-')), 'local');
    const { child, output, until, ready, client } = npmStart(localDir, port);
    try {
      const javaPid = await ready();
      expect(output()).toContain(`client.verify.baseUrl = 'http://127.0.0.1:${port}'`);
      expect(output()).toContain(`twilio('${sid}', '${token}')`);

      // Local data is not reachable from the network: every socket DynamoDB Local listens on is loopback.
      const addresses = listeningAddresses(javaPid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses)
        expect(address).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);

      const service = await client.verify.v2.services.create({ friendlyName: 'Smoke' });
      expect(service.url).toBe(`http://127.0.0.1:${port}/v2/Services/${service.sid}`);

      // The banner names the table and DynamoDB Local's endpoint, and the README's local admin line works
      // as printed, with no AWS or table setting at all.
      expect(output()).toMatch(
        /DynamoDB:\s+local \(pid \d+\), table verify-local at http:\/\/127\.0\.0\.1:\d+\n/,
      );
      const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
      const adminLine = /<!-- admin-local -->\s*```sh\n(npm run admin -- .*)\n```/
        .exec(readme)![1]!
        .replace('AC…', sid);
      expect(output()).toContain(`  ${adminLine}\n`);
      const adminEnv = Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) =>
            !/^(AWS_|TABLE_NAME$|KMS_KEY_ID$|LOCAL_MASTER_KEY_FILE$|PUBLIC_BASE_URL$|DYNAMODB_ENDPOINT$)/.test(
              name,
            ),
        ),
      );
      const [npm, ...args] = adminLine.split(' ');
      const { stdout } = await promisify(execFile)(npm!, args, { env: { ...adminEnv, LOCAL_DIR: localDir } });
      const [, keySid, secret] = /API key SID: (SK[0-9a-f]{32})\nSecret: +([0-9a-f]{32})/.exec(stdout)!;
      const keyed = twilio(keySid!, secret!, { accountSid: sid });
      keyed.verify.baseUrl = `http://127.0.0.1:${port}`;
      expect((await keyed.verify.v2.services(service.sid).fetch()).friendlyName).toBe('Smoke');
      // A factor makes an event, so every kind of local file exists: all readable by the user only.
      await client.verify.v2
        .services(service.sid)
        .entities('user-0001-alice')
        .newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
      await until(() => existsSync(join(localDir, 'events.jsonl')), 'the events file');
      expect(statSync(localDir).mode & 0o777).toBe(0o700);
      const files = readdirSync(localDir, { recursive: true, encoding: 'utf8' })
        .map((name) => join(localDir, name))
        .filter((path) => statSync(path).isFile());
      expect(files.map((path) => path.slice(localDir.length + 1)).sort()).toEqual(
        expect.arrayContaining(['events.jsonl', 'master.key', join('dynamodb', 'shared-local-instance.db')]),
      );
      for (const path of files) expect([path, statSync(path).mode & 0o777]).toEqual([path, 0o600]);

      expect(isAlive(javaPid)).toBe(true);
      child.kill('SIGTERM');
      await until(() => output().includes('SIGTERM: stopping'), 'the shutdown message');
      await until(() => !isAlive(javaPid), 'DynamoDB Local to stop');
      await until(() => portIsFree(port), 'the port to be free');
      expect(existsSync(join(localDir, 'runtime.json'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);

  it('delivers the events of a write acknowledged just before SIGTERM after the next start, exactly once; exits non-zero when DynamoDB Local dies, leaving nothing behind', async () => {
    const localDir = join(mkdtempSync(join(tmpdir(), 'verify-restart-')), 'local');
    const eventsFile = join(localDir, 'events.jsonl');
    let port = await freePort();
    let run = npmStart(localDir, port);
    try {
      await run.ready();
      const service = await run.client.verify.v2.services.create({ friendlyName: 'Restart' });
      const entity = run.client.verify.v2.services(service.sid).entities('user-0001-alice');
      const factor = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);

      port = await freePort();
      run = npmStart(localDir, port);
      const javaPid = await run.ready();
      // A write after the restart: once its event is there, everything before it was delivered.
      const marker = await run.client.verify.v2
        .services(service.sid)
        .entities('user-0002-bob')
        .newFactors.create({ friendlyName: 'Bob', factorType: 'totp' });
      await run.until(() => eventsOf(eventsFile, 'factor.created', marker.sid).length > 0, 'the marker');
      expect(eventsOf(eventsFile, 'factor.created', factor.sid)).toHaveLength(1);
      expect(existsSync(join(localDir, 'stream-checkpoints', 'stream-handler.json'))).toBe(true);

      const processes = descendantsOf(run.child.pid!);
      expect(processes).toContain(javaPid);
      process.kill(javaPid, 'SIGKILL');
      const killed = Date.now();
      expect(await run.exited).toBe(1);
      // Seconds on a quiet machine; the bound leaves room for a loaded one.
      expect(Date.now() - killed).toBeLessThan(30_000);
      expect(run.output()).toMatch(/DynamoDB Local \(pid \d+\) exited \(signal SIGKILL\)/);
      await run.until(() => processes.every((pid) => !isAlive(pid)), 'every process to end', 10_000);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 300_000);
});
