import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  authenticatorPage,
  launchChromium,
  lowerSignCount,
  startBlankSite,
  type AuthenticatorPage,
} from '../support/browser';
import { failureOf, startTestServer, twilioFor } from '../support/server';

/**
 * Verify Passkeys as an integrator uses it without the demo: the browser's own `navigator.credentials`
 * in headless Chromium (a virtual authenticator: CTAP2, internal, resident keys, user verification) and
 * twilio-node's four passkeys calls on the server side. Then every failure the DevTools WebAuthn domain
 * can make a real authenticator produce: another origin, a replay, user verification cleared, a bogus
 * signature, a counter that went backwards.
 */
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let site: Awaited<ReturnType<typeof startBlankSite>>;
let elsewhere: Awaited<ReturnType<typeof startBlankSite>>;
let target: AuthenticatorPage;
let page: Page;

beforeAll(async () => {
  [server, browser, site, elsewhere] = await Promise.all([
    startTestServer(),
    launchChromium(),
    startBlankSite(),
    startBlankSite(),
  ]);
  target = await authenticatorPage(browser);
  page = target.page;
  await page.goto(site.url);
}, 120_000);

// Each test has its own service and passkeys; Chromium's virtual authenticator keeps at most 3 of them.
beforeEach(() => target.clearCredentials());

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), site?.stop(), elsewhere?.stop()]);
});

type Json = Record<string, unknown>;

/*
 * What the site's page runs: Verify's options JSON parsed by the browser, and the credential's JSON back.
 * Strings, not functions, as this test file is compiled without the DOM's types.
 */
const createInPage = (publicKey: unknown) =>
  page.evaluate<Json>(`(async (publicKey) => {
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(publicKey),
    });
    return credential.toJSON();
  })(${JSON.stringify(publicKey)})`);
const getInPage = (publicKey: unknown) =>
  page.evaluate<Json>(`(async (publicKey) => {
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey),
    });
    return credential.toJSON();
  })(${JSON.stringify(publicKey)})`);

const overrideResponses = (bits: { isBogusSignature?: boolean; isBadUV?: boolean }) =>
  target.cdp.send('WebAuthn.setResponseOverrideBits', {
    authenticatorId: target.authenticatorId,
    isBogusSignature: false,
    isBadUV: false,
    isBadUP: false,
    ...bits,
  });

/** A service for the blank site's origin; passkeys must verify their user unless `userVerification` says. */
async function passkeysService(userVerification = 'required') {
  const { client } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({
    friendlyName: 'Passkeys in Chromium',
    'passkeys.relyingParty.id': 'localhost',
    'passkeys.relyingParty.name': 'Chromium test',
    'passkeys.relyingParty.origins': site.url,
    'passkeys.authenticatorAttachment': 'platform',
    'passkeys.discoverableCredentials': 'required',
    'passkeys.userVerification': userVerification,
  });
  return client.verify.v2.services(service.sid);
}
type V2 = Awaited<ReturnType<typeof passkeysService>>;

async function register(v2: V2, identity: string) {
  const factor = await v2.newFactors.create({ friendlyName: identity, identity });
  const credential = await createInPage((factor.options as { publicKey: unknown }).publicKey);
  const verified = await v2.newVerifyFactors.update(credential as never);
  return { factor, credential, verified };
}

/** A sign-in's WebAuthn request options, from twilio-node's challenge create. */
async function signInOptions(v2: V2, params: { identity?: string } = {}) {
  const challenge = await v2.newChallenge().create(params);
  return { challenge, publicKey: (challenge.options as { publicKey: Json }).publicKey };
}

