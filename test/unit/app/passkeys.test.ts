import { describe, expect, it } from 'vitest';
import {
  approvePasskeyChallenge,
  createPasskeyChallenge,
  createPasskeyFactor,
  verifyPasskeyFactor,
} from '../../../shared/app/passkeys';
import { getChallenge } from '../../../shared/app/challenges';
import { getFactor, verifyFactor } from '../../../shared/app/factors';
import { createChallenge } from '../../../shared/app/challenges';
import type { PasskeysFactor } from '../../../shared/domain/factor';
import { creationOptions, requestOptions, type PasskeyChallenge } from '../../../shared/domain/passkeys';
import { newIdentity } from '../../support/fixtures';
import { memoryDeps, type MemoryDeps } from '../../support/memory';
import { backend, failure, newService } from '../../support/memory/fixtures';
import { SoftwareAuthenticator } from '../../support/webauthn';

const ORIGIN = 'https://app.example.com';
const at = new Date('2026-12-01T10:00:00Z');
const later = (ms: number) => new Date(at.getTime() + ms);

const RP = {
  passkeysRpId: 'example.com',
  passkeysRpName: 'Example',
  passkeysRpOrigins: [ORIGIN],
  passkeysAuthenticatorAttachment: 'platform',
  passkeysDiscoverableCredentials: 'preferred',
  passkeysUserVerification: 'preferred',
} as const;

async function passkeysService(deps: MemoryDeps, settings: Record<string, unknown> = RP) {
  const service = await newService(deps, settings);
  return { service, key: { accountSid: service.accountSid, serviceSid: service.sid } };
}

/** A passkeys factor registered by a new software authenticator. */
async function registered(deps: MemoryDeps, identity = newIdentity()) {
  const { service, key } = await passkeysService(deps);
  const { factor, credentials } = await createPasskeyFactor(deps, { ...key, identity, friendlyName: 'Ada' });
  const authenticator = new SoftwareAuthenticator(ORIGIN);
  const verified = await verifyPasskeyFactor(
    deps,
    key,
    authenticator.register(creationOptions(factor, credentials)),
  );
  return { service, key, factor: verified, authenticator, identity };
}

const optionsOf = (challenge: PasskeyChallenge) => requestOptions(challenge).publicKey;

