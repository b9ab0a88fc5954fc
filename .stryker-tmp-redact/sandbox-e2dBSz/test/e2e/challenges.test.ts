// @ts-nocheck
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, newDeviceKey } from '../../infra/device/client';
import { backendWithDevice } from '../support/push';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const pushChallenge = (factorSid: string) => ({
  factorSid,
  'details.message': 'Hi! Mr. John Doe, would you like to sign up?',
  'details.fields': [{ label: 'Action', value: 'Sign up in portal' }],
  hiddenDetails: { ip: '172.168.1.234' },
});

/**
 * A verified TOTP factor on 60 s steps with skew 2, verified with the previous step's code, so that the
 * codes of this step and the next are still unused and stay valid even if a step boundary passes mid-test.
 */
async function verifiedTotp() {
  const { client } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({
    friendlyName: 'Owl Bank',
    'totp.timeStep': 60,
    'totp.skew': 2,
  });
  const entity = client.verify.v2.services(service.sid).entities('user-0002-bob');
  const factor = await entity.newFactors.create({ friendlyName: 'Bob', factorType: 'totp' });
  const totp = new TOTP({ secret: factor.binding.secret, period: 60 });
  const codeAt = (steps: number) => totp.generate({ timestamp: Date.now() + steps * 60_000 });
  await entity.factors(factor.sid).update({ authPayload: codeAt(-1) });
  return { client, entity, factorSid: factor.sid, codeAt };
}