describe('Verify Passkeys with Chromium and twilio-node', () => {
  it('registers a passkey and signs in usernameless and by identity; a replayed assertion is refused', async () => {
    const v2 = await passkeysService();
    const identity = 'user-chromium-0001';
    const { factor, credential, verified } = await register(v2, identity);
    expect(verified).toMatchObject({ sid: factor.sid, status: 'verified', factorType: 'passkeys', identity });
    expect(credential).toMatchObject({ type: 'public-key', authenticatorAttachment: 'platform' });

    const stored = (await target.credentials()).find(
      (c) => c.userHandle && atob(c.userHandle) === factor.entitySid,
    );
    expect(stored).toMatchObject({ rpId: 'localhost', isResidentCredential: true, signCount: 1 });
    expect(Buffer.from(stored!.credentialId, 'base64').toString('base64url')).toBe(credential.id);

    // Usernameless: the browser picks the resident credential; Verify says who it is.
    const usernameless = await signInOptions(v2);
    expect(usernameless.publicKey).toMatchObject({
      rpId: 'localhost',
      allowCredentials: [],
      userVerification: 'required',
    });
    const assertion = await getInPage(usernameless.publicKey);
    const approved = await v2.approveChallenge.update(assertion as never);
    expect(approved).toMatchObject({
      sid: usernameless.challenge.sid,
      status: 'approved',
      identity,
      entitySid: factor.entitySid,
      factorSid: factor.sid,
    });

    const replay = await failureOf(v2.approveChallenge.update(assertion as never));
    expect(replay.status).toBe(409);
    const fetched = await v2.entities(identity).challenges(usernameless.challenge.sid).fetch();
    expect(fetched).toMatchObject({ status: 'approved', factorType: 'passkeys' });

    // By identity: allowCredentials lists the passkey, which the browser decodes and uses.
    const byIdentity = await signInOptions(v2, { identity });
    expect(byIdentity.publicKey.allowCredentials).toEqual([expect.objectContaining({ id: credential.id })]);
    const second = await v2.approveChallenge.update((await getInPage(byIdentity.publicKey)) as never);
    expect(second).toMatchObject({ status: 'approved', identity });
    expect((await target.credentials()).find((c) => c.credentialId === stored!.credentialId)?.signCount).toBe(
      3,
    );
  });

  it('refuses a registration and an assertion made on an origin the service does not list', async () => {
    const v2 = await passkeysService();
    const identity = 'user-chromium-0002';
    await register(v2, identity);
    await page.goto(elsewhere.url);
    try {
      // Same RP ID (localhost covers every port): only the origin tells the sites apart.
      const newcomer = 'user-chromium-0002-b';
      const other = await v2.newFactors.create({ friendlyName: newcomer, identity: newcomer });
      const foreignRegistration = await createInPage((other.options as { publicKey: unknown }).publicKey);
      const refusedRegistration = await failureOf(v2.newVerifyFactors.update(foreignRegistration as never));
      expect(refusedRegistration).toMatchObject({ status: 400, code: 60380 });
      expect(refusedRegistration.message).toContain(`origin "${elsewhere.url}" is not an allowed origin`);
      expect((await v2.entities(newcomer).factors(other.sid).fetch()).status).toBe('unverified');

      const { challenge, publicKey } = await signInOptions(v2, { identity });
      const refused = await failureOf(v2.approveChallenge.update((await getInPage(publicKey)) as never));
      expect(refused).toMatchObject({ status: 400, code: 60380 });
      expect((await v2.entities(identity).challenges(challenge.sid).fetch()).status).toBe('pending');
      // 127.0.0.1 is a secure context too, but an IP address is not a registrable domain: no RP ID localhost.
      await page.goto(site.url.replace('localhost', '127.0.0.1'));
      const ipRegistration = await v2.newFactors.create({ friendlyName: newcomer, identity: newcomer });
      await expect(
        createInPage((ipRegistration.options as { publicKey: unknown }).publicKey),
      ).rejects.toThrow('SecurityError');
    } finally {
      await page.goto(site.url);
    }
  });

  it('refuses user verification cleared (when required), a bogus signature and a counter regression', async () => {
    const v2 = await passkeysService();
    const identity = 'user-chromium-0003';
    const { factor } = await register(v2, identity);
    const attempt = async (prepare: () => Promise<unknown>) => {
      const { challenge, publicKey } = await signInOptions(v2, { identity });
      await prepare();
      const assertion = await getInPage(publicKey);
      await overrideResponses({});
      const failure = await failureOf(v2.approveChallenge.update(assertion as never));
      const after = await v2.entities(identity).challenges(challenge.sid).fetch();
      return { ...failure, challengeStatus: after.status };
    };

    const noUv = await attempt(() => overrideResponses({ isBadUV: true }));
    expect(noUv).toMatchObject({ status: 400, code: 60379, challengeStatus: 'pending' });
    expect(noUv.message).toContain('does not show the user verified (UV)');

    const bogus = await attempt(() => overrideResponses({ isBogusSignature: true }));
    expect(bogus).toMatchObject({ status: 400, code: 60381, challengeStatus: 'pending' });
    expect(bogus.message).toContain('Signature does not verify');

    // The authenticator's copy of the key, put back with its counter at 0: the next assertion reports 1.
    const stored = (await target.credentials()).find(
      (c) => c.userHandle && atob(c.userHandle) === factor.entitySid,
    )!;
    const regressed = await attempt(() => lowerSignCount(target, stored, 0));
    expect(regressed).toMatchObject({ status: 400, code: 60379, challengeStatus: 'pending' });

    // Under the same settings an honest assertion still passes (so the refusals above are the guards').
    const { publicKey } = await signInOptions(v2, { identity });
    await lowerSignCount(target, stored, 10);
    const approved = await v2.approveChallenge.update((await getInPage(publicKey)) as never);
    expect(approved).toMatchObject({ status: 'approved', identity });
  });

  it('accepts an assertion without user verification when the service only prefers it', async () => {
    const v2 = await passkeysService('preferred');
    const identity = 'user-chromium-0004';
    await register(v2, identity);
    const { publicKey } = await signInOptions(v2, { identity });
    await overrideResponses({ isBadUV: true });
    const assertion = await getInPage(publicKey).finally(() => overrideResponses({}));
    expect(await v2.approveChallenge.update(assertion as never)).toMatchObject({
      status: 'approved',
      identity,
    });
  });
});
