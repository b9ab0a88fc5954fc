// @ts-nocheck
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceKey, signFactorSid } from '../support/fixtures';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

async function setUp(serviceParams: Record<string, unknown> = {}) {
  const { client, account } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank', ...serviceParams });
  const entity = client.verify.v2.services(service.sid).entities('user-0001-alice');
  return { client, account, service, entity };
}

const pushParams = (publicKey: string) => ({
  friendlyName: 'Alice’s Pixel',
  factorType: 'push' as const,
  'binding.alg': 'ES256',
  'binding.publicKey': publicKey,
  'config.appId': 'com.example.app',
  'config.notificationPlatform': 'fcm' as const,
  'config.notificationToken': 'f'.repeat(64),
  'config.sdkVersion': '0.9.0',
  metadata: { os: 'Android' },
});

describe('Factors through twilio-node', () => {
  it('creates a TOTP factor with the service defaults and returns the secret only once', async () => {
    const { entity } = await setUp({
      'totp.issuer': 'Owl',
      'totp.timeStep': 60,
      'totp.codeLength': 8,
      'totp.skew': 0,
    });
    const factor = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    expect(factor).toMatchObject({
      status: 'unverified',
      factorType: 'totp',
      config: { alg: 'sha1', skew: 0, code_length: 8, time_step: 60 },
      metadata: null,
    });
    expect(factor.binding.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(factor.binding.uri).toBe(
      `otpauth://totp/Owl:Alice?secret=${factor.binding.secret}&issuer=Owl&algorithm=SHA1&digits=8&period=60`,
    );
    const fetched = await entity.factors(factor.sid).fetch();
    expect(fetched.sid).toBe(factor.sid);
    expect(JSON.stringify(fetched.toJSON())).not.toContain(factor.binding.secret);
    const listed = await entity.factors.list();
    expect(JSON.stringify(listed.map((f) => f.toJSON()))).not.toContain(factor.binding.secret);
  });

  it('takes an explicit secret and config, and verifies with the code an authenticator app shows', async () => {
    const { entity } = await setUp();
    const factor = await entity.newFactors.create({
      friendlyName: 'Alice',
      factorType: 'totp',
      'binding.secret': 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      'config.alg': 'sha256',
      'config.codeLength': 7,
      'config.timeStep': 20,
      'config.skew': 2,
    });
    expect(factor.binding.secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const code = new TOTP({
      secret: Secret.fromBase32(factor.binding.secret),
      algorithm: 'SHA256',
      digits: 7,
      period: 20,
    });
    expect((await entity.factors(factor.sid).update({ authPayload: code.generate() })).status).toBe(
      'verified',
    );
  });

  it('answers wrong codes with status unverified, then 429 (60310) with Retry-After for a minute after five', async () => {
    const { entity, account, service } = await setUp();
    const factor = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    for (let i = 0; i < 5; i++) {
      expect((await entity.factors(factor.sid).update({ authPayload: '000000' })).status).toBe('unverified');
    }
    const code = new TOTP({ secret: Secret.fromBase32(factor.binding.secret) }).generate();
    expect(await failureOf(entity.factors(factor.sid).update({ authPayload: code }))).toMatchObject({
      status: 429,
      code: 60310,
      message: expect.stringMatching(/^Factor verification attempts reached: the factor is locked until /),
    });
    const path = `/v2/Services/${service.sid}/Entities/user-0001-alice/Factors/${factor.sid}`;
    const raw = await rawRequest(`${server.url}${path}`, {
      method: 'POST',
      auth: account,
      body: `AuthPayload=${code}`,
    });
    expect(raw).toMatchObject({ status: 429, body: { code: 60310 } });
    expect(Number(raw.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(Number(raw.headers.get('Retry-After'))).toBeLessThanOrEqual(60);
    expect((await entity.factors(factor.sid).fetch()).status).toBe('unverified');
  });

  it('creates a push factor with a device key and verifies it with the device signature of its SID', async () => {
    const { entity } = await setUp();
    const device = deviceKey();
    const factor = await entity.newFactors.create(pushParams(device.publicKey));
    expect(factor).toMatchObject({
      friendlyName: 'Alice’s Pixel',
      status: 'unverified',
      factorType: 'push',
      binding: { alg: 'ES256', public_key: device.publicKey },
      config: {
        sdk_version: '0.9.0',
        app_id: 'com.example.app',
        notification_platform: 'fcm',
        notification_token: 'f'.repeat(64),
      },
      metadata: { os: 'Android' },
    });
    expect(factor.config.credential_sid).toMatch(/^CR[0-9a-f]{32}$/);
    const fetched = await entity.factors(factor.sid).fetch();
    expect(fetched.config.credential_sid).toBe(factor.config.credential_sid);
    expect((fetched.toJSON() as Record<string, unknown>).binding).toBeUndefined();

    const wrong = await entity
      .factors(factor.sid)
      .update({ authPayload: signFactorSid(deviceKey().privateKey, factor.sid) });
    expect(wrong.status).toBe('unverified');
    const right = await entity
      .factors(factor.sid)
      .update({ authPayload: signFactorSid(device.privateKey, factor.sid) });
    expect(right.status).toBe('verified');
  });

  it('updates a push factor’s token and platform as the SDKs do, and deletes it', async () => {
    const { entity } = await setUp();
    const factor = await entity.newFactors.create(pushParams(deviceKey().publicKey));
    const updated = await entity.factors(factor.sid).update({
      friendlyName: 'Renamed',
      'config.notificationPlatform': 'none',
      'config.sdkVersion': '1.0.0',
    });
    expect(updated).toMatchObject({
      friendlyName: 'Renamed',
      config: { notification_platform: 'none', sdk_version: '1.0.0' },
    });
    expect(await entity.factors(factor.sid).remove()).toBe(true);
    expect(await failureOf(entity.factors(factor.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses more than 20 push factors per entity with 60315', async () => {
    const { entity } = await setUp();
    for (let i = 0; i < 20; i++) await entity.newFactors.create(pushParams(deviceKey().publicKey));
    expect(await failureOf(entity.newFactors.create(pushParams(deviceKey().publicKey)))).toMatchObject({
      status: 400,
      code: 60315,
    });
    expect(
      await entity.newFactors.create({ friendlyName: 'TOTP still fine', factorType: 'totp' }),
    ).toBeDefined();
  });

  it('rejects bad factor input with a Twilio error naming the parameter, and writes nothing', async () => {
    const { entity, client, service } = await setUp();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...pushParams('dGVzdF9rZXk=') }, 60314, 'Binding.PublicKey'],
      [{ ...pushParams(deviceKey().publicKey), 'binding.alg': 'RS256' }, 60200, 'Binding.Alg'],
      [
        { ...pushParams(deviceKey().publicKey), 'config.notificationPlatform': 'sms' },
        60200,
        'Config.NotificationPlatform',
      ],
      [
        { ...pushParams(deviceKey().publicKey), 'config.notificationToken': 'short' },
        60200,
        'Config.NotificationToken',
      ],
      [{ ...pushParams(deviceKey().publicKey), 'config.sdkVersion': undefined }, 20001, 'Config.SdkVersion'],
      [{ ...pushParams(deviceKey().publicKey), metadata: '{"os": 1}' }, 60200, 'Metadata'],
      [{ ...pushParams(deviceKey().publicKey), metadata: '{broken' }, 60200, 'Metadata'],
      [
        { ...pushParams(deviceKey().publicKey), metadata: JSON.stringify({ k: 'v'.repeat(1100) }) },
        60200,
        'Metadata',
      ],
      [{ friendlyName: 'a', factorType: 'totp', 'config.timeStep': 61 }, 60200, 'Config.TimeStep'],
      [{ friendlyName: 'a', factorType: 'totp', 'config.skew': 3 }, 60200, 'Config.Skew'],
      [{ friendlyName: 'a', factorType: 'totp', 'config.codeLength': 2 }, 60200, 'Config.CodeLength'],
      [{ friendlyName: 'a', factorType: 'totp', 'config.alg': 'md5' }, 60200, 'Config.Alg'],
      [{ friendlyName: 'a', factorType: 'totp', 'binding.secret': 'not-base32!' }, 60200, 'Binding.Secret'],
      [{ friendlyName: 'a', factorType: 'passkeys' }, 60200, 'FactorType'],
      [{ friendlyName: 'x'.repeat(65), factorType: 'totp' }, 60200, 'FriendlyName'],
    ];
    for (const [params, code, name] of cases) {
      const failure = await failureOf(entity.newFactors.create(params as never));
      expect(failure, name).toMatchObject({ status: 400, code });
      expect(failure.message, name).toContain(name);
    }
    expect(await failureOf(entity.fetch())).toMatchObject({ status: 404 });
    expect(await client.verify.v2.services(service.sid).entities.list()).toEqual([]);

    const totp = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    for (const authPayload of ['12ab56', '12', '123456789']) {
      expect(await failureOf(entity.factors(totp.sid).update({ authPayload })), authPayload).toMatchObject({
        status: 400,
        message: 'Invalid parameter AuthPayload: must be a code of 3 to 8 digits',
      });
    }
    expect(await failureOf(entity.factors('YF123').fetch())).toMatchObject({
      status: 400,
      message: 'Invalid parameter Sid: must be a YF SID',
    });
    const fetched = await entity.factors(totp.sid).fetch();
    expect(fetched.dateUpdated).toEqual(totp.dateUpdated);
  });

  it('does not reveal or change another account’s factors', async () => {
    const alice = await setUp();
    const factor = await alice.entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    const mallory = await twilioFor(server.url);
    const path = `/v2/Services/${alice.service.sid}/Entities/user-0001-alice/Factors/${factor.sid}`;
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await rawRequest(`${server.url}${path}`, {
        method,
        auth: mallory.account,
        body: method === 'POST' ? 'AuthPayload=123456' : undefined,
      });
      expect(response.status, method).toBe(404);
    }
    expect((await alice.entity.factors(factor.sid).fetch()).status).toBe('unverified');
  });
});

describe('Factor updates that are refused', () => {
  it('save none of their settings', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const entity = client.verify.v2.services(service.sid).entities('user-0005-erin');
    const factor = await entity.newFactors.create({ friendlyName: 'Erin', factorType: 'totp' });
    for (let i = 0; i < 5; i++) await entity.factors(factor.sid).update({ authPayload: '000000' });
    const refused = entity.factors(factor.sid).update({ authPayload: '000000', friendlyName: 'Renamed' });
    expect(await failureOf(refused)).toMatchObject({ status: 429, code: 60310 });
    expect((await entity.factors(factor.sid).fetch()).friendlyName).toBe('Erin');
  });
});

describe('Enrollment tokens', () => {
  it('are spent only by the factor they create: a refused creation leaves the token usable once', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const { token } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity: 'user-0006-frank', factorType: 'push', ttl: 120 });
    const url = `${server.url}/v2/Services/${service.sid}/Entities/user-0006-frank/Factors`;
    const headers = { Authorization: `Basic ${Buffer.from(`token:${token}`).toString('base64')}` };
    const body = (publicKey: string) =>
      new URLSearchParams({
        FriendlyName: 'Phone',
        FactorType: 'push',
        'Binding.PublicKey': publicKey,
        'Binding.Alg': 'ES256',
        'Config.SdkVersion': '0.9.0',
        'Config.AppId': 'com.example',
        'Config.NotificationPlatform': 'none',
      }).toString();
    const refused = await rawRequest(url, { method: 'POST', headers, body: body('dGVzdF9rZXk=') });
    expect(refused).toMatchObject({ status: 400, body: { code: 60314 } });
    const first = await rawRequest(url, { method: 'POST', headers, body: body(deviceKey().publicKey) });
    expect(first.status).toBe(201);
    const again = await rawRequest(url, { method: 'POST', headers, body: body(deviceKey().publicKey) });
    expect(again).toMatchObject({ status: 401, body: { code: 20003 } });
    const elsewhere = await rawRequest(url.replace('user-0006-frank', 'user-0007-grace'), {
      method: 'POST',
      headers,
      body: body(deviceKey().publicKey),
    });
    expect(elsewhere.status).toBe(401);
    expect(
      await client.verify.v2.services(service.sid).entities('user-0006-frank').factors.list(),
    ).toHaveLength(1);
  });
});
