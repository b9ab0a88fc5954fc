// @ts-nocheck
import { compactVerify, decodeProtectedHeader } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProviderTokens } from '../../../shared/push/apns';
import { FCM_SCOPE, createFcmProvider } from '../../../shared/push/fcm';
import type { PushMessage } from '../../../shared/push/types';

const MINUTE = 60_000;
const start = Date.parse('2026-12-02T10:00:00Z');
const clock = () => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('APNs provider tokens', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const auth = {
    kind: 'token' as const,
    teamId: 'ABCDE12345',
    keyId: 'KEY1234567',
    privateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };

  it('is an ES256 JWS (raw r‖s signature) with kid, iss = team and iat', async () => {
    const { now } = clock();
    const jwt = createProviderTokens(now)(auth);
    expect(decodeProtectedHeader(jwt)).toStrictEqual({ alg: 'ES256', typ: 'JWT', kid: 'KEY1234567' });
    const { payload } = await compactVerify(jwt, ec.publicKey, { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toStrictEqual({
      iss: 'ABCDE12345',
      iat: start / 1000,
    });
    expect(Buffer.from(jwt.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('is reused for 40 minutes and minted again after', () => {
    const { now, advance } = clock();
    const token = createProviderTokens(now);
    const first = token(auth);
    advance(40 * MINUTE - 1);
    expect(token(auth)).toBe(first);
    advance(1);
    const second = token(auth);
    expect(second).not.toBe(first);
    expect(claimsOf(second).iat).toBe(start / 1000 + 40 * 60);
    expect(token(auth)).toBe(second);
  });

  it('is one per (team, key)', () => {
    const { now } = clock();
    const token = createProviderTokens(now);
    const a = token(auth);
    const b = token({ ...auth, keyId: 'KEY7654321' });
    const c = token({ ...auth, teamId: 'ZYXWV54321' });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(token(auth)).toBe(a);
  });

  it('is replaced when APNs refused the current one, once however many sends saw the refusal', () => {
    const { now, advance } = clock();
    const token = createProviderTokens(now);
    const refused = token(auth);
    advance(1000);
    const replacement = token(auth, refused);
    expect(replacement).not.toBe(refused);
    expect(token(auth, refused)).toBe(replacement);
    expect(token(auth)).toBe(replacement);
  });
});

describe('FCM access tokens', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccount = {
    projectId: 'owl-bank-prod',
    clientEmail: 'sender@owl-bank-prod.iam.gserviceaccount.com',
    privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKeyId: 'abc123',
    tokenUri: 'https://oauth2.example.test/token',
  };
  const credential = { type: 'fcm' as const, sid: 'CR1', serviceAccount };
  const message: PushMessage = {
    challengeSid: 'YC1',
    factorSid: 'YF1',
    message: 'hi',
    token: 'tok',
    appId: 'com.example',
    ttlSeconds: 300,
    now: new Date(start),
  };

  /** A fake Google: token endpoint and messages:send, recording every call. */
  function fakeGoogle(options: { sendStatus?: () => number } = {}) {
    const assertions: string[] = [];
    let sends = 0;
    let issued = 0;
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url === serviceAccount.tokenUri) {
        const form = new URLSearchParams(String(init?.body));
        expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
        assertions.push(form.get('assertion')!);
        await new Promise((resolve) => setImmediate(resolve));
        return json(200, { access_token: `token-${++issued}`, expires_in: 3599, token_type: 'Bearer' });
      }
      expect(url).toBe('https://fcm.googleapis.com/v1/projects/owl-bank-prod/messages:send');
      sends++;
      const status = options.sendStatus?.() ?? 200;
      const auth = new Headers(init?.headers).get('authorization');
      return status === 200
        ? json(200, { name: `projects/owl-bank-prod/messages/${sends}`, auth })
        : json(status, { error: { code: status, status: 'UNAUTHENTICATED', message: 'expired' } });
    }) as typeof fetch;
    return { fetch: fakeFetch, assertions, sends: () => sends };
  }

  it('signs an RS256 assertion with kid, iss, scope, aud, iat and exp = iat + 3600', async () => {
    const google = fakeGoogle();
    const { now } = clock();
    const provider = createFcmProvider({ fetch: google.fetch, now });
    expect(await provider.send(credential, message)).toMatchObject({ kind: 'sent' });
    const [assertion] = google.assertions;
    expect(decodeProtectedHeader(assertion!)).toStrictEqual({ alg: 'RS256', typ: 'JWT', kid: 'abc123' });
    const { payload } = await compactVerify(assertion!, rsa.publicKey, {
      algorithms: ['RS256'],
    });
    expect(JSON.parse(new TextDecoder().decode(payload))).toStrictEqual({
      iss: serviceAccount.clientEmail,
      scope: FCM_SCOPE,
      aud: serviceAccount.tokenUri,
      iat: start / 1000,
      exp: start / 1000 + 3600,
    });
  });

  it('reuses the access token until 5 minutes before it expires', async () => {
    const google = fakeGoogle();
    const { now, advance } = clock();
    const provider = createFcmProvider({ fetch: google.fetch, now });
    await provider.send(credential, message);
    advance(3599_000 - 5 * MINUTE - 1);
    await provider.send(credential, message);
    expect(google.assertions).toHaveLength(1);
    advance(1);
    await provider.send(credential, message);
    expect(google.assertions).toHaveLength(2);
    expect(google.sends()).toBe(3);
  });

  it('shares one token request among concurrent sends', async () => {
    const google = fakeGoogle();
    const provider = createFcmProvider({ fetch: google.fetch, now: clock().now });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => provider.send(credential, message)));
    expect(outcomes.every((o) => o.kind === 'sent')).toBe(true);
    expect(google.assertions).toHaveLength(1);
  });

  it('keeps one token per (client email, token URI)', async () => {
    const google = fakeGoogle();
    const provider = createFcmProvider({ fetch: google.fetch, now: clock().now });
    await provider.send(credential, message);
    const other = { ...serviceAccount, clientEmail: 'other@owl-bank-prod.iam.gserviceaccount.com' };
    await provider.send({ ...credential, serviceAccount: other }, message);
    await provider.send(credential, message);
    expect(google.assertions.map((a) => claimsOf(a).iss)).toStrictEqual([
      serviceAccount.clientEmail,
      other.clientEmail,
    ]);
  });

  it('refreshes once on 401 and retries once; a second 401 is permanent', async () => {
    const statuses = [401, 200, 401, 401];
    const google = fakeGoogle({ sendStatus: () => statuses.shift() ?? 200 });
    const provider = createFcmProvider({ fetch: google.fetch, now: clock().now });
    expect(await provider.send(credential, message)).toMatchObject({ kind: 'sent' });
    expect(google.assertions).toHaveLength(2);
    expect(await provider.send(credential, message)).toMatchObject({ kind: 'permanent', status: 401 });
    expect(google.assertions).toHaveLength(3);
    expect(google.sends()).toBe(4);
  });

  it('reports a network failure as retry, and an APNs credential as permanent', async () => {
    const provider = createFcmProvider({
      fetch: (async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      }) as typeof fetch,
    });
    expect(await provider.send(credential, message)).toStrictEqual({
      kind: 'retry',
      reason: 'token request failed: fetch failed (ECONNREFUSED)',
    });
    expect(
      await provider.send(
        {
          type: 'apn',
          sid: 'CR2',
          sandbox: true,
          auth: { kind: 'certificate', certificate: '', privateKey: '' },
        },
        message,
      ),
    ).toMatchObject({ kind: 'permanent' });
  });
});
