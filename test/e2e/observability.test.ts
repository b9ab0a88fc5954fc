import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP } from 'otpauth';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, newDeviceKey, newNotificationToken } from '../../infra/device/client';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { captureLogs } from '../support/logs';

/**
 * The whole service as `npm start` runs it (API functions, stream handler, push sender, webhook dispatcher
 * and delivery), driven through twilio-node and a device, with every line any of them logs captured: none
 * may contain a secret the flow used, and the structured fields and metrics must be there.
 */
let runtime: LocalRuntime;
let receiver: Server;
let capture: ReturnType<typeof captureLogs>;
const dir = mkdtempSync(join(tmpdir(), 'observability-e2e-'));
const secrets: Record<string, string> = {};
const delivered: string[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      delivered.push(String(request.headers['x-twilio-signature']));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  capture = captureLogs();
  runtime = await startLocalRuntime({ port: 0, dir, inMemory: true, everythingLocal: true, log: () => {} });
});

afterAll(async () => {
  capture?.stop();
  await runtime?.stop();
  receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = async (check: () => boolean, what: string | (() => string)) => {
  for (let i = 0; i < 150; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}`);
};

describe('logs of an end-to-end run', () => {
  it('carry no secret of the flow, and carry the request fields, security events and metrics', async () => {
    const { sid: accountSid, authToken } = runtime.account;
    secrets.authToken = authToken;
    secrets.authorization = Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    const client = twilio(accountSid, authToken);
    client.verify.baseUrl = runtime.url;
    const service = await client.verify.v2.services.create({ friendlyName: 'Observed' });
    const port = (receiver.address() as { port: number }).port;
    await client.verify.v2.services(service.sid).webhooks.create({
      friendlyName: 'all',
      eventTypes: ['*'],
      webhookUrl: `http://127.0.0.1:${port}/hook`,
    });

    const entries = () => capture.entries();
    const metric = (name: string) => entries().some((entry) => name in entry && '_aws' in entry);

    // TOTP: a factor verified with a real code, a challenge approved with the next one, and a wrong code.
    const alice = client.verify.v2.services(service.sid).entities('user-observed-alice');
    const factor = await alice.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    secrets.totpSecret = factor.binding.secret;
    const totp = new TOTP({ secret: factor.binding.secret });
    const code = totp.generate({ timestamp: Date.now() - 30_000 });
    secrets.code = code;
    await alice.factors(factor.sid).update({ authPayload: code });
    const next = totp.generate();
    secrets.nextCode = next;
    const challenge = await alice.challenges.create({ factorSid: factor.sid, authPayload: next });
    expect(challenge.status).toBe('approved');
    const wrong = String((Number(next) + 500_000) % 1_000_000).padStart(6, '0');
    secrets.wrongCode = wrong;
    await expect(alice.factors(factor.sid).update({ authPayload: wrong })).rejects.toMatchObject({
      code: 60311,
    });

    // Push: enrolled with an access token, the device answers a challenge with a signed JWT.
    const identity = 'user-observed-bob';
    const { token: accessToken } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity, factorType: 'push' });
    secrets.accessToken = accessToken;
    const device = new Device({
      baseUrl: runtime.url,
      serviceSid: service.sid,
      identity,
      privateKey: newDeviceKey(),
    });
    const pushFactor = await device.createFactor(accessToken, 'Phone', {
      platform: 'fcm',
      token: newNotificationToken('fcm'),
    });
    await device.verifyFactor();
    secrets.deviceToken = await device.deviceToken();
    const pushChallenge = await client.verify.v2
      .services(service.sid)
      .entities(identity)
      .challenges.create({ factorSid: String(pushFactor.sid), 'details.message': 'Log in?' });
    // The device answers once notified: a challenge answered first is never sent (the sender skips it).
    await waitFor(() => metric('NotificationsSent'), 'the push notification');
    await device.answer(pushChallenge.sid, 'approved');

    // A refused credential.
    const refused = twilio(accountSid, 'f'.repeat(32));
    refused.verify.baseUrl = runtime.url;
    await expect(refused.verify.v2.services.list()).rejects.toMatchObject({ status: 401 });

    await waitFor(
      () => metric('ChallengesApproved') && metric('NotificationsSent') && metric('WebhookDeliveries'),
      () =>
        `the pipeline metrics: ${['ChallengesApproved', 'NotificationsSent', 'WebhookDeliveries'].filter((n) => !metric(n)).join(', ')} missing`,
    );
    await waitFor(() => delivered.length > 0, 'a webhook');

    // Nothing secret, in any form, anywhere in the output.
    const everything = capture.everything();
    for (const [name, value] of Object.entries(secrets)) {
      const alone = new RegExp(
        `(?<![0-9A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`,
      );
      expect(alone.test(everything), name).toBe(false);
    }
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./); // any JWT
    expect(everything).not.toMatch(/\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\./); // any sealed blob
    expect(everything).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    for (const signature of delivered) expect(everything).not.toContain(signature);

    // One line per request, with its route, status, latency, request ids and account.
    const requests = entries().filter((e) => e.message === 'Request handled');
    expect(requests.length).toBeGreaterThan(10);
    for (const line of requests) {
      expect(line).toMatchObject({
        level: 'INFO',
        service: 'verify-push-totp',
        route: expect.stringMatching(/^(GET|POST|DELETE) \/v[12]\//),
        status: expect.any(Number),
        latency_ms: expect.any(Number),
        function_request_id: expect.any(String),
        correlation_id: expect.any(String),
        timestamp: expect.any(String),
      });
    }
    expect(requests).toContainEqual(
      expect.objectContaining({
        route: 'POST /v2/Services/{ServiceSid}/Entities/{Identity}/Challenges',
        status: 201,
        account_sid: accountSid,
        principal: 'account',
      }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ status: 403, error_code: 60311, account_sid: accountSid }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ principal: 'device', account_sid: accountSid }),
    );

    // Security events: one line each, and counted (401s in total only; the rest per account).
    const events = entries().filter((e) => e.message === 'Security event');
    expect(events).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        security_event: 'wrong-code',
        error_code: 60311,
        account_sid: accountSid,
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        security_event: 'authentication-failed',
        status: 401,
        claimed_sid: accountSid,
      }),
    );
    const emf = entries().filter((e) => '_aws' in e);
    expect(emf).toContainEqual(expect.objectContaining({ WrongCodes: 1, account_sid: accountSid }));
    expect(emf.find((e) => 'AuthFailures' in e)).not.toHaveProperty('account_sid');
    expect(emf).toContainEqual(
      expect.objectContaining({ ChallengesCreated: expect.any(Number), account_sid: accountSid }),
    );

    // The batch functions log one line per batch under their own names.
    const batches = new Set(
      entries()
        .filter((e) => e.message === 'Batch processed')
        .map((e) => e.function_name),
    );
    for (const name of ['StreamHandler', 'PushSender', 'WebhookDispatcher', 'WebhookDelivery'])
      expect(batches).toContain(name);
  });
});
