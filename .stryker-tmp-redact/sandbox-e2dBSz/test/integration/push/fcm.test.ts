// @ts-nocheck
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localPushKeys, startLocalFcm, type LocalFcm } from '../../../infra/local/push-providers';
import { isParseError, parseFcmSecret } from '../../../shared/push/credentials';
import { createFcmProvider, type FcmProviderOptions } from '../../../shared/push/fcm';
import { fcmRequest } from '../../../shared/push/payloads';
import type {
  FcmServiceAccount,
  ProviderCredential,
  PushMessage,
  PushProvider,
} from '../../../shared/push/types';

const keys = localPushKeys();
const dir = mkdtempSync(join(tmpdir(), 'push-fcm-'));
const file = join(dir, 'deliveries', 'fcm.jsonl');
let fcm: LocalFcm;
let account: FcmServiceAccount;
const providers: PushProvider[] = [];

beforeAll(async () => {
  fcm = await startLocalFcm({ file });
  fcm.trustServiceAccount(keys.fcm.clientEmail, keys.fcm.publicKey);
  // The service-account JSON as a user would upload it, through the same parser the Credentials API uses.
  const parsed = parseFcmSecret(JSON.stringify({ ...keys.fcm.secret, token_uri: fcm.tokenUri }));
  if (isParseError(parsed)) throw new Error(parsed.error);
  account = parsed;
});
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await fcm?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const provider = (options: FcmProviderOptions = {}) => {
  const created = createFcmProvider({ baseUrl: fcm.url, ...options });
  providers.push(created);
  return created;
};
const credential = (overrides: Partial<FcmServiceAccount> = {}): ProviderCredential => ({
  type: 'fcm',
  sid: 'CR00000000000000000000000000000003',
  serviceAccount: { ...account, ...overrides },
});
const deviceToken = () =>
  `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`;
const message = (overrides: Partial<PushMessage> = {}): PushMessage => ({
  challengeSid: `YC${randomBytes(16).toString('hex')}`,
  factorSid: `YF${randomBytes(16).toString('hex')}`,
  message: 'Login request from Owl Bank',
  token: deviceToken(),
  appId: 'com.example.owlbank',
  ttlSeconds: 120,
  now: new Date(),
  ...overrides,
});
const counters = () => ({ ...fcm.stats });

