import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoError, fromVerify } from '../../infra/demo/errors';
import { fileStamp, latestEvents } from '../../infra/demo/events';
import { demoSettings } from '../../infra/demo/settings';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser';

const dir = mkdtempSync(join(tmpdir(), 'demo-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SID = `AC${'1'.repeat(32)}`;
const TOKEN = 'a'.repeat(32);

describe('npm run demo settings', () => {
  it('defaults to port 3001 and the local service, with the account npm start wrote', () => {
    const local = join(dir, 'local');
    expect(() => demoSettings({ LOCAL_DIR: local })).toThrow(
      `No account in ${join(local, 'account.json')}: run \`npm start\` once`,
    );
    writeFileSync(join(dir, 'account.json'), JSON.stringify({ sid: SID, authToken: TOKEN }));
    expect(demoSettings({ LOCAL_DIR: dir })).toEqual({
      port: 3001,
      verifyUrl: 'http://127.0.0.1:3000',
      account: { sid: SID, authToken: TOKEN },
      dir,
      eventsFile: join(dir, 'events.jsonl'),
      pushFile: undefined,
    });
  });

  it('takes DEMO_PORT, VERIFY_URL, the LOCAL_* variables, and refuses what cannot work', () => {
    const env = { LOCAL_ACCOUNT_SID: SID, LOCAL_AUTH_TOKEN: TOKEN, LOCAL_DIR: dir };
    expect(
      demoSettings({
        ...env,
        DEMO_PORT: '4001',
        VERIFY_URL: 'https://verify.example.com/',
        LOCAL_EVENTS_FILE: '/tmp/e.jsonl',
        LOCAL_PUSH_FILE: '/tmp/p.jsonl',
      }),
    ).toMatchObject({
      port: 4001,
      verifyUrl: 'https://verify.example.com',
      eventsFile: '/tmp/e.jsonl',
      pushFile: '/tmp/p.jsonl',
    });
    expect(() => demoSettings({ ...env, DEMO_PORT: 'x' })).toThrow('DEMO_PORT must be a port number');
    expect(() => demoSettings({ ...env, VERIFY_URL: 'http://host/v2' })).toThrow('VERIFY_URL must be');
    expect(() => demoSettings({ ...env, LOCAL_ACCOUNT_SID: 'AC1' })).toThrow('LOCAL_ACCOUNT_SID must be');
  });
});

describe('the demo’s error messages', () => {
  it('explains the Verify errors a person meets and keeps their status and code', () => {
    const rest = (status: number, code: number, message = 'm') =>
      Object.assign(new Error(message), { status, code });
    expect(fromVerify(rest(429, 60310), 'u')).toMatchObject({
      status: 429,
      code: 60310,
      message:
        'Too many failed attempts: this authenticator is locked for now. Wait a minute, then try again.',
    });
    expect(fromVerify(rest(403, 60323), 'u').message).toBe('The challenge expired. Start signing in again.');
    expect(fromVerify(rest(400, 60380, 'origin is not allowed'), 'u')).toMatchObject({
      status: 400,
      message: 'Verify refused it: origin is not allowed',
    });
    // A failure of Verify itself is not the visitor's: 502.
    expect(fromVerify(rest(500, 20500), 'u').status).toBe(502);
  });

  it('says when Verify is not running, and passes its own errors through', () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(fromVerify(refused, 'http://127.0.0.1:3000')).toMatchObject({
      status: 502,
      message:
        'The Verify service at http://127.0.0.1:3000 is not answering (ECONNREFUSED): is npm start running?',
    });
    const own = new DemoError(409, 'taken');
    expect(fromVerify(own, 'u')).toBe(own);
    expect(fromVerify(new Error('boom'), 'u')).toMatchObject({
      status: 500,
      message: 'Unexpected failure: boom',
    });
  });
});

describe('the events panel', () => {
  const envelope = (type: string, detail: Record<string, unknown>, time = '2026-12-02T10:00:00Z') =>
    JSON.stringify({ version: '0', 'detail-type': type, source: 'verify-push-totp', time, detail });

  it('shows the newest events of the demo’s service first, without their details', () => {
    const file = join(dir, 'events.jsonl');
    expect(latestEvents(file, 'VA1')).toEqual([]);
    expect(fileStamp(file)).toBe('none');
    appendFileSync(
      file,
      [
        envelope('factor.created', {
          service_sid: 'VA1',
          factor_sid: 'YF1',
          factor_type: 'totp',
          status: 'unverified',
        }),
        envelope('factor.created', { service_sid: 'VA2', factor_sid: 'YF2' }),
        '{"cut',
        envelope('challenge.approved', {
          service_sid: 'VA1',
          factor_sid: 'YF1',
          challenge_sid: 'YC1',
          factor_type: 'totp',
          entity_identity: 'alice-2026',
          status: 'approved',
          challenge_details: { message: 'secret-ish' },
        }),
      ].join('\n') + '\n',
    );
    const stamp = fileStamp(file);
    expect(latestEvents(file, 'VA1')).toEqual([
      {
        time: '2026-12-02T10:00:00Z',
        type: 'challenge.approved',
        factorType: 'totp',
        identity: 'alice-2026',
        sid: 'YC1',
        status: 'approved',
      },
      {
        time: '2026-12-02T10:00:00Z',
        type: 'factor.created',
        factorType: 'totp',
        identity: null,
        sid: 'YF1',
        status: 'unverified',
      },
    ]);
    expect(latestEvents(file, 'VA1', 1).map((e) => e.type)).toEqual(['challenge.approved']);
    appendFileSync(file, envelope('factor.deleted', { service_sid: 'VA1' }) + '\n');
    expect(fileStamp(file)).not.toBe(stamp);
  });
});

describe('the browser tests without Chromium', () => {
  it('fail with the install instruction instead of skipping', async () => {
    const missing = join(dir, 'no-chromium');
    await expect(launchChromium(missing)).rejects.toThrow(CHROMIUM_MISSING(missing));
    expect(CHROMIUM_MISSING(missing)).toContain('apt-get install -y chromium');
  });
});
