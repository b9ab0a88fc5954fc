// @ts-nocheck
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDevice } from '../../infra/device/cli';
import { Device, newDeviceKey, newNotificationToken } from '../../infra/device/client';
import type { Delivery } from '../../infra/local/push-providers';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { apnTokenSecret, fcmSecret } from '../support/push-secrets';

/**
 * The whole push flow as `npm start` runs it: twilio-node creates a challenge, the stream asks for a
 * notification, the local rule queues it, the sender delivers it to the local APNs or FCM (which check
 * its authentication), and `npm run device -- watch` sees it and approves.
 */
let runtime: LocalRuntime;
const dir = mkdtempSync(join(tmpdir(), 'push-e2e-'));
beforeAll(async () => {
  runtime = await startLocalRuntime({
    port: 0,
    dir,
    inMemory: true,
    everythingLocal: true,
    pushRetryDelayMs: 200,
  });
}, 90_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function backend() {
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  client.notify.baseUrl = runtime.url;
  return client;
}

const deliveries = (): Delivery[] =>
  existsSync(runtime.push.file)
    ? readFileSync(runtime.push.file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Delivery)
    : [];

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const events = () =>
  readFileSync(runtime.eventsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Record<string, unknown> });

async function enrolledDevice(
  client: ReturnType<typeof backend>,
  serviceSid: string,
  platform: 'apn' | 'fcm',
) {
  const identity = `user-${Math.random().toString(16).slice(2, 10)}`;
  const { token } = await client.verify.v2
    .services(serviceSid)
    .accessTokens.create({ identity, factorType: 'push' });
  const device = new Device({ baseUrl: runtime.url, serviceSid, identity, privateKey: newDeviceKey() });
  await device.createFactor(token, 'Phone', { platform, token: newNotificationToken(platform) });
  await device.verifyFactor();
  return { device, entity: client.verify.v2.services(serviceSid).entities(identity) };
}