describe('Passkeys factors', () => {
  it('creates an unverified factor (and its entity) with the service’s relying party', async () => {
    const deps = memoryDeps({ now: at });
    const { key } = await passkeysService(deps);
    const { factor } = await createPasskeyFactor(deps, {
      ...key,
      identity: 'user-0001-aa',
      friendlyName: 'Ada',
    });
    expect(factor).toMatchObject({
      status: 'unverified',
      factorType: 'passkeys',
      config: { relyingParty: { id: 'example.com', origins: [ORIGIN] }, userVerification: 'preferred' },
      registrationExpiresAt: later(600_000).toISOString().replace('.000', ''),
    });
    expect(await deps.entities.get(key.accountSid, key.serviceSid, 'user-0001-aa')).toBeDefined();
  });

  it('needs a relying party and criteria from the request or the service', async () => {
    const deps = memoryDeps({ now: at });
    const { key } = await passkeysService(deps, {});
    const request = { ...key, identity: newIdentity(), friendlyName: 'Ada' };
    expect(await failure(createPasskeyFactor(deps, request))).toMatchObject({ code: 60372, status: 400 });
    const rp = { relyingParty: { id: 'example.com', origins: [ORIGIN] } };
    expect(await failure(createPasskeyFactor(deps, { ...request, config: rp }))).toMatchObject({
      code: 60393,
    });
    const { factor } = await createPasskeyFactor(deps, {
      ...request,
      config: {
        ...rp,
        authenticatorAttachment: 'any',
        discoverableCredentials: 'required',
        userVerification: 'required',
      },
    });
    expect(creationOptions(factor, []).authenticatorSelection).toEqual({
      requireResidentKey: true,
      residentKey: 'required',
      userVerification: 'required',
    });
  });

  it('verifies once, stores the credential, and lists it in excludeCredentials of the next factor', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor, authenticator, identity } = await registered(deps);
    expect(factor).toMatchObject({ status: 'verified', credential: { id: authenticator.id, alg: -7 } });
    const next = await createPasskeyFactor(deps, { ...key, identity, friendlyName: 'Ada 2' });
    expect(creationOptions(next.factor, next.credentials).excludeCredentials).toEqual([
      { type: 'public-key', id: authenticator.id, transports: ['internal'] },
    ]);
  });

  it('refuses a second registration response (60383) and a credential ID the service already has', async () => {
    const deps = memoryDeps({ now: at });
    const { key, identity, authenticator } = await registered(deps);
    const { factor, credentials } = await createPasskeyFactor(deps, {
      ...key,
      identity,
      friendlyName: 'Again',
    });
    const body = authenticator.register(creationOptions(factor, credentials));
    expect(await failure(verifyPasskeyFactor(deps, key, body))).toMatchObject({ code: 60387, status: 400 });
    expect(
      (await getFactor(deps, backend(key.accountSid), { ...key, identity, sid: factor.sid })).status,
    ).toBe('unverified');
    const fresh = new SoftwareAuthenticator(ORIGIN);
    const response = fresh.register(creationOptions(factor, credentials));
    await verifyPasskeyFactor(deps, key, response);
    expect(await failure(verifyPasskeyFactor(deps, key, response))).toMatchObject({ code: 60383 });
  });

  it('refuses a registration after its options’ timeout, and one for an unknown factor', async () => {
    const deps = memoryDeps({ now: at });
    const { key } = await passkeysService(deps);
    const { factor } = await createPasskeyFactor(deps, {
      ...key,
      identity: newIdentity(),
      friendlyName: 'Ada',
    });
    const body = new SoftwareAuthenticator(ORIGIN).register(creationOptions(factor, []));
    deps.setNow(later(600_000));
    expect(await failure(verifyPasskeyFactor(deps, key, body))).toMatchObject({ code: 60323, status: 403 });
    const other = await passkeysService(deps);
    expect(await failure(verifyPasskeyFactor(deps, other.key, body))).toMatchObject({
      code: 60390,
      status: 404,
    });
  });

  it('is not verified, nor challenged, through the entity routes', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor } = await registered(deps);
    expect(await failure(verifyFactor(deps, factor, '123456'))).toMatchObject({ status: 400 });
    const request = {
      ...key,
      identity: factor.identity,
      factorSid: factor.sid,
      expirationDate: later(60_000),
    };
    expect(await failure(createChallenge(deps, request))).toMatchObject({ status: 400 });
  });
});