describe('Challenges through twilio-node and a device speaking the SDK protocol', () => {
  it('creates a push challenge shaped like the spec example, which the device approves', async () => {
    const { entity, device, factorSid, account, service } = await backendWithDevice(server.url);
    const before = Date.now();
    const created = await entity.challenges.create(pushChallenge(factorSid));
    const after = Date.now();
    expect(created.toJSON()).toMatchObject({
      accountSid: account.sid,
      serviceSid: service.sid,
      identity: 'user-0001-alice',
      factorSid,
      status: 'pending',
      respondedReason: 'none',
      dateResponded: null,
      details: {
        message: 'Hi! Mr. John Doe, would you like to sign up?',
        fields: [{ label: 'Action', value: 'Sign up in portal' }],
      },
      hiddenDetails: { ip: '172.168.1.234' },
      metadata: null,
      factorType: 'push',
      url: `${server.url}/v2/Services/${service.sid}/Entities/user-0001-alice/Challenges/${created.sid}`,
      links: {
        notifications: `${server.url}/v2/Services/${service.sid}/Entities/user-0001-alice/Challenges/${created.sid}/Notifications`,
      },
    });
    expect(created.sid).toMatch(/^YC[0-9a-f]{32}$/);
    expect(created.entitySid).toMatch(/^YE[0-9a-f]{32}$/);
    expect('date' in created.details).toBe(false);
    // Five minutes after the server's now, which lies between `before` and `after`, in whole seconds.
    const expires = created.expirationDate.getTime();
    expect(expires).toBeGreaterThan(before + 299_000);
    expect(expires).toBeLessThanOrEqual(after + 300_000);

    const { challenge, signatureFields } = await device.fetchChallenge(created.sid);
    expect(signatureFields).toEqual([
      'sid',
      'account_sid',
      'service_sid',
      'entity_sid',
      'identity',
      'factor_sid',
      'date_created',
      'expiration_date',
      'details',
      'hidden_details',
    ]);
    for (const field of signatureFields!) expect(challenge).toHaveProperty(field);
    expect((await device.listChallenges('pending')).map((c) => c.sid)).toEqual([created.sid]);

    const answered = await device.answer(created.sid, 'approved');
    expect(answered.status).toBe('approved');
    const fetched = await entity.challenges(created.sid).fetch();
    expect(fetched.status).toBe('approved');
    expect(fetched.dateResponded).not.toBeNull();
    const raw = await rawRequest(fetched.url, { auth: account });
    expect(raw.headers.get('twilio-verify-signature-fields')).toBeNull();
  });

  it('lets the device deny, and refuses any second answer with 409', async () => {
    const { entity, device, factorSid } = await backendWithDevice(server.url);
    const challenge = await entity.challenges.create(pushChallenge(factorSid));
    expect((await device.answer(challenge.sid, 'denied')).status).toBe('denied');
    await expect(device.answer(challenge.sid, 'approved')).rejects.toThrow(
      'Responded challenge can not be updated',
    );
    const jwt = await device.signJwt({ typ: 'JWT' }, { sid: challenge.sid, status: 'approved' });
    expect(await failureOf(entity.challenges(challenge.sid).update({ authPayload: jwt }))).toMatchObject({
      status: 409,
      code: 20409,
    });
  });

  it('answers a bad signature, another factor’s key or altered claims with 403 (60324) and changes nothing', async () => {
    const { entity, device, factorSid } = await backendWithDevice(server.url);
    const challenge = await entity.challenges.create(pushChallenge(factorSid));
    const { challenge: body, signatureFields } = await device.fetchChallenge(challenge.sid);
    const claims = Object.fromEntries(signatureFields!.map((f) => [f, body[f]]));
    const stranger = new Device({ ...device.state, privateKey: newDeviceKey() });
    const forged = [
      'garbage',
      await stranger.signJwt({ typ: 'JWT' }, { ...claims, status: 'approved' }),
      await device.signJwt(
        { typ: 'JWT' },
        { ...claims, details: { message: 'Pay 1000 EUR?' }, status: 'approved' },
      ),
      await device.signJwt({ typ: 'JWT' }, { ...claims, status: 'maybe' }),
    ];
    for (const authPayload of forged) {
      expect(await failureOf(entity.challenges(challenge.sid).update({ authPayload }))).toMatchObject({
        status: 403,
        code: 60324,
        message: 'Challenge verification failed',
      });
    }
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('pending');
  });

  it('stores the device metadata sent with an answer', async () => {
    const { entity, device, factorSid } = await backendWithDevice(server.url);
    const challenge = await entity.challenges.create(pushChallenge(factorSid));
    const { challenge: body, signatureFields } = await device.fetchChallenge(challenge.sid);
    const claims = Object.fromEntries(signatureFields!.map((f) => [f, body[f]]));
    const authPayload = await device.signJwt({ typ: 'JWT' }, { ...claims, status: 'approved' });
    const updated = await entity
      .challenges(challenge.sid)
      .update({ authPayload, metadata: { os: 'Android' } });
    expect(updated).toMatchObject({ status: 'approved', metadata: { os: 'Android' } });
  });

  it('includes details.date only when the service has Push.IncludeDate', async () => {
    const { entity, factorSid } = await backendWithDevice(server.url, 'user-0003-carol', {
      'push.includeDate': true,
    });
    const challenge = await entity.challenges.create(pushChallenge(factorSid));
    expect(challenge.details.date).toBe(challenge.toJSON().dateCreated!.toISOString().replace('.000Z', 'Z'));
  });

  it('creates TOTP challenges approved with a valid AuthPayload, pending without, and approves with a code', async () => {
    const { entity, factorSid, codeAt } = await verifiedTotp();
    const approved = await entity.challenges.create({ factorSid, authPayload: codeAt(1) });
    expect(approved).toMatchObject({ status: 'approved', factorType: 'totp', details: null });
    expect(approved.dateResponded).not.toBeNull();
    const pending = await entity.challenges.create({ factorSid, 'details.message': 'Log in?' });
    expect(pending.status).toBe('pending');
    const wrong = await entity.challenges.create({ factorSid, authPayload: '000000' });
    expect(wrong.status).toBe('pending');
    expect((await entity.challenges(pending.sid).update({ authPayload: '123' })).status).toBe('pending');
    expect((await entity.challenges(pending.sid).update({ authPayload: codeAt(-0 + 2) })).status).toBe(
      'approved',
    );
    const replay = await entity.challenges(wrong.sid).update({ authPayload: codeAt(2) });
    expect(replay.status).toBe('pending');
  });

  it('lists with filters, order and pages that twilio-node walks to the end', async () => {
    const { entity, device, factorSid } = await backendWithDevice(server.url);
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await entity.challenges.create(pushChallenge(factorSid))).sid);
    await device.answer(sids[1]!, 'approved');
    await device.answer(sids[3]!, 'denied');
    expect((await entity.challenges.list({ pageSize: 2 })).map((c) => c.sid)).toEqual(sids);
    expect((await entity.challenges.list({ order: 'desc', pageSize: 2 })).map((c) => c.sid)).toEqual(
      [...sids].reverse(),
    );
    expect((await entity.challenges.list({ status: 'pending', pageSize: 1 })).map((c) => c.sid)).toEqual([
      sids[0],
      sids[2],
      sids[4],
    ]);
    expect((await entity.challenges.list({ status: 'approved' })).map((c) => c.sid)).toEqual([sids[1]]);
    expect((await entity.challenges.list({ factorSid: `YF${'0'.repeat(32)}` })).length).toBe(0);
    const page = await entity.challenges.page({ pageSize: 2, status: 'pending' });
    expect(page.nextPageUrl).toContain('Status=pending');
    const token = new URL(page.nextPageUrl!).searchParams.get('PageToken')!;
    // The iOS SDK sends `pageToken`.
    const next = await rawRequest(
      `${(await entity.fetch()).links.challenges}?Status=pending&PageSize=2&pageToken=${token}`,
      {
        headers: {
          Authorization: `Basic ${Buffer.from(`token:${await device.deviceToken()}`).toString('base64')}`,
        },
      },
    );
    expect((next.body!.challenges as { sid: string }[]).map((c) => c.sid)).toEqual([sids[4]]);
    expect(await failureOf(entity.challenges.list({ status: 'done' as never }))).toMatchObject({
      status: 400,
      message: 'Invalid parameter Status: must be one of: pending, expired, approved, denied',
    });
  });

  it('keeps a device to its own factor’s challenges', async () => {
    const alice = await backendWithDevice(server.url);
    const challenge = await alice.entity.challenges.create(pushChallenge(alice.factorSid));
    const { token } = await alice.client.verify.v2
      .services(alice.service.sid)
      .accessTokens.create({ identity: 'user-0001-alice', factorType: 'push' });
    const second = new Device({ ...alice.device.state, privateKey: newDeviceKey(), factorSid: undefined });
    await second.createFactor(token, 'Tablet');
    await second.verifyFactor();
    await expect(second.fetchChallenge(challenge.sid)).rejects.toMatchObject({ status: 404 });
    await expect(second.answer(challenge.sid, 'approved')).rejects.toMatchObject({ status: 404 });
    expect(await second.listChallenges()).toEqual([]);
    // An enrollment token works once.
    const third = new Device({ ...alice.device.state, privateKey: newDeviceKey() });
    await expect(third.createFactor(token, 'Again')).rejects.toMatchObject({ status: 401 });
  });

  it('answers a device token outside its time window with 401 and a Date header to resync from', async () => {
    const { device, service } = await backendWithDevice(server.url);
    const stale = await device.deviceToken(new Date(Date.now() - 3_600_000));
    const response = await rawRequest(
      `${server.url}/v2/Services/${service.sid}/Entities/user-0001-alice/Challenges`,
      {
        headers: { Authorization: `Basic ${Buffer.from(`token:${stale}`).toString('base64')}` },
      },
    );
    expect(response.status).toBe(401);
    expect(Math.abs(Date.parse(response.headers.get('date')!) - Date.now())).toBeLessThan(5000);
  });

  it('rejects bad challenge input, naming the parameter, and writes nothing', async () => {
    const { entity, factorSid, client, service } = await backendWithDevice(server.url);
    const now = Date.now();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ factorSid, expirationDate: new Date(now - 1000) }, 60200, 'ExpirationDate'],
      [{ factorSid, expirationDate: new Date(now + 61 * 60_000) }, 60200, 'ExpirationDate'],
      [{ factorSid, expirationDate: 'tomorrow' }, 60200, 'ExpirationDate'],
      [{ ...pushChallenge(factorSid), expirationDate: '2030-13-45T99:99:99Z' }, 60200, 'ExpirationDate'],
      [
        {
          ...pushChallenge(factorSid),
          expirationDate: new Date(now + 600_000).toISOString().replace('Z', '+99:99'),
        },
        60200,
        'ExpirationDate',
      ],
      [{ factorSid }, 20001, 'Details.Message'],
      [{ factorSid, 'details.message': 'x'.repeat(257) }, 60200, 'Details.Message'],
      [
        { ...pushChallenge(factorSid), 'details.fields': Array(21).fill({ label: 'a', value: 'b' }) },
        60200,
        'Details.Fields',
      ],
      [
        { ...pushChallenge(factorSid), 'details.fields': [{ label: 'x'.repeat(37), value: 'b' }] },
        60200,
        'Details.Fields',
      ],
      [{ ...pushChallenge(factorSid), 'details.fields': ['{"label":"a"}'] }, 60200, 'Details.Fields'],
      [{ ...pushChallenge(factorSid), hiddenDetails: '{not json' }, 60200, 'HiddenDetails'],
      [{ ...pushChallenge(factorSid), hiddenDetails: { n: 1 } }, 60200, 'HiddenDetails'],
      [{ ...pushChallenge(factorSid), authPayload: '123456' }, 60200, 'AuthPayload'],
      [{ ...pushChallenge('YF123') }, 60200, 'FactorSid'],
    ];
    for (const [params, code, name] of cases) {
      const failure = await failureOf(entity.challenges.create(params as never));
      expect(failure, name).toMatchObject({ status: 400, code });
      expect(failure.message, name).toContain(name);
    }
    const other = client.verify.v2.services(service.sid).entities('user-0009-zed');
    expect(await failureOf(other.challenges.create(pushChallenge(factorSid)))).toMatchObject({ status: 404 });
    expect(await entity.challenges.list()).toEqual([]);
  });

  it('accepts ExpirationDate with fractional seconds and offsets, and answers an expired challenge with 60323', async () => {
    const { entity, factorSid, device, account } = await backendWithDevice(server.url);
    const soon = new Date(Date.now() + 2000);
    const offset = new Date(Date.now() + 600_000).toISOString().replace('Z', '+00:00');
    const withOffset = await rawRequest(
      `${server.url}${new URL((await entity.fetch()).url).pathname}/Challenges`,
      {
        method: 'POST',
        auth: account,
        body: new URLSearchParams({
          FactorSid: factorSid,
          'Details.Message': 'Hi',
          ExpirationDate: offset,
        }).toString(),
      },
    );
    expect(withOffset.status).toBe(201);
    const challenge = await entity.challenges.create({
      ...pushChallenge(factorSid),
      expirationDate: soon,
    });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('expired');
    await expect(device.answer(challenge.sid, 'approved')).rejects.toThrow(
      'Expired challenge can not be updated',
    );
    const jwt = await device.signJwt({ typ: 'JWT' }, { sid: challenge.sid, status: 'approved' });
    expect(await failureOf(entity.challenges(challenge.sid).update({ authPayload: jwt }))).toMatchObject({
      status: 403,
      code: 60323,
    });
  });

  it('refuses a challenge for an unverified factor with 403 (60318)', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const entity = client.verify.v2.services(service.sid).entities('user-0004-dave');
    const factor = await entity.newFactors.create({ friendlyName: 'Dave', factorType: 'totp' });
    expect(await failureOf(entity.challenges.create({ factorSid: factor.sid }))).toMatchObject({
      status: 403,
      code: 60318,
    });
  });
});

describe('CORS', () => {
  it('adds CORS headers to every response and answers preflights without credentials', async () => {
    const { account } = await twilioFor(server.url);
    const preflight = await rawRequest(
      `${server.url}/v2/Services/VA${'0'.repeat(32)}/Entities/user-0001-alice/Challenges/YC${'0'.repeat(32)}`,
      {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
      },
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const error = await rawRequest(`${server.url}/v2/Services`, {
      headers: { Origin: 'https://app.example' },
    });
    expect(error.status).toBe(401);
    expect(error.headers.get('access-control-allow-origin')).toBe('*');
    const ok = await rawRequest(`${server.url}/v2/Services`, {
      auth: account,
      headers: { Origin: 'https://app.example' },
    });
    expect(ok.headers.get('access-control-expose-headers')).toContain('Twilio-Verify-Signature-Fields');
  });

  it('echoes a configured origin with credentials allowed, and no other', async () => {
    const configured = await startTestServer({
      allowedOrigins: ['https://app.example', 'https://admin.example'],
    });
    try {
      const allowed = await rawRequest(`${configured.url}/v2/Services`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://admin.example' },
      });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('vary')).toBe('Origin');
      const other = await rawRequest(`${configured.url}/v2/Services`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await configured.close();
    }
  });
});
