import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URI } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import decodeQR from 'qr/decode.js';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../infra/demo/server';
import { ensureDemoService } from '../../infra/demo/service';
import { runDevice } from '../../infra/device/cli';
import { freePort } from '../../infra/local/dynamodb';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import {
  authenticatorPage,
  launchChromium,
  readmeScreenshot,
  startProxy,
  type AuthenticatorPage,
} from '../support/browser';

/**
 * The demo web app in headless Chromium with a virtual authenticator, against the whole local runtime as
 * `npm start` runs it (DynamoDB Local, the event bus file, the local push providers): a person signs up,
 * adds a passkey, a TOTP app (from the QR code on the page) and a push device (with the commands the page
 * shows), then signs in each way, and meets each failure the page must explain.
 */
let runtime: LocalRuntime;
let demo: DemoServer;
let browser: Browser;
let target: AuthenticatorPage;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'demo-e2e-'));
const identity = `alice-${Math.random().toString(16).slice(2, 10)}`;
let totpUri = '';
let pushCommands: string[][] = [];

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startLocalRuntime({
      port: 0,
      dir: join(dir, 'verify'),
      inMemory: true,
      everythingLocal: true,
      log: () => {},
    }),
    launchChromium(),
  ]);
  mkdirSync(join(dir, 'demo'));
  demo = await startDemoServer({
    port: 0,
    verifyUrl: runtime.url,
    account: runtime.account,
    dir: join(dir, 'demo'),
    eventsFile: runtime.eventsFile,
    pushFile: runtime.push.file,
  });
  target = await authenticatorPage(browser);
  page = target.page;
  // Fail in seconds, not Playwright's 30 s, when something the page should show does not appear.
  page.setDefaultTimeout(10_000);
  await page.goto(demo.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The words of a shell command as the page prints it (single quotes only, as it quotes). */
const words = (command: string) =>
  [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!).slice(4); // after `npm run device --`

const shown = async (id: string) => {
  await page.locator(`#${id}:not([hidden])`).waitFor();
  return (await page.locator(`#${id}`).textContent()) ?? '';
};
const failure = () => shown('error');
const notice = () => shown('notice');

async function signOut() {
  await page.click('#signout');
  await expect.poll(() => page.textContent('#who')).toBe('Not signed in');
}

/** The QR code on the page, read back from its pixels. */
async function scanQrCode() {
  // A string, not a function: this test file is compiled without the DOM's types.
  const image = await page.evaluate<number[]>(`(async () => {
    const img = document.getElementById('totp-qr');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 300;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 300, 300);
    context.drawImage(img, 0, 0, 300, 300);
    return Array.from(context.getImageData(0, 0, 300, 300).data);
  })()`);
  return decodeQR({ width: 300, height: 300, data: Uint8Array.from(image) });
}

/** The code an authenticator app shows `stepsAhead` time steps from now (Verify accepts one step of skew). */
const totpCode = (stepsAhead = 0) =>
  URI.parse(totpUri).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

describe('the demo web app in Chromium', () => {
  it('signs up, then adds a TOTP app from the QR code, a passkey and a push device', async () => {
    await expect(page.textContent('#signup-section .hint')).resolves.toContain(
      '8 to 64 letters or digits, in groups joined by single dashes',
    );
    await page.fill('#signup-identity', 'al');
    expect(await page.evaluate(`document.getElementById('signup-identity').checkValidity()`)).toBe(false);
    await page.fill('#signup-identity', identity);
    await page.click('#signup-form button');
    expect(await notice()).toContain(`Welcome, ${identity}`);
    expect(await page.textContent('#who')).toBe(`Signed in as ${identity}`);

    // TOTP: the QR code decodes to the URI shown, and the app's code verifies the factor (a wrong one not).
    await page.click('#add-totp');
    await page.locator('#totp-setup:not([hidden])').waitFor();
    totpUri = await scanQrCode();
    expect(totpUri).toBe(await page.textContent('#totp-uri'));
    expect(totpUri).toMatch(
      new RegExp(`^otpauth://totp/Verify%20demo:${identity}\\?secret=[A-Z2-7]+&issuer=Verify%20demo`),
    );
    await page.fill('#totp-code', '000000');
    await page.click('#totp-verify-form button');
    expect(await failure()).toContain('That code is not right');
    await page.fill('#totp-code', totpCode());
    await page.click('#totp-verify-form button');
    expect(await notice()).toContain('Authenticator app added');

    // Passkey: created by the virtual authenticator for RP ID localhost, its user handle the entity SID.
    await page.click('#add-passkey');
    expect(await notice()).toContain('Passkey added');
    const [credential, ...others] = await target.credentials();
    expect(others).toEqual([]);
    expect(credential).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    expect(Buffer.from(credential!.userHandle!, 'base64').toString()).toMatch(/^YE[0-9a-f]{32}$/);

    // Push: the page's commands, run as printed, enroll the device; the page shows it once verified.
    await page.click('#add-push');
    pushCommands = (await shown('push-commands')).split('\n').filter(Boolean).map(words);
    expect(pushCommands.map((args) => args[0])).toEqual(['init', 'enroll', 'watch']);
    await runDevice(pushCommands[0]!);
    expect(await runDevice(pushCommands[1]!)).toMatch(/Status: +verified/);
    await page.locator('#factors tr[data-type="push"][data-status="verified"]').waitFor();
    await page.locator('#push-setup').waitFor({ state: 'hidden' });

    const types = await page.$$eval('#factors tbody tr', (rows) =>
      rows.map((row) => `${row.getAttribute('data-type')}:${row.getAttribute('data-status')}`).sort(),
    );
    expect(types).toEqual(['passkeys:verified', 'push:verified', 'totp:verified']);
    await signOut();
  });

  it('signs in with the passkey, without the identity and with it', async () => {
    const before = (await target.credentials())[0]!.signCount;
    await page.click('#signin-passkey');
    expect(await notice()).toBe(`Signed in with a passkey as ${identity}.`);
    expect(await page.textContent('#who')).toBe(`Signed in as ${identity}`);
    expect((await target.credentials())[0]!.signCount).toBe(before + 1);
    // The events panel follows the bus: the passkey challenge's approval shows up.
    await page
      .locator('#events li', { hasText: 'challenge.approved' })
      .filter({ hasText: 'passkeys' })
      .first()
      .waitFor();
    await signOut();

    // With the identity typed, Verify offers that user's passkeys (allowCredentials) and the browser uses one.
    await page.fill('#signin-identity', identity);
    await page.click('#signin-passkey');
    expect(await notice()).toBe(`Signed in with a passkey as ${identity}.`);
    await signOut();
  });

  it('signs in with a TOTP code after a wrong one', async () => {
    await page.fill('#signin-identity', identity);
    await page.fill('#signin-code', '999999');
    await page.click('#signin-totp-form button');
    expect(await failure()).toContain('That code is not right');
    // The code of the next time step: the current one verified the factor, and a code is good once.
    await page.fill('#signin-code', totpCode(1));
    await page.click('#signin-totp-form button');
    expect(await notice()).toBe(`Signed in with a TOTP code as ${identity}.`);
    await signOut();
  });

  it('signs in with push: the page waits, and updates when `npm run device -- watch` approves', async () => {
    const watchArgs = pushCommands[2]!;
    const approval = runDevice([...watchArgs, '--approve', '--once'], { print: () => {} });
    await page.fill('#signin-identity', identity);
    await page.click('#signin-push');
    const approved = await notice();
    expect(approved).toMatch(
      /^(Sent to .*device: waiting for its answer\.|Approved on the device: signed in as .*)$/,
    );
    expect(await approval).toMatch(/^YC[0-9a-f]{32} approved$/);
    await expect
      .poll(() => page.textContent('#notice'), { timeout: 10_000 })
      .toBe(`Approved on the device: signed in as ${identity}.`);
    expect(await page.textContent('#who')).toBe(`Signed in as ${identity}`);
    await page
      .locator('#events li', { hasText: 'challenge.approved' })
      .filter({ hasText: 'push' })
      .first()
      .waitFor();
    // The README's picture of the page, made here so that it stays true (remade when the page changes).
    await readmeScreenshot(page, 'docs/demo.png', 'infra/demo');
    await signOut();
  });

  it('explains every failure: expired push, cancelled passkey prompt, unknown user, locked factor', async () => {
    demo.app.options.pushTtlSeconds = 2;
    try {
      await page.fill('#signin-identity', identity);
      await page.click('#signin-push');
      await expect
        .poll(() => page.getAttribute('#push-pending', 'data-status'), { timeout: 10_000 })
        .toBe('expired');
      expect(await failure()).toBe(
        'The challenge expired before the device answered. Start signing in again.',
      );
    } finally {
      demo.app.options.pushTtlSeconds = 120;
    }

    // A user who does not verify (a failed fingerprint, a cancelled prompt): the browser says NotAllowedError.
    await target.cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: target.authenticatorId,
      isUserVerified: false,
    });
    try {
      await page.fill('#signin-identity', '');
      await page.click('#signin-passkey');
      expect(await failure()).toContain('The passkey prompt was cancelled or timed out');
    } finally {
      await target.cdp.send('WebAuthn.setUserVerified', {
        authenticatorId: target.authenticatorId,
        isUserVerified: true,
      });
    }

    await page.fill('#signin-identity', 'nobody-00000000');
    await page.fill('#signin-code', '123456');
    await page.click('#signin-totp-form button');
    expect(await failure()).toBe('Nobody signed up as nobody-00000000: sign up first.');

    // Wrong codes until Verify locks the factor (the 5th failure in a row locks it for a minute).
    await page.fill('#signin-identity', identity);
    let text = '';
    for (let attempt = 0; attempt < 7 && !text.includes('locked'); attempt++) {
      await page.fill('#signin-code', '000000');
      await page.click('#signin-totp-form button');
      text = await failure();
    }
    expect(text).toBe(
      'Too many failed attempts: this authenticator is locked for now. Wait a minute, then try again. (Verify error 60310)',
    );
    expect(await page.textContent('#who')).toBe('Not signed in');
  });

  it('refuses a passkey signed for another origin of the same RP ID', async () => {
    const proxy = await startProxy(demo.url);
    try {
      await page.goto(proxy.url);
      await page.click('#signin-passkey');
      expect(await failure()).toMatch(/^Verify refused it: .*origin.* \(Verify error \d+\)$/i);
      expect(await page.textContent('#who')).toBe('Not signed in');
    } finally {
      await page.goto(demo.url);
      await proxy.stop();
    }
  });

  it('checks identities and requests on the server too', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${demo.url}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    const short = await post('/api/signup', JSON.stringify({ identity: 'bob' }));
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({
      message:
        'The identity must be 8 to 64 letters or digits, in groups joined by single dashes (like alice-2026).',
      code: null,
    });
    const taken = await post('/api/signup', JSON.stringify({ identity }));
    expect(taken.status).toBe(409);
    expect((await post('/api/totp/start', '{}')).status).toBe(401);
    expect((await post('/api/signup', 'identity=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('/api/signup', '[1]')).status).toBe(400);
    expect((await fetch(`${demo.url}/api/nothing`)).status).toBe(404);
    const home = await fetch(demo.url);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    const state = await fetch(`${demo.url}/api/state`);
    expect(state.headers.get('set-cookie')).toMatch(
      /^demo_session=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    // The account's credentials stay on the demo's server.
    for (const served of [
      await home.text(),
      await state.text(),
      await (await fetch(`${demo.url}/app.js`)).text(),
    ]) {
      expect(served).not.toContain(runtime.account.authToken);
    }
  });

  it('`npm run demo` serves the page with the account and Verify URL it is given, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('npm', ['run', 'demo'], {
      env: {
        ...process.env,
        DEMO_PORT: String(port),
        VERIFY_URL: runtime.url,
        LOCAL_ACCOUNT_SID: runtime.account.sid,
        LOCAL_AUTH_TOKEN: runtime.account.authToken,
        LOCAL_DIR: join(dir, 'npm-run-demo'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect
        .poll(() => output.includes('Press Ctrl+C to stop.') || child.exitCode !== null, { timeout: 60_000 })
        .toBe(true);
      expect(output).toContain(`Verify demo ready: open http://localhost:${port}`);
      const client = twilio(runtime.account.sid, runtime.account.authToken);
      client.verify.baseUrl = runtime.url;
      const serviceSid = /service (VA[0-9a-f]{32})/.exec(output)![1]!;
      const service = await client.verify.v2.services(serviceSid).fetch();
      expect(service.friendlyName).toBe('Verify demo');
      expect(service.passkeys).toEqual({
        relying_party: { id: 'localhost', name: 'Verify demo', origins: [`http://localhost:${port}`] },
        authenticator_attachment: 'any',
        discoverable_credentials: 'required',
        user_verification: 'required',
      });
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('<title>Verify demo</title>');
    } finally {
      child.kill('SIGTERM');
    }
    await expect.poll(() => child.exitCode, { timeout: 10_000 }).toBe(0);
  });

  it('keeps its Verify service per account, Verify URL and origin, and says when Verify is not running', async () => {
    const client = twilio(runtime.account.sid, runtime.account.authToken);
    client.verify.baseUrl = runtime.url;
    const options = {
      dir: join(dir, 'services'),
      accountSid: runtime.account.sid,
      verifyUrl: runtime.url,
      origin: 'http://localhost:4001',
    };
    const first = await ensureDemoService(client, options);
    expect(await ensureDemoService(client, options)).toBe(first);
    const other = await ensureDemoService(client, { ...options, origin: 'http://localhost:4002' });
    expect(other).not.toBe(first);
    expect(await ensureDemoService(client, options)).toBe(first);
    await client.verify.v2.services(first).remove();
    const replaced = await ensureDemoService(client, options);
    expect(replaced).not.toBe(first);

    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(
      startDemoServer({
        port: 0,
        verifyUrl: closed,
        account: runtime.account,
        dir: join(dir, 'services'),
        eventsFile: runtime.eventsFile,
      }),
    ).rejects.toThrow(
      `The Verify service at ${closed} is not answering (ECONNREFUSED): is npm start running?`,
    );
  });
});
