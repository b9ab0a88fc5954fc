// @ts-nocheck
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('npm start', () => {
  it('serves the API with the configured account, then stops with its DynamoDB Local on SIGTERM', async () => {
    const port = await freePort();
    const sid = `AC${'5'.repeat(32)}`;
    const token = 'f'.repeat(32);
    const { PUBLIC_BASE_URL: _public, DYNAMODB_ENDPOINT: _endpoint, ...inherited } = process.env;
    const localDir = join(mkdtempSync(join(tmpdir(), 'verify-start-')), 'local');
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
    const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
      const started = Date.now();
      while (!(await condition())) {
        if (Date.now() - started > 90_000) throw new Error(`Timed out waiting for ${what}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await until(
        () => output.includes('Press Ctrl+C to stop.') || child.exitCode !== null,
        'the ready line',
      );
      expect(output).toContain('Press Ctrl+C to stop.');
      expect(output).toContain(`client.verify.baseUrl = 'http://127.0.0.1:${port}'`);
      expect(output).toContain(`twilio('${sid}', '${token}')`);

      const client = twilio(sid, token);
      client.verify.baseUrl = `http://127.0.0.1:${port}`;
      const service = await client.verify.v2.services.create({ friendlyName: 'Smoke' });
      expect(service.url).toBe(`http://127.0.0.1:${port}/v2/Services/${service.sid}`);
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

      const javaPid = Number(/DynamoDB:\s+local \(pid (\d+)\)/.exec(output)![1]);
      expect(isAlive(javaPid)).toBe(true);
      child.kill('SIGTERM');
      await until(() => output.includes('SIGTERM: stopping'), 'the shutdown message');
      await until(() => !isAlive(javaPid), 'DynamoDB Local to stop');
      await until(() => portIsFree(port), 'the port to be free');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
