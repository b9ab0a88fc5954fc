import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../support/pipeline';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';
import { SoftwareAuthenticator } from '../support/webauthn';

/**
 * Verify Passkeys through the local server with the official twilio client (6.2): the four passkeys calls
 * (`newFactors.create`, `newVerifyFactors.update`, `newChallenge().create`, `approveChallenge.update`), the
 * challenge seen through the ordinary Challenge fetch and list, and the events on the local bus. The
 * browser side is a software authenticator (test/support/webauthn.ts).
 */

const ORIGIN = 'http://localhost:3001';

let server: Awaited<ReturnType<typeof startTestServer>>;
let pipeline: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  pipeline = await startPipeline();
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  await pipeline?.stop();
});

async function passkeysService(settings: Record<string, string> = {}) {
  const { client, account } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({
    friendlyName: 'Passkeys demo',
    'passkeys.relyingParty.id': 'localhost',
    'passkeys.relyingParty.name': 'Demo',
    'passkeys.relyingParty.origins': `${ORIGIN},https://app.example.com`,
    'passkeys.authenticatorAttachment': 'platform',
    'passkeys.discoverableCredentials': 'preferred',
    'passkeys.userVerification': 'preferred',
    ...settings,
  } as never);
  return { client, account, service, v2: client.verify.v2.services(service.sid) };
}

type V2 = Awaited<ReturnType<typeof passkeysService>>['v2'];

/** Registers a passkey for `identity`: factor create → the authenticator's response → VerifyFactor. */
async function register(v2: V2, identity: string, authenticator = new SoftwareAuthenticator(ORIGIN)) {
  const factor = await v2.newFactors.create({ friendly_name: identity, identity } as never);
  const options = (factor.options as { publicKey: Parameters<SoftwareAuthenticator['register']>[0] })
    .publicKey;
  const verified = await v2.newVerifyFactors.update(authenticator.register(options) as never);
  return { factor, verified, authenticator };
}

