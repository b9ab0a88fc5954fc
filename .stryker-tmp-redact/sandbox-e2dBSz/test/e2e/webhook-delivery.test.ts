// @ts-nocheck
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TOTP } from 'otpauth';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, newDeviceKey } from '../../infra/device/client';
import { freePort } from '../../infra/local/dynamodb';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { eventValidator } from '../support/stream-records';

/**
 * Webhooks as `npm start` delivers them: twilio-node configures them, factors and challenges change, and a
 * plain HTTP receiver on 127.0.0.1 validates every request it gets with `twilio.validateRequest` and the
 * account's auth token, as a Twilio customer's endpoint does.
 */
interface Received {
  path: string;
  url: string;
  params: Record<string, string>;
  signature: string;
  idempotencyToken: string;
  valid: boolean;
  contentType: string;
}

let runtime: LocalRuntime;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const logLines: string[] = [];
/** Per path: how the receiver answers each request (default 200). */
const behaviour = new Map<string, (req: Received, res: ServerResponse) => void>();
const dir = mkdtempSync(join(tmpdir(), 'webhooks-e2e-'));

function readBody(req: IncomingMessage) {
  return new Promise<string>((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  const port = await freePort();
  receiverUrl = `http://127.0.0.1:${port}`;
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = `${receiverUrl}${req.url}`;
      const params = Object.fromEntries(new URLSearchParams(body));
      const signature = String(req.headers['x-twilio-signature'] ?? '');
      const entry: Received = {
        path: new URL(url).pathname,
        url,
        params,
        signature,
        idempotencyToken: String(req.headers['i-twilio-idempotency-token'] ?? ''),
        valid: twilio.validateRequest(runtime.account.authToken, signature, url, params),
        contentType: String(req.headers['content-type']),
      };
      received.push(entry);
      const answer = behaviour.get(entry.path);
      if (answer) answer(entry, res);
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  runtime = await startLocalRuntime({
    port: 0,
    dir,
    inMemory: true,
    everythingLocal: true,
    log: (line) => logLines.push(line),
    settings: {
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
      WEBHOOK_RETRY_BASE_MS: '300',
      WEBHOOK_RETRY_WINDOW_SECONDS: '4',
    },
  });
}, 90_000);

afterAll(async () => {
  await runtime?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function backend() {
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  return client;
}

async function waitFor<T>(
  find: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const at = (path: string, serviceSid: string) =>
  received.filter((r) => r.path === path && r.params.service_sid === serviceSid);

const events = () =>
  readFileSync(runtime.eventsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Record<string, unknown> });

async function newService(name: string) {
  const client = backend();
  const service = await client.verify.v2.services.create({ friendlyName: name });
  return { client, serviceSid: service.sid, svc: client.verify.v2.services(service.sid) };
}

describe('webhooks with npm start', () => {
  it('delivers all five event types to a * webhook, each signed for twilio.validateRequest', async () => {
    const { serviceSid, svc } = await newService('Owl Bank');
    await svc.webhooks.create({
      friendlyName: 'All',
      eventTypes: ['*'],
      webhookUrl: `${receiverUrl}/all?source=verify`,
    });
    const onlyDenied = await svc.webhooks.create({
      friendlyName: 'Denied',
      eventTypes: ['challenge.denied'],
      webhookUrl: `${receiverUrl}/denied`,
    });
    await svc.webhooks.create({
      friendlyName: 'Off',
      eventTypes: ['*'],
      webhookUrl: `${receiverUrl}/off`,
      status: 'disabled',
    });

    // TOTP: created, verified, a challenge approved, deleted.
    const alice = svc.entities('user-0001-alice');
    const factor = await alice.newFactors.create({ friendlyName: "Alice's app", factorType: 'totp' });
    const totp = new TOTP({ secret: factor.binding.secret });
    await alice.factors(factor.sid).update({ authPayload: totp.generate() });
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const challenge = await alice.challenges.create({
      factorSid: factor.sid,
      authPayload: next,
      'details.message': 'Log in?',
      hiddenDetails: { ip: '172.168.1.234' },
    } as never);
    expect(challenge.status).toBe('approved');

    // Push: a device denies a challenge.
    const identity = 'user-0002-bob';
    const { token } = await svc.accessTokens.create({ identity, factorType: 'push' });
    const device = new Device({ baseUrl: runtime.url, serviceSid, identity, privateKey: newDeviceKey() });
    await device.createFactor(token, "Bob's phone");
    await device.verifyFactor();
    const pushChallenge = await svc
      .entities(identity)
      .challenges.create({ factorSid: device.state.factorSid!, 'details.message': 'Wire $500?' });
    await device.answer(pushChallenge.sid, 'denied');
    await alice.factors(factor.sid).remove();

    const types = (path: string) => at(path, serviceSid).map((r) => r.params.type);
    await waitFor(() => types('/all').length >= 7, '7 deliveries to the * webhook');
    await waitFor(() => types('/denied').length >= 1, 'the challenge.denied delivery');
    await runtime.webhooks.idle();

    const all = at('/all', serviceSid);
    expect(all.every((r) => r.valid)).toBe(true);
    expect(all.every((r) => r.contentType.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    expect(new Set(types('/all'))).toEqual(
      new Set([
        'factor.created',
        'factor.verified',
        'factor.deleted',
        'challenge.approved',
        'challenge.denied',
      ]),
    );
    expect(types('/all').sort()).toEqual(
      [
        'factor.created',
        'factor.verified',
        'challenge.approved',
        'factor.deleted',
        'factor.created',
        'factor.verified',
        'challenge.denied',
      ].sort(),
    );
    expect(types('/denied')).toEqual(['challenge.denied']);
    expect(at('/off', serviceSid)).toEqual([]);

    const approved = all.find((r) => r.params.type === 'challenge.approved')!;
    expect(approved.params).toMatchObject({
      account_sid: runtime.account.sid,
      service_sid: serviceSid,
      entity_identity: 'user-0001-alice',
      factor_sid: factor.sid,
      factor_type: 'totp',
      challenge_sid: challenge.sid,
      challenge_status: 'approved',
      challenge_responded_reason: 'none',
      factor_friendly_name: "Alice's app",
      challenge_hidden_details: '{"ip":"172.168.1.234"}',
    });
    expect(JSON.parse(approved.params.challenge_details!)).toMatchObject({ message: 'Log in?' });
    expect(approved.params.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const created = all.find(
      (r) => r.params.type === 'factor.created' && r.params.factor_sid === factor.sid,
    )!;
    expect(created.params).toMatchObject({
      factor_friendly_name: "Alice's app",
      entity_identity: 'user-0001-alice',
    });
    expect(all.find((r) => r.params.type === 'challenge.denied')!.params).toMatchObject({
      challenge_sid: pushChallenge.sid,
      factor_type: 'push',
      entity_identity: identity,
    });
    // Each (event, webhook) has its own idempotency token; the same event to two webhooks shares its uuid.
    expect(new Set(all.map((r) => r.idempotencyToken)).size).toBe(all.length);
    const denied = at('/denied', serviceSid)[0]!;
    expect(denied.valid).toBe(true);
    expect(denied.params.uuid).toBe(all.find((r) => r.params.type === 'challenge.denied')!.params.uuid);
    expect(denied.idempotencyToken).not.toBe(
      all.find((r) => r.params.type === 'challenge.denied')!.idempotencyToken,
    );
    expect(onlyDenied.sid).toMatch(/^YW/);
    // No secret on the console.
    expect(logLines.join('\n')).not.toContain(runtime.account.authToken);
  });

  it('retries a receiver that fails twice: three attempts, one idempotency token', async () => {
    const { svc, serviceSid } = await newService('Flaky');
    const failures = new Map<string, number>();
    behaviour.set('/flaky', (req, res) => {
      const count = failures.get(req.idempotencyToken) ?? 0;
      failures.set(req.idempotencyToken, count + 1);
      res.writeHead(count < 2 ? 503 : 204).end();
    });
    await svc.webhooks.create({
      friendlyName: 'Flaky',
      eventTypes: ['factor.created'],
      webhookUrl: `${receiverUrl}/flaky`,
    });
    await svc.entities('user-0003-carol').newFactors.create({ friendlyName: 'c', factorType: 'totp' });
    await waitFor(() => at('/flaky', serviceSid).length >= 3, 'three attempts');
    await runtime.webhooks.idle();
    const attempts = at('/flaky', serviceSid);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.idempotencyToken)).size).toBe(1);
    expect(new Set(attempts.map((r) => r.params.uuid)).size).toBe(1);
    expect(attempts.every((r) => r.valid)).toBe(true);
    expect(logLines.filter((line) => line.includes('attempt') && line.includes('factor.created'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/attempt 1: 503 → retry in/),
        expect.stringMatching(/attempt 2: 503 → retry in/),
        expect.stringMatching(/attempt 3: 204 → delivered/),
      ]),
    );
  });

  it('retries a receiver that never answers, then gives up: dead-letter queue and webhook.delivery_failed', async () => {
    const { svc, serviceSid } = await newService('Hanging');
    behaviour.set('/hang', () => {
      /* never answers */
    });
    const hook = await svc.webhooks.create({
      friendlyName: 'Hang',
      eventTypes: ['factor.created'],
      webhookUrl: `${receiverUrl}/hang`,
    });
    await svc.entities('user-0004-dave').newFactors.create({ friendlyName: 'd', factorType: 'totp' });
    const failed = await waitFor(
      () =>
        events().find(
          (e) => e['detail-type'] === 'webhook.delivery_failed' && e.detail.webhook_sid === hook.sid,
        ),
      'webhook.delivery_failed',
      30_000,
    );
    expect(eventValidator()(failed as never)).toEqual([]);
    expect(failed.detail).toMatchObject({
      service_sid: serviceSid,
      event_type: 'factor.created',
      reason: 'timeout',
      last_status: null,
    });
    const attempts = at('/hang', serviceSid);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(failed.detail.attempts).toBe(attempts.length);
    expect(new Set(attempts.map((r) => r.idempotencyToken)).size).toBe(1);
    expect(existsSync(runtime.webhooks.deadLetterFile)).toBe(true);
    const dead = readFileSync(runtime.webhooks.deadLetterFile, 'utf8');
    expect(dead).toContain(hook.sid);
    expect(JSON.stringify(failed)).not.toContain(receiverUrl);
  });

  it('a slow receiver does not delay another webhook of the same event', async () => {
    const { svc, serviceSid } = await newService('Slow and fast');
    let release: (() => void) | undefined;
    behaviour.set('/slow', (_req, res) => {
      release = () => res.writeHead(200).end();
    });
    await svc.webhooks.create({ friendlyName: 'Slow', eventTypes: ['*'], webhookUrl: `${receiverUrl}/slow` });
    await svc.webhooks.create({ friendlyName: 'Fast', eventTypes: ['*'], webhookUrl: `${receiverUrl}/fast` });
    await svc.entities('user-0005-erin').newFactors.create({ friendlyName: 'e', factorType: 'totp' });
    await waitFor(() => at('/slow', serviceSid).length >= 1, 'the slow receiver to be reached');
    // The slow receiver holds its request; the fast one gets its own meanwhile.
    await waitFor(() => at('/fast', serviceSid).length >= 1, 'the fast receiver, while the slow one holds');
    expect(release).toBeDefined();
    release!();
    expect(at('/fast', serviceSid)[0]!.valid).toBe(true);
  });

  it('a webhook disabled or deleted receives nothing more', async () => {
    const { svc, serviceSid } = await newService('Off again');
    const hook = await svc.webhooks.create({
      friendlyName: 'x',
      eventTypes: ['factor.created'],
      webhookUrl: `${receiverUrl}/later-off`,
    });
    await svc.entities('user-0006-fran').newFactors.create({ friendlyName: 'f', factorType: 'totp' });
    await waitFor(() => at('/later-off', serviceSid).length >= 1, 'the first delivery');
    await svc.webhooks(hook.sid).update({ status: 'disabled' });
    await svc.entities('user-0007-gina').newFactors.create({ friendlyName: 'g', factorType: 'totp' });
    await waitFor(
      () =>
        events().some(
          (e) => e['detail-type'] === 'factor.created' && e.detail.entity_identity === 'user-0007-gina',
        ),
      'the second event',
    );
    await runtime.webhooks.idle();
    await svc.webhooks(hook.sid).remove();
    await svc.entities('user-0008-hana').newFactors.create({ friendlyName: 'h', factorType: 'totp' });
    await waitFor(
      () =>
        events().some(
          (e) => e['detail-type'] === 'factor.created' && e.detail.entity_identity === 'user-0008-hana',
        ),
      'the third event',
    );
    await runtime.webhooks.idle();
    expect(at('/later-off', serviceSid)).toHaveLength(1);
  });
});

describe('the README webhook example', () => {
  it('runs as written: the receiver validates factor.created, factor.verified and challenge.approved', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = (name: string) =>
      new RegExp(`<!-- ${name} -->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
    const receiverCode = block('webhook-receiver');
    const backendCode = block('webhook-backend');
    expect(receiverCode).toBeDefined();
    expect(backendCode).toBeDefined();
    // Inside the repository, so that `twilio` and `otpauth` resolve as they do for a user.
    mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
    const folder = mkdtempSync(join(root, 'node_modules/.cache/readme-webhooks-'));
    writeFileSync(join(folder, 'receiver.mjs'), receiverCode!);
    writeFileSync(join(folder, 'backend.mjs'), backendCode!);
    const webhookUrl = `http://127.0.0.1:${await freePort()}/verify-events`;
    const env = {
      ...process.env,
      ACCOUNT_SID: runtime.account.sid,
      AUTH_TOKEN: runtime.account.authToken,
      VERIFY_URL: runtime.url,
      WEBHOOK_URL: webhookUrl,
    };
    const child = spawn(process.execPath, [join(folder, 'receiver.mjs')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(async () => {
        try {
          await fetch(webhookUrl, { method: 'POST' });
          return true;
        } catch {
          return false;
        }
      }, 'the receiver to listen');
      const { stdout } = await promisify(execFile)(process.execPath, [join(folder, 'backend.mjs')], { env });
      expect(stdout).toContain('Challenge approved');
      await waitFor(
        () =>
          ['factor.created', 'factor.verified', 'challenge.approved'].every((t) =>
            output.includes(`validated ${t}`),
          ),
        'the three validated events',
      );
    } finally {
      child.kill();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
