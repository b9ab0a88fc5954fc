// @ts-nocheck
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPushProviders, type LocalPushProviders } from '../../../infra/local/push-providers';
import { createApnsProvider } from '../../../shared/push/apns';
import { isParseError, parseApnTokenSecret, parseFcmSecret } from '../../../shared/push/credentials';
import { createFcmProvider } from '../../../shared/push/fcm';
import type { PushMessage } from '../../../shared/push/types';

const dir = mkdtempSync(join(tmpdir(), 'push-local-'));
let local: LocalPushProviders;
const apnsClient = () => createApnsProvider({ baseUrl: local.apns.url, ca: local.apns.ca });
const fcmClient = () => createFcmProvider({ baseUrl: local.fcm.url });
let clients: ReturnType<typeof apnsClient>[] = [];

beforeAll(async () => {
  local = await startLocalPushProviders({ dir });
  clients = [apnsClient(), fcmClient()];
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const message = (token: string): PushMessage => ({
  challengeSid: `YC${randomBytes(16).toString('hex')}`,
  factorSid: `YF${randomBytes(16).toString('hex')}`,
  message: 'Login request',
  token,
  appId: 'com.example.owlbank',
  ttlSeconds: 300,
  now: new Date(),
});

describe('the local push providers, ready to use', () => {
  it('take the secrets they hand out, through the API parsers, and deliver to their files', async () => {
    const apn = parseApnTokenSecret(local.secrets.apn);
    const fcm = parseFcmSecret(local.secrets.fcm);
    if (isParseError(apn) || isParseError(fcm)) throw new Error('the local secrets do not parse');
    expect(apn).toMatchObject({ teamId: 'LOCALTEAM1', keyId: 'LOCALKEY01' });
    expect(fcm).toMatchObject({
      projectId: 'local-project',
      clientEmail: 'local@local-project.iam.gserviceaccount.com',
      tokenUri: local.fcm.tokenUri,
    });
    const [apnsProvider, fcmProvider] = clients;
    const iosToken = randomBytes(32).toString('hex');
    const androidToken = `android:${randomBytes(32).toString('base64url')}`;
    expect(
      await apnsProvider!.send({ type: 'apn', sid: 'CR1', sandbox: true, auth: apn }, message(iosToken)),
    ).toMatchObject({ kind: 'sent' });
    expect(
      await fcmProvider!.send({ type: 'fcm', sid: 'CR2', serviceAccount: fcm }, message(androidToken)),
    ).toMatchObject({
      kind: 'sent',
    });
    const lines = (name: string) =>
      readFileSync(join(dir, `${name}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { provider: string; token: string });
    expect(lines('apns')).toMatchObject([{ provider: 'apns', token: iosToken }]);
    expect(lines('fcm')).toMatchObject([{ provider: 'fcm', token: androidToken }]);
  });
});
