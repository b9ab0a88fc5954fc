// @ts-nocheck
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localPushKeys,
  startLocalApns,
  startLocalFcm,
  type LocalApns,
  type LocalFcm,
} from '../../../infra/local/push-providers';

/** What the stand-ins refuse, spoken to directly (raw HTTP/2, raw fetch) rather than through the clients. */

const keys = localPushKeys();
let apns: LocalApns;
let fcm: LocalFcm;
let session: http2.ClientHttp2Session;
const sessions: http2.ClientHttp2Session[] = [];

beforeAll(async () => {
  [apns, fcm] = await Promise.all([startLocalApns(), startLocalFcm()]);
  apns.trustKey(keys.apns.teamId, keys.apns.keyId, keys.apns.publicKey);
  fcm.trustServiceAccount(keys.fcm.clientEmail, keys.fcm.publicKey);
});
afterAll(async () => {
  for (const open of sessions) open.destroy();
  await Promise.all([apns?.stop(), fcm?.stop()]);
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: string, alg = 'ES256') {
  const input = `${b64({ alg, ...header })}.${b64(claims)}`;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
  );
  return `${input}.${signature.toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const goodJwt = (claims: Record<string, unknown> = {}) =>
  jwt(
    { kid: keys.apns.keyId },
    { iss: keys.apns.teamId, iat: now(), ...claims },
    keys.apns.secret.private_key,
  );
const body = JSON.stringify({ aps: { alert: 'hi' } });

/** One fresh connection per call unless `reuse`: a connection keeps the first identity it authenticated. */
function post(
  headers: Record<string, string | undefined>,
  payload: string = body,
  options: { reuse?: boolean; path?: string; method?: string } = {},
): Promise<{ status: number; reason?: string }> {
  if (!options.reuse || !session || session.closed) {
    session = http2.connect(apns.url, { ca: apns.ca });
    sessions.push(session);
  }
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': options.method ?? 'POST',
      ':path': options.path ?? `/3/device/${randomBytes(32).toString('hex')}`,
      ...clean,
    });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status, ...(text ? { reason: (JSON.parse(text) as { reason: string }).reason } : {}) });
    });
    stream.on('error', reject);
    stream.end(options.method === 'GET' ? undefined : payload);
  });
}
const valid = (overrides: Record<string, string | undefined> = {}) => ({
  authorization: `bearer ${goodJwt()}`,
  'apns-topic': 'com.example.owlbank',
  'apns-push-type': 'alert',
  ...overrides,
});

describe('local APNs', () => {
  it('accepts a well-formed push', async () => {
    expect(await post(valid())).toStrictEqual({ status: 200 });
  });

  it.each([
    ['no token', { authorization: undefined }, 403, 'MissingProviderToken'],
    ['not a bearer token', { authorization: 'basic abc' }, 403, 'InvalidProviderToken'],
    ['garbage', { authorization: 'bearer abc.def.ghi' }, 403, 'InvalidProviderToken'],
    [
      'unknown kid',
      {
        authorization: `bearer ${jwt({ kid: 'NOKEY00000' }, { iss: keys.apns.teamId, iat: now() }, keys.apns.secret.private_key)}`,
      },
      403,
      'InvalidProviderToken',
    ],
    [
      'wrong team',
      { authorization: `bearer ${goodJwt({ iss: 'OTHERTEAM1' })}` },
      403,
      'InvalidProviderToken',
    ],
    [
      'iat over an hour old',
      { authorization: `bearer ${goodJwt({ iat: now() - 3700 })}` },
      403,
      'ExpiredProviderToken',
    ],
    [
      'iat in the future',
      { authorization: `bearer ${goodJwt({ iat: now() + 600 })}` },
      403,
      'InvalidProviderToken',
    ],
    [
      'another key',
      {
        authorization: `bearer ${jwt({ kid: keys.apns.keyId }, { iss: keys.apns.teamId, iat: now() }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())}`,
      },
      403,
      'InvalidProviderToken',
    ],
    ['missing topic', { 'apns-topic': undefined }, 400, 'MissingTopic'],
    ['missing push type', { 'apns-push-type': undefined }, 400, 'InvalidPushType'],
    ['unknown push type', { 'apns-push-type': 'shout' }, 400, 'InvalidPushType'],
    ['bad priority', { 'apns-priority': '7' }, 400, 'BadPriority'],
    ['bad expiration', { 'apns-expiration': 'soon' }, 400, 'BadExpirationDate'],
    ['long collapse id', { 'apns-collapse-id': 'x'.repeat(65) }, 400, 'BadCollapseId'],
  ])('refuses %s', async (_, overrides, status, reason) => {
    expect(await post(valid(overrides))).toStrictEqual({ status, reason });
  });

  it('refuses an ES256 signature in DER form (what node:crypto gives by default)', async () => {
    const input = `${b64({ alg: 'ES256', kid: keys.apns.keyId })}.${b64({ iss: keys.apns.teamId, iat: now() })}`;
    const der = sign('sha256', Buffer.from(input), keys.apns.secret.private_key).toString('base64url');
    expect(await post(valid({ authorization: `bearer ${input}.${der}` }))).toStrictEqual({
      status: 403,
      reason: 'InvalidProviderToken',
    });
  });

  it('refuses bad paths, tokens and payloads', async () => {
    expect(await post(valid(), body, { path: '/3/device/zz-not-hex' })).toStrictEqual({
      status: 400,
      reason: 'BadDeviceToken',
    });
    expect(await post(valid(), body, { path: '/2/device/abcd' })).toStrictEqual({
      status: 404,
      reason: 'BadPath',
    });
    expect(await post(valid(), body, { method: 'GET' })).toStrictEqual({
      status: 405,
      reason: 'MethodNotAllowed',
    });
    expect(await post(valid(), '')).toStrictEqual({ status: 400, reason: 'PayloadEmpty' });
    expect(await post(valid(), JSON.stringify({ aps: { alert: 'x'.repeat(4100) } }))).toStrictEqual({
      status: 413,
      reason: 'PayloadTooLarge',
    });
    expect(await post(valid(), JSON.stringify({ aps: { alert: 'x'.repeat(4070) } }))).toStrictEqual({
      status: 200,
    });
    expect(await post(valid(), '{"no":"aps"}')).toStrictEqual({ status: 400, reason: 'BadPayload' });
    expect(await post(valid(), '{"aps":{"badge":1}}')).toStrictEqual({
      status: 400,
      reason: 'InvalidPushType',
    });
  });

  it('refuses a second developer account on a connection that authenticated the first', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    apns.trustKey(
      'OTHERTEAM2',
      'OTHERKEY02',
      other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const otherJwt = jwt(
      { kid: 'OTHERKEY02' },
      { iss: 'OTHERTEAM2', iat: now() },
      other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    expect(await post(valid())).toStrictEqual({ status: 200 });
    expect(await post(valid({ authorization: `bearer ${otherJwt}` }), body, { reuse: true })).toStrictEqual({
      status: 403,
      reason: 'InvalidProviderToken',
    });
    expect(await post(valid({ authorization: `bearer ${otherJwt}` }))).toStrictEqual({ status: 200 });
  });
});

describe('local FCM', () => {
  const assertion = (claims: Record<string, unknown> = {}, key = keys.fcm.secret.private_key) =>
    jwt(
      { typ: 'JWT' },
      {
        iss: keys.fcm.clientEmail,
        scope: 'https://www.googleapis.com/auth/firebase.messaging',
        aud: fcm.tokenUri,
        iat: now(),
        exp: now() + 3600,
        ...claims,
      },
      key,
      'RS256',
    );
  const grant = async (jwtText: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') => {
    const response = await fetch(fcm.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: grantType, assertion: jwtText }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sendWith = async (token: string, message: unknown, project = 'local-project') => {
    const response = await fetch(`${fcm.url}/v1/projects/${project}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { message: string; status: string } },
    };
  };

  it('issues a token for a good assertion', async () => {
    const { status, body } = await grant(assertion());
    expect(status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), expires_in: 3599, token_type: 'Bearer' });
  });

  it.each([
    [
      'another key',
      () =>
        assertion(
          {},
          generateKeyPairSync('rsa', { modulusLength: 2048 })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        ),
      'invalid_grant',
    ],
    [
      'an unknown account',
      () => assertion({ iss: 'nobody@local-project.iam.gserviceaccount.com' }),
      'invalid_grant',
    ],
    ['another audience', () => assertion({ aud: 'https://oauth2.googleapis.com/token' }), 'invalid_grant'],
    [
      'no FCM scope',
      () => assertion({ scope: 'https://www.googleapis.com/auth/cloud-platform' }),
      'invalid_scope',
    ],
    ['a lifetime over an hour', () => assertion({ exp: now() + 7200 }), 'invalid_grant'],
    ['an expired assertion', () => assertion({ iat: now() - 7200, exp: now() - 3600 }), 'invalid_grant'],
  ])('refuses %s', async (_, make, error) => {
    const { status, body } = await grant(make());
    expect(status).toBe(400);
    expect(body.error).toBe(error);
  });

  it('refuses a grant type other than JWT bearer', async () => {
    expect((await grant(assertion(), 'client_credentials')).body.error).toBe('unsupported_grant_type');
  });

  it('checks the bearer token, the project and the message', async () => {
    const token = String((await grant(assertion())).body.access_token);
    const ok = { token: 'device:APA91b-token', data: { type: 'verify_push_challenge' } };
    expect((await sendWith(token, ok)).status).toBe(200);
    expect((await sendWith('ya29.forged', ok)).body.error?.status).toBe('UNAUTHENTICATED');
    expect((await sendWith(token, ok, 'other-project')).body.error?.status).toBe('PERMISSION_DENIED');
    const refusals: [unknown, string][] = [
      [{ data: {} }, 'Exactly one of token'],
      [{ ...ok, topic: 'news' }, 'Exactly one of token'],
      [{ topic: 'news' }, 'Exactly one of token'],
      [{ ...ok, data: { n: 1 } }, 'TYPE_STRING'],
      [{ ...ok, data: { from: 'x' } }, 'Invalid data payload key'],
      [{ ...ok, data: { 'google.x': 'x' } }, 'Invalid data payload key'],
      [{ ...ok, data: { 'gcm.notification.x': 'x' } }, 'Invalid data payload key'],
      [{ ...ok, data: { big: 'x'.repeat(4100) } }, 'too big'],
      [{ ...ok, android: { ttl: '300' } }, 'android.ttl'],
      [{ ...ok, android: { priority: 'URGENT' } }, 'android.priority'],
    ];
    for (const [message, text] of refusals) {
      const { status, body } = await sendWith(token, message);
      expect(status).toBe(400);
      expect(body.error?.message).toContain(text);
    }
  });
});