describe('FCM client against the local FCM', () => {
  it('delivers the data-only Verify message, recorded in memory and in the file', async () => {
    const push = message();
    const outcome = await provider().send(credential(), push);
    expect(outcome).toMatchObject({
      kind: 'sent',
      id: expect.stringMatching(/^projects\/local-project\/messages\//),
    });
    const delivery = fcm.received.find((d) => d.token === push.token);
    expect(delivery).toMatchObject({
      provider: 'fcm',
      payload: fcmRequest('local-project', push).body.message,
    });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string });
    expect(lines.find((l) => l.token === push.token)).toStrictEqual(JSON.parse(JSON.stringify(delivery)));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'deliveries')).mode & 0o777).toBe(0o700);
  });

  it('sends 50 messages with one OAuth token request', async () => {
    const before = counters();
    const client = provider();
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, () => client.send(credential(), message())),
    );
    for (let i = 0; i < 25; i++) outcomes.push(await client.send(credential(), message()));
    expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(50);
    expect(fcm.stats.tokenRequests - before.tokenRequests).toBe(1);
    expect(fcm.stats.sends - before.sends).toBe(50);
  });

  it('reports a key Google does not know as a permanent credential error', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrong = credential({
      privateKey: stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const before = counters();
    expect(await provider().send(wrong, message())).toStrictEqual({
      kind: 'permanent',
      status: 400,
      reason: 'token request refused: invalid_grant',
    });
    expect(fcm.stats.sends - before.sends).toBe(0);
  });

  it('is refused a token for an assertion whose audience or time is wrong', async () => {
    const elsewhere = credential({ tokenUri: `${fcm.tokenUri}?elsewhere` });
    expect(await provider().send(elsewhere, message())).toMatchObject({ kind: 'permanent', status: 400 });
    const twoHoursAgo = provider({ now: () => Date.now() - 2 * 3600_000 });
    expect(await twoHoursAgo.send(credential(), message())).toMatchObject({
      kind: 'permanent',
      reason: 'token request refused: invalid_grant',
    });
  });

  it('classifies UNREGISTERED and an invalid registration token as a dead token', async () => {
    const push = message();
    fcm.script(push.token, {
      status: 404,
      errorCode: 'UNREGISTERED',
      message: 'Requested entity was not found.',
    });
    const client = provider();
    expect(await client.send(credential(), push)).toStrictEqual({
      kind: 'dead-token',
      status: 404,
      reason: 'UNREGISTERED',
    });
    expect(await client.send(credential(), message({ token: 'not a token!' }))).toStrictEqual({
      kind: 'dead-token',
      status: 400,
      reason: 'INVALID_ARGUMENT',
    });
  });

  it('reports QUOTA_EXCEEDED and UNAVAILABLE as retry with the Retry-After delay', async () => {
    const push = message();
    fcm.script(
      push.token,
      { status: 429, errorCode: 'QUOTA_EXCEEDED', retryAfter: 60 },
      { status: 503, errorCode: 'UNAVAILABLE', retryAfter: 5 },
      { status: 500, errorCode: 'INTERNAL' },
    );
    const client = provider();
    expect(await client.send(credential(), push)).toStrictEqual({
      kind: 'retry',
      status: 429,
      reason: 'QUOTA_EXCEEDED',
      retryAfterMs: 60_000,
    });
    expect(await client.send(credential(), push)).toMatchObject({
      kind: 'retry',
      status: 503,
      retryAfterMs: 5000,
    });
    expect(await client.send(credential(), push)).toStrictEqual({
      kind: 'retry',
      status: 500,
      reason: 'INTERNAL',
    });
    expect(await client.send(credential(), push)).toMatchObject({ kind: 'sent' });
  });

  it('does not retry SENDER_ID_MISMATCH', async () => {
    const push = message();
    fcm.script(push.token, { status: 403, errorCode: 'SENDER_ID_MISMATCH' });
    const before = counters();
    expect(await provider().send(credential(), push)).toStrictEqual({
      kind: 'permanent',
      status: 403,
      reason: 'SENDER_ID_MISMATCH',
    });
    expect(fcm.stats.sends - before.sends).toBe(1);
  });

  it('gets a new access token once when the current one is refused, then delivers', async () => {
    const client = provider();
    await client.send(credential(), message());
    fcm.revokeTokens();
    const before = counters();
    expect(await client.send(credential(), message())).toMatchObject({ kind: 'sent' });
    expect(fcm.stats.tokenRequests - before.tokenRequests).toBe(1);
    expect(fcm.stats.sends - before.sends).toBe(2);
    expect(await client.send(credential(), message())).toMatchObject({ kind: 'sent' });
    expect(fcm.stats.tokenRequests - before.tokenRequests).toBe(1);
  });

  it('cannot send for a project its service account does not belong to', async () => {
    expect(await provider().send(credential({ projectId: 'someone-else' }), message())).toMatchObject({
      kind: 'permanent',
      status: 403,
      reason: expect.stringContaining('PERMISSION_DENIED'),
    });
  });

  it('reports a dropped connection and a timeout as retry', async () => {
    const push = message();
    fcm.script(push.token, { action: 'disconnect' }, { action: 'hang' });
    const client = provider({ timeoutMs: 300 });
    expect(await client.send(credential(), push)).toMatchObject({ kind: 'retry' });
    expect(await client.send(credential(), push)).toStrictEqual({ kind: 'retry', reason: 'timeout' });
    expect(await client.send(credential(), push)).toMatchObject({ kind: 'sent' });
  });
});
