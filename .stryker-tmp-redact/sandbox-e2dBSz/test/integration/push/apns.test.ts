// @ts-nocheck
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../infra/local/certificates';
import { localPushKeys, startLocalApns, type LocalApns } from '../../../infra/local/push-providers';
import { createApnsProvider, type ApnsProviderOptions } from '../../../shared/push/apns';
import { apnsRequest } from '../../../shared/push/payloads';
import type { ProviderCredential, PushMessage, PushProvider } from '../../../shared/push/types';

const MINUTE = 60_000;
const keys = localPushKeys();
const dir = mkdtempSync(join(tmpdir(), 'push-apns-'));
const file = join(dir, 'deliveries', 'apns.jsonl');
let apns: LocalApns;
let serverSkew = 0;
let clientSkew = 0;
const providers: PushProvider[] = [];

beforeAll(async () => {
  apns = await startLocalApns({ file, now: () => Date.now() + serverSkew });
  apns.trustKey(keys.apns.teamId, keys.apns.keyId, keys.apns.publicKey);
});
afterEach(async () => {
  serverSkew = 0;
  clientSkew = 0;
  await Promise.all(providers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await apns?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const provider = (options: ApnsProviderOptions = {}) => {
  const created = createApnsProvider({
    baseUrl: apns.url,
    ca: apns.ca,
    now: () => Date.now() + clientSkew,
    ...options,
  });
  providers.push(created);
  return created;
};
const credential: ProviderCredential = {
  type: 'apn',
  sid: 'CR00000000000000000000000000000001',
  sandbox: true,
  auth: {
    kind: 'token',
    teamId: keys.apns.teamId,
    keyId: keys.apns.keyId,
    privateKey: keys.apns.secret.private_key,
  },
};
const deviceToken = () => randomBytes(32).toString('hex');
const message = (overrides: Partial<PushMessage> = {}): PushMessage => ({
  challengeSid: `YC${randomBytes(16).toString('hex')}`,
  factorSid: `YF${randomBytes(16).toString('hex')}`,
  message: 'Login request from Owl Bank',
  token: deviceToken(),
  appId: 'com.example.owlbank',
  ttlSeconds: 300,
  now: new Date(),
  ...overrides,
});
const counters = () => ({ connections: apns.stats.connections, requests: apns.stats.requests });

describe('APNs client against the local APNs', () => {
  it('delivers the Verify payload and headers, recorded in memory and in the file', async () => {
    const push = message();
    const outcome = await provider().send(credential, push);
    expect(outcome).toMatchObject({ kind: 'sent', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const expected = apnsRequest(push);
    const delivery = apns.received.find((d) => d.token === push.token);
    expect(delivery).toMatchObject({ provider: 'apns', headers: expected.headers, payload: expected.body });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string });
    expect(lines.find((l) => l.token === push.token)).toStrictEqual(JSON.parse(JSON.stringify(delivery)));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'deliveries')).mode & 0o777).toBe(0o700);
  });

  it('sends 50 notifications over one HTTP/2 session with one provider token', async () => {
    const before = {
      ...counters(),
      tokens: apns.stats.providerTokens,
      team: apns.stats.sessionsByAuth['team:LOCALTEAM1'] ?? 0,
    };
    const client = provider();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => client.send(credential, message())));
    for (let i = 0; i < 25; i++) outcomes.push(await client.send(credential, message()));
    expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(50);
    expect(apns.stats.connections - before.connections).toBe(1);
    expect(apns.stats.requests - before.requests).toBe(50);
    expect(apns.stats.providerTokens - before.tokens).toBe(1);
    expect(apns.stats.sessionsByAuth['team:LOCALTEAM1']).toBe(before.team + 1);
  });

  it('keeps developer accounts (teams) on separate sessions', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    apns.trustKey(
      'OTHERTEAM1',
      'OTHERKEY01',
      other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const otherCredential: ProviderCredential = {
      ...credential,
      auth: {
        kind: 'token',
        teamId: 'OTHERTEAM1',
        keyId: 'OTHERKEY01',
        privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    };
    const before = counters();
    const client = provider();
    const outcomes = await Promise.all([
      client.send(credential, message()),
      client.send(otherCredential, message()),
      client.send(credential, message()),
      client.send(otherCredential, message()),
    ]);
    expect(outcomes.map((o) => o.kind)).toStrictEqual(['sent', 'sent', 'sent', 'sent']);
    expect(apns.stats.connections - before.connections).toBe(2);
    expect(apns.stats.sessionsByAuth['team:OTHERTEAM1']).toBe(1);
  });

  it('reports a key APNs does not know as a permanent credential error, after one new token', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const wrong: ProviderCredential = {
      ...credential,
      auth: {
        kind: 'token',
        teamId: keys.apns.teamId,
        keyId: keys.apns.keyId,
        privateKey: stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    };
    const before = counters();
    expect(await provider().send(wrong, message())).toStrictEqual({
      kind: 'permanent',
      status: 403,
      reason: 'InvalidProviderToken',
    });
    expect(apns.stats.requests - before.requests).toBe(2);
  });

  it('mints one new provider token on ExpiredProviderToken and then delivers', async () => {
    const client = provider();
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    const tokens = apns.stats.providerTokens;
    // The client thinks its token is 30 minutes old (still fine to reuse); APNs thinks it is 61 minutes old.
    clientSkew = 30 * MINUTE;
    serverSkew = 61 * MINUTE;
    const before = counters();
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    expect(apns.stats.requests - before.requests).toBe(2);
    expect(apns.stats.providerTokens - tokens).toBe(1);
    // The new token is reused from then on.
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    expect(apns.stats.providerTokens - tokens).toBe(1);
  });

  it('uses a new provider token once the cached one is 40 minutes old', async () => {
    const client = provider();
    await client.send(credential, message());
    const tokens = apns.stats.providerTokens;
    clientSkew = serverSkew = 39 * MINUTE;
    await client.send(credential, message());
    expect(apns.stats.providerTokens).toBe(tokens);
    clientSkew = serverSkew = 40 * MINUTE;
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    expect(apns.stats.providerTokens).toBe(tokens + 1);
  });

  it('classifies 410 Unregistered and BadDeviceToken as a dead token', async () => {
    const push = message();
    apns.script(push.token, { status: 410, reason: 'Unregistered' });
    const client = provider();
    expect(await client.send(credential, push)).toStrictEqual({
      kind: 'dead-token',
      status: 410,
      reason: 'Unregistered',
    });
    expect(await client.send(credential, message({ token: 'not-a-hex-token' }))).toStrictEqual({
      kind: 'dead-token',
      status: 400,
      reason: 'BadDeviceToken',
    });
  });

  it('reports 429 and 503 as retry with the Retry-After delay', async () => {
    const push = message();
    apns.script(
      push.token,
      { status: 429, reason: 'TooManyRequests', retryAfter: 30 },
      { status: 503, reason: 'ServiceUnavailable' },
    );
    const client = provider();
    expect(await client.send(credential, push)).toStrictEqual({
      kind: 'retry',
      status: 429,
      reason: 'TooManyRequests',
      retryAfterMs: 30_000,
    });
    expect(await client.send(credential, push)).toStrictEqual({
      kind: 'retry',
      status: 503,
      reason: 'ServiceUnavailable',
    });
    expect(await client.send(credential, push)).toMatchObject({ kind: 'sent' });
  });

  it('does not retry 400 BadTopic', async () => {
    const push = message();
    apns.script(push.token, { status: 400, reason: 'BadTopic' });
    const before = counters();
    expect(await provider().send(credential, push)).toStrictEqual({
      kind: 'permanent',
      status: 400,
      reason: 'BadTopic',
    });
    expect(apns.stats.requests - before.requests).toBe(1);
  });

  it('gets what Apple answers for a missing topic and an oversized payload', async () => {
    const client = provider();
    expect(await client.send(credential, message({ appId: '' }))).toStrictEqual({
      kind: 'permanent',
      status: 400,
      reason: 'MissingTopic',
    });
    expect(await client.send(credential, message({ message: 'x'.repeat(4000) }))).toStrictEqual({
      kind: 'permanent',
      status: 413,
      reason: 'PayloadTooLarge',
    });
  });

  it('opens a new session after GOAWAY', async () => {
    const client = provider();
    const before = counters();
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    apns.goaway();
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
    expect(apns.stats.connections - before.connections).toBe(2);
  });

  it.each(['disconnect', 'reset'] as const)(
    'reconnects and retries once when a reused session fails (%s)',
    async (action) => {
      const client = provider();
      expect(await client.send(credential, message())).toMatchObject({ kind: 'sent' });
      const push = message();
      apns.script(push.token, { action });
      const before = counters();
      expect(await client.send(credential, push)).toMatchObject({ kind: 'sent' });
      expect(apns.stats.requests - before.requests).toBe(2);
      expect(apns.stats.connections - before.connections).toBe(1);
      expect(apns.received.filter((d) => d.token === push.token)).toHaveLength(1);
    },
  );

  it('retries a request that times out once on a new session, then reports retry', async () => {
    const client = provider({ timeoutMs: 300 });
    await client.send(credential, message());
    const push = message();
    apns.script(push.token, { action: 'hang' }, { action: 'hang' });
    const before = counters();
    expect(await client.send(credential, push)).toStrictEqual({ kind: 'retry', reason: 'timeout' });
    expect(apns.stats.requests - before.requests).toBe(2);
    expect(await client.send(credential, push)).toMatchObject({ kind: 'sent' });
  });

  it('reports an unreachable host as retry', async () => {
    const outcome = await provider({ baseUrl: 'https://127.0.0.1:1' }).send(credential, message());
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses a server it does not trust (no ca): verification stays on', async () => {
    const client = createApnsProvider({ baseUrl: apns.url });
    providers.push(client);
    const push = message();
    expect(await client.send(credential, push)).toMatchObject({ kind: 'retry' });
    expect(apns.received.filter((d) => d.token === push.token)).toHaveLength(0);
  });

  it('authenticates with a TLS client certificate on its own session', async () => {
    const issued = issueCertificate({
      commonName: 'Apple Push Services: com.example.owlbank',
      keyType: 'rsa',
    });
    apns.trustCertificate(issued.certificate);
    const certificate: ProviderCredential = {
      type: 'apn',
      sid: 'CR00000000000000000000000000000002',
      sandbox: false,
      auth: { kind: 'certificate', certificate: issued.certificate, privateKey: issued.privateKey },
    };
    const client = provider();
    const before = counters();
    const outcomes = await Promise.all([
      client.send(certificate, message()),
      client.send(certificate, message()),
      client.send(credential, message()),
    ]);
    expect(outcomes.map((o) => o.kind)).toStrictEqual(['sent', 'sent', 'sent']);
    expect(apns.stats.connections - before.connections).toBe(2);
    expect(Object.keys(apns.stats.sessionsByAuth).filter((k) => k.startsWith('cert:'))).toHaveLength(1);

    const untrusted = issueCertificate({
      commonName: 'Apple Push Services: com.example.other',
      keyType: 'rsa',
    });
    expect(
      await client.send({ ...certificate, auth: { kind: 'certificate', ...untrusted } }, message()),
    ).toStrictEqual({ kind: 'permanent', status: 403, reason: 'BadCertificate' });
  });

  it('reports an unusable certificate and a non-APNs credential as permanent', async () => {
    const client = provider();
    expect(
      await client.send(
        { ...credential, auth: { kind: 'certificate', certificate: 'x', privateKey: 'y' } },
        message(),
      ),
    ).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('credential unusable') });
    expect(
      await client.send(
        {
          type: 'fcm',
          sid: 'CR3',
          serviceAccount: { projectId: 'p', clientEmail: 'e', privateKey: '', tokenUri: '' },
        },
        message(),
      ),
    ).toStrictEqual({ kind: 'permanent', reason: 'not an APNs credential' });
  });
});