describe('Passkeys challenges', () => {
  it('signs in usernameless: the challenge reaches its entity when approved, and moves the count', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor, authenticator, identity } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    expect(challenge).toMatchObject({ identity: '', entitySid: '', factorSid: '', status: 'pending' });
    expect(optionsOf(challenge)).toMatchObject({
      allowCredentials: [],
      rpId: 'example.com',
      timeout: 300_000,
    });
    const approved = await approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)));
    expect(approved).toMatchObject({
      status: 'approved',
      identity,
      entitySid: factor.entitySid,
      factorSid: factor.sid,
    });
    const stored = await getChallenge(deps, backend(key.accountSid), {
      ...key,
      identity,
      sid: challenge.sid,
    });
    expect(stored).toMatchObject({ status: 'approved', factorType: 'passkeys', factorSid: factor.sid });
    const { credential } = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      authenticator.id,
    );
    expect(credential?.signCount).toBe(2);
  });

  it('approves a replayed assertion once', async () => {
    const deps = memoryDeps({ now: at });
    const { key, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    const assertion = authenticator.assert(optionsOf(challenge));
    await approvePasskeyChallenge(deps, key, assertion);
    expect(await failure(approvePasskeyChallenge(deps, key, assertion))).toMatchObject({ status: 409 });
  });

  it('approves racing assertions once: the loser’s conditional write is refused', async () => {
    const deps = memoryDeps({ now: at });
    const { key, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    const first = authenticator.assert(optionsOf(challenge));
    const second = authenticator.assert(optionsOf(challenge));
    // The second request reads the challenge pending, then the first one approves before it writes.
    deps.before('passkeys.approve', () => approvePasskeyChallenge(deps, key, first));
    const outcome = await failure(approvePasskeyChallenge(deps, key, second));
    expect(outcome).toMatchObject({ status: 409, kind: 'challenge-answered' });
  });

  it('answers 409 when the credential’s count moved under a concurrent sign-in', async () => {
    const deps = memoryDeps({ now: at });
    const { key, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    deps.answer('passkeys.approve', 'credential-changed');
    expect(
      await failure(approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)))),
    ).toMatchObject({
      status: 409,
      kind: 'conflict',
    });
  });

  it('bound to an identity: its passkeys are allowed, others and other identities’ are not', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor, authenticator, identity } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, { identity, factorSid: factor.sid });
    expect(optionsOf(challenge).allowCredentials).toEqual([{ type: 'public-key', id: authenticator.id }]);
    expect(
      await getChallenge(deps, backend(key.accountSid), { ...key, identity, sid: challenge.sid }),
    ).toMatchObject({
      status: 'pending',
    });

    const { factor: otherFactor } = await createPasskeyFactor(deps, {
      ...key,
      identity: newIdentity(),
      friendlyName: 'Bob',
    });
    const bob = new SoftwareAuthenticator(ORIGIN);
    await verifyPasskeyFactor(deps, key, bob.register(creationOptions(otherFactor, [])));
    expect(await failure(approvePasskeyChallenge(deps, key, bob.assert(optionsOf(challenge))))).toMatchObject(
      { code: 60375 },
    );

    const approved = await approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)));
    expect(approved).toMatchObject({ status: 'approved', identity });
  });

  it('refuses an identity without passkeys, a factor_sid without identity, and an unknown service', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor } = await registered(deps);
    expect(await failure(createPasskeyChallenge(deps, key, { identity: newIdentity() }))).toMatchObject({
      code: 60390,
    });
    expect(await failure(createPasskeyChallenge(deps, key, { factorSid: factor.sid }))).toMatchObject({
      status: 400,
    });
    expect(
      await failure(createPasskeyChallenge(deps, { ...key, serviceSid: 'VA' + '0'.repeat(32) }, {})),
    ).toMatchObject({
      status: 404,
    });
  });

  it('expires: after its timeout an assertion is refused (60323) and changes nothing', async () => {
    const deps = memoryDeps({ now: at });
    const { key, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    deps.setNow(later(300_000));
    expect(
      await failure(approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)))),
    ).toMatchObject({
      code: 60323,
      status: 403,
    });
    const { credential } = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      authenticator.id,
    );
    expect(credential?.signCount).toBe(0);
  });

  it('needs the user handle of the credential’s entity for a usernameless sign-in', async () => {
    const deps = memoryDeps({ now: at });
    const { key, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    const options = optionsOf(challenge);
    expect(
      await failure(approvePasskeyChallenge(deps, key, authenticator.assert(options, { userHandle: '' }))),
    ).toMatchObject({
      code: 60378,
    });
    const wrong = Buffer.from('YE' + '1'.repeat(32)).toString('base64url');
    expect(
      await failure(approvePasskeyChallenge(deps, key, authenticator.assert(options, { userHandle: wrong }))),
    ).toMatchObject({
      code: 60392,
    });
  });

  it('refuses an unknown credential, a challenge that is not ours, and a counter regression (flagged)', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor, authenticator } = await registered(deps);
    const challenge = await createPasskeyChallenge(deps, key, {});
    const stranger = new SoftwareAuthenticator(ORIGIN);
    stranger.userHandle = authenticator.userHandle;
    expect(
      await failure(approvePasskeyChallenge(deps, key, stranger.assert(optionsOf(challenge)))),
    ).toMatchObject({
      code: 60390,
      status: 404,
    });
    const notOurs = { ...optionsOf(challenge), challenge: 'WUZ4' };
    expect(await failure(approvePasskeyChallenge(deps, key, authenticator.assert(notOurs)))).toMatchObject({
      code: 60391,
    });

    await approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)));
    const next = await createPasskeyChallenge(deps, key, {});
    expect(
      await failure(
        approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(next), { signCount: 1 })),
      ),
    ).toMatchObject({
      code: 60379,
    });
    const flagged = (await deps.factors.get(
      key.accountSid,
      key.serviceSid,
      factor.identity,
      factor.sid,
    )) as PasskeysFactor;
    expect(flagged.counterRegressions).toBe(1);
    expect(
      (await deps.passkeys.getForAssertion(key.accountSid, key.serviceSid, next.sid, authenticator.id))
        .challenge?.status,
    ).toBe('pending');
  });

  it('deleting the factor deletes its credential', async () => {
    const deps = memoryDeps({ now: at });
    const { key, factor, authenticator } = await registered(deps);
    await deps.factors.delete(factor);
    const challenge = await createPasskeyChallenge(deps, key, {});
    expect(
      await failure(approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge)))),
    ).toMatchObject({
      code: 60390,
    });
  });
});