describe('push notifications with npm start', () => {
  it('FCM without any credential: the local provider gets the push, and `device watch` approves it', async () => {
    const client = backend();
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const identity = 'user-0001-alice';
    const { token } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity, factorType: 'push' });
    const state = join(dir, 'alice.json');
    const device = (...argv: string[]) => runDevice([...argv, '--state', state], { print: () => {} });
    await device('init', '--url', runtime.url, '--service', service.sid, '--identity', identity);
    const enroll = await device('enroll', '--token', token, '--platform', 'fcm');
    const factorSid = /Factor SID: (YF[0-9a-f]{32})/.exec(enroll)![1]!;
    const pushToken = JSON.parse(readFileSync(state, 'utf8')).notificationToken as string;

    const watching = device('watch', '--approve', '--once', '--pushes', runtime.push.file);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const entity = client.verify.v2.services(service.sid).entities(identity);
    const challenge = await entity.challenges.create({
      factorSid,
      'details.message': 'Log in to Owl Bank?',
      'details.fields': [{ label: 'IP', value: '1.2.3.4' }],
      hiddenDetails: { ip: '10.9.8.7' },
    });
    expect(await watching).toBe(`${challenge.sid} approved`);
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('approved');

    const push = deliveries().find((d) => d.token === pushToken)!;
    expect(push.provider).toBe('fcm');
    const message = push.payload as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(message.token).toBe(pushToken);
    expect(message.data).toEqual({
      type: 'verify_push_challenge',
      challenge_sid: challenge.sid,
      factor_sid: factorSid,
      message: 'Log in to Owl Bank?',
    });
    expect(message.notification).toBeUndefined();
    expect(message.android).toMatchObject({ priority: 'HIGH', collapse_key: challenge.sid });
    expect(Number(message.android.ttl.replace('s', ''))).toBeGreaterThan(250);
    expect(JSON.stringify(push)).not.toMatch(/1\.2\.3\.4|10\.9\.8\.7/);
    const sent = await waitFor(
      () =>
        events().find(
          (e) => e['detail-type'] === 'notification.sent' && e.detail.challenge_sid === challenge.sid,
        ),
      'notification.sent',
    );
    expect(sent.detail).toMatchObject({ provider: 'fcm', attempt: 1, factor_sid: factorSid });
  });

  it('APNs without any credential goes to the local APNs with the local key', async () => {
    const client = backend();
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const { device, entity } = await enrolledDevice(client, service.sid, 'apn');
    const challenge = await entity.challenges.create({
      factorSid: device.state.factorSid!,
      'details.message': 'Hi',
    });
    const push = await waitFor(
      () => deliveries().find((d) => d.token === device.state.notificationToken),
      'the APNs push',
    );
    expect(push).toMatchObject({ provider: 'apns', payload: { challenge_sid: challenge.sid } });
    expect(runtime.push.apns.stats.sessionsByAuth).toHaveProperty('team:LOCALTEAM1');
  });

  it('APNs with a credential created through twilio-node, and a resend that replaces the banner', async () => {
    const client = backend();
    const apn = apnTokenSecret('OWLTEAM123', 'OWLKEY4567');
    runtime.push.apns.trustKey(apn.teamId, apn.keyId, apn.publicKey);
    const credential = await client.notify.v1.credentials.create({
      type: 'apn',
      secret: apn.secret,
      sandbox: true,
    });
    const service = await client.verify.v2.services.create({
      friendlyName: 'Owl Bank',
      'push.apnCredentialSid': credential.sid,
    });
    const { device, entity } = await enrolledDevice(client, service.sid, 'apn');
    const challenge = await entity.challenges.create({
      factorSid: device.state.factorSid!,
      'details.message': 'Pay 25 EUR to Owl Shop?',
    });
    const token = device.state.notificationToken!;
    const first = await waitFor(() => deliveries().find((d) => d.token === token), 'the APNs push');
    expect(first.provider).toBe('apns');
    expect(first.headers).toMatchObject({
      'apns-topic': 'dev.verify.device-cli',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-collapse-id': challenge.sid,
    });
    expect(first.payload).toMatchObject({
      aps: { alert: 'Pay 25 EUR to Owl Shop?', 'mutable-content': 1 },
      type: 'verify_push_challenge',
      challenge_sid: challenge.sid,
      factor_sid: device.state.factorSid,
      message: 'Pay 25 EUR to Owl Shop?',
    });
    // The key the local APNs checked is the one this credential holds, not the local fallback's.
    expect(runtime.push.apns.stats.sessionsByAuth).toHaveProperty('team:OWLTEAM123');

    await entity.challenges(challenge.sid).notifications.create({ ttl: 60 });
    await waitFor(
      () => (deliveries().filter((d) => d.token === token).length === 2 ? true : undefined),
      'the resend',
    );
    const resent = deliveries().filter((d) => d.token === token)[1]!;
    expect(resent.headers['apns-collapse-id']).toBe(challenge.sid);
    const expiration = Number(resent.headers['apns-expiration']);
    expect(expiration - Date.now() / 1000).toBeLessThanOrEqual(61);
  });

  it('records a token FCM declares dead: notification.failed, no more pushes, resends refused until the app updates it', async () => {
    const client = backend();
    const fcm = fcmSecret(runtime.push.fcm.tokenUri, 'owl-bank-push');
    runtime.push.fcm.trustServiceAccount(fcm.clientEmail, fcm.publicKey, fcm.projectId);
    const credential = await client.notify.v1.credentials.create({ type: 'fcm', secret: fcm.secret });
    const service = await client.verify.v2.services.create({
      friendlyName: 'Owl',
      'push.fcmCredentialSid': credential.sid,
    });
    const { device, entity } = await enrolledDevice(client, service.sid, 'fcm');
    const token = device.state.notificationToken!;
    runtime.push.fcm.script(token, { status: 404, errorCode: 'UNREGISTERED' });
    const challenge = await entity.challenges.create({
      factorSid: device.state.factorSid!,
      'details.message': 'Log in?',
    });
    const failed = await waitFor(
      () =>
        events().find(
          (e) => e['detail-type'] === 'notification.failed' && e.detail.challenge_sid === challenge.sid,
        ),
      'notification.failed',
    );
    expect(failed.detail).toMatchObject({
      reason: 'UNREGISTERED',
      provider_status: 404,
      will_retry: false,
      token_invalidated: true,
    });
    expect(JSON.stringify(failed)).not.toContain(token);
    await expect(entity.challenges(challenge.sid).notifications.create()).rejects.toMatchObject({
      status: 400,
    });
  });
});