describe('Verify Passkeys with twilio-node', () => {
  it('shows the Passkeys settings on the service, origins as an array', async () => {
    const { service } = await passkeysService();
    expect(service.passkeys).toEqual({
      relying_party: { id: 'localhost', name: 'Demo', origins: [ORIGIN, 'https://app.example.com'] },
      authenticator_attachment: 'platform',
      discoverable_credentials: 'preferred',
      user_verification: 'preferred',
    });
  });

  it('refuses a relying party ID with a scheme and an origin with a path, naming the setting', async () => {
    const { client } = await twilioFor(server.url);
    const badId = await failureOf(
      client.verify.v2.services.create({
        friendlyName: 'x',
        'passkeys.relyingParty.id': 'https://example.com',
      } as never),
    );
    expect(badId).toMatchObject({ status: 400, code: 60200 });
    expect(badId.message).toContain('Passkeys.RelyingParty.Id');
    const badOrigin = await failureOf(
      client.verify.v2.services.create({
        friendlyName: 'x',
        'passkeys.relyingParty.origins': 'https://example.com/login',
      } as never),
    );
    expect(badOrigin.message).toContain('Passkeys.RelyingParty.Origins');
  });

  it('registers a passkey and signs in usernameless; the challenge is a Challenge with its events', async () => {
    const { v2 } = await passkeysService();
    const identity = 'user-passkeys-0001';
    const { factor, verified, authenticator } = await register(v2, identity);
    const publicKey = (factor.options as { publicKey: Record<string, unknown> }).publicKey;
    expect(factor).toMatchObject({ status: 'unverified', factorType: 'passkeys', identity, binding: null });
    expect(publicKey).toMatchObject({
      rp: { id: 'localhost', name: 'Demo' },
      user: {
        id: Buffer.from(factor.entitySid).toString('base64url'),
        name: identity,
        displayName: identity,
      },
      challenge: Buffer.from(factor.sid).toString('base64url'),
      pubKeyCredParams: [
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -8 },
        { type: 'public-key', alg: -257 },
      ],
      excludeCredentials: [],
      attestation: 'none',
    });
    expect(verified).toMatchObject({ sid: factor.sid, status: 'verified', factorType: 'passkeys' });

    const challenge = await v2.newChallenge().create({});
    const request = (challenge.options as { publicKey: { challenge: string; rpId: string } }).publicKey;
    expect(challenge).toMatchObject({ status: 'pending', factorType: 'passkeys', identity: '' });
    expect(request).toEqual({
      challenge: Buffer.from(challenge.sid).toString('base64url'),
      timeout: 300_000,
      rpId: 'localhost',
      allowCredentials: [],
      userVerification: 'preferred',
    });

    const assertion = authenticator.assert(request);
    const approved = await v2.approveChallenge.update(assertion as never);
    expect(approved).toMatchObject({
      sid: challenge.sid,
      status: 'approved',
      identity,
      entitySid: factor.entitySid,
      factorSid: factor.sid,
    });

    // Replayed: approves at most once.
    const replay = await failureOf(v2.approveChallenge.update(assertion as never));
    expect(replay.status).toBe(409);

    const entity = v2.entities(identity);
    expect(await entity.challenges(challenge.sid).fetch()).toMatchObject({
      status: 'approved',
      factorType: 'passkeys',
    });
    expect((await entity.challenges.list()).map((c) => c.sid)).toContain(challenge.sid);
    expect((await entity.factors(factor.sid).fetch()).config).toMatchObject({
      relying_party: { id: 'localhost' },
    });

    const events = await pipeline.waitForEvents(
      (e) => e.detail.factor_sid === factor.sid && e.detail.factor_type === 'passkeys',
      15_000,
      4,
    );
    expect(events.map((e) => e['detail-type']).sort()).toEqual([
      'challenge.approved',
      'challenge.created',
      'factor.created',
      'factor.verified',
    ]);
    // No billing for passkeys, and no public key in any event.
    expect(
      pipeline
        .events()
        .some((e) => e.detail.challenge_sid === challenge.sid && e['detail-type'] === 'billing.verification'),
    ).toBe(false);
    expect(JSON.stringify(pipeline.events())).not.toContain(authenticator.id);
  }, 40_000);

  it('signs in with an identity (allowCredentials), refuses another origin, and flags a counter regression', async () => {
    const { v2 } = await passkeysService();
    const identity = 'user-passkeys-0002';
    const { factor, authenticator } = await register(v2, identity);

    const challenge = await v2.newChallenge().create({ identity, factorSid: factor.sid } as never);
    const request = (
      challenge.options as { publicKey: { challenge: string; rpId: string; allowCredentials: unknown[] } }
    ).publicKey;
    expect(request.allowCredentials).toEqual([{ type: 'public-key', id: authenticator.id }]);
    expect((await v2.entities(identity).challenges(challenge.sid).fetch()).status).toBe('pending');

    const elsewhere = new SoftwareAuthenticator('http://localhost:4000');
    const foreign = await failureOf(
      v2.approveChallenge.update({
        ...authenticator.assert(request, { clientData: { origin: elsewhere.origin } }),
      } as never),
    );
    expect(foreign).toMatchObject({ status: 400, code: 60380 });

    const approved = await v2.approveChallenge.update(authenticator.assert(request) as never);
    expect(approved).toMatchObject({ status: 'approved', factorSid: factor.sid });

    // The next sign-in reports a count below the stored one: refused, and an event says so.
    const next = await v2.newChallenge().create({ identity } as never);
    const nextRequest = (next.options as { publicKey: { challenge: string; rpId: string } }).publicKey;
    const regressed = await failureOf(
      v2.approveChallenge.update(authenticator.assert(nextRequest, { signCount: 1 }) as never),
    );
    expect(regressed).toMatchObject({ status: 400, code: 60379 });
    const [event] = await pipeline.waitForEvents(
      (e) => e.detail.factor_sid === factor.sid && e['detail-type'] === 'passkey.counter_regressed',
      15_000,
    );
    expect(event!.detail).toMatchObject({ counter_regressions: 1, factor_type: 'passkeys' });
    expect((await v2.entities(identity).challenges(next.sid).fetch()).status).toBe('pending');
  }, 40_000);

  it('accepts camelCase keys and a hex rawId; answers bad JSON with a Twilio 400', async () => {
    const { v2, account, service } = await passkeysService();
    const factor = await v2.newFactors.create({
      friendlyName: 'user-passkeys-0003',
      identity: 'user-passkeys-0003',
    } as never);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const body = authenticator.register((factor.options as { publicKey: never }).publicKey);
    const verified = await v2.newVerifyFactors.update({
      ...body,
      rawId: authenticator.credentialId.toString('hex'),
    } as never);
    expect(verified.status).toBe('verified');

    const url = `${server.url}/v2/Services/${service.sid}/Passkeys/Challenges`;
    const auth = { sid: account.sid, authToken: account.authToken };
    const bad = await rawRequest(url, {
      method: 'POST',
      auth,
      body: '{"identity":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 60200, status: 400 } });
    const form = await rawRequest(url, { method: 'POST', auth, body: 'Identity=x' });
    expect(form.body).toMatchObject({ status: 400, message: expect.stringContaining('application/json') });
  }, 40_000);
});
