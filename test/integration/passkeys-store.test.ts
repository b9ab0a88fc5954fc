import { describe, expect, it } from 'vitest';
import {
  approvePasskeyChallenge,
  createPasskeyChallenge,
  createPasskeyFactor,
  verifyPasskeyFactor,
} from '../../shared/app/passkeys';
import type { AppDeps } from '../../shared/app/ports';
import type { PasskeysFactor } from '../../shared/domain/factor';
import { creationOptions, requestOptions, type PasskeyChallenge } from '../../shared/domain/passkeys';
import { createService } from '../../shared/domain/service';
import { newSid, SidPrefix } from '../../shared/domain/sid';
import { testDeps } from '../support/deps';
import { newIdentity } from '../support/fixtures';
import { memoryDeps } from '../support/memory';
import { SoftwareAuthenticator } from '../support/webauthn';

/**
 * The passkeys store's semantics, against the in-memory double and DynamoDB Local alike (the contract the
 * use-case tests rely on): lookups by SID and credential ID, one registration per factor, credential IDs
 * unique per service, one approval per challenge whatever races it, the sign count moved only from the
 * value read, and credentials going with their factor and entity.
 */
const implementations: [string, () => AppDeps][] = [
  ['in memory', () => memoryDeps()],
  ['on DynamoDB Local', () => testDeps()],
];

const ORIGIN = 'https://app.example.com';

describe.each(implementations)('passkeys store %s', (_name, makeDeps) => {
  const deps = makeDeps();

  async function service() {
    const s = createService(
      newSid(SidPrefix.account),
      {
        friendlyName: 'Bank',
        passkeysRpId: 'example.com',
        passkeysRpOrigins: [ORIGIN],
        passkeysAuthenticatorAttachment: 'any',
        passkeysDiscoverableCredentials: 'preferred',
        passkeysUserVerification: 'preferred',
      },
      deps.now(),
    );
    await deps.services.create(s);
    return { accountSid: s.accountSid, serviceSid: s.sid };
  }

  async function registered(key: { accountSid: string; serviceSid: string }, identity = newIdentity()) {
    const { factor } = await createPasskeyFactor(deps, { ...key, identity, friendlyName: 'Ada' });
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const verified = await verifyPasskeyFactor(
      deps,
      key,
      authenticator.register(creationOptions(factor, [])),
    );
    return { factor: verified, authenticator };
  }

  const optionsOf = (c: PasskeyChallenge) => requestOptions(c).publicKey;

  it('finds a registration by factor SID, registers it once, and keeps credential IDs unique per service', async () => {
    const key = await service();
    const identity = newIdentity();
    const { factor } = await createPasskeyFactor(deps, { ...key, identity, friendlyName: 'Ada' });
    const found = await deps.passkeys.getRegistration(key.accountSid, key.serviceSid, factor.sid);
    expect(found).toEqual(factor);
    expect(
      await deps.passkeys.getRegistration(key.accountSid, key.serviceSid, newSid(SidPrefix.factor)),
    ).toBeUndefined();

    const record = {
      id: 'Y3JlZC0x',
      publicKey: 'pk',
      alg: -7,
      transports: [],
      backupEligible: false,
      aaguid: '00',
      accountSid: key.accountSid,
      serviceSid: key.serviceSid,
      identity,
      entitySid: factor.entitySid,
      factorSid: factor.sid,
      factorFriendlyName: 'Ada',
      rpId: 'example.com',
      signCount: 0,
      backupState: false,
    };
    const verified: PasskeysFactor = { ...factor, status: 'verified', credential: record };
    const { factor: second } = await createPasskeyFactor(deps, { ...key, identity, friendlyName: 'Ada 2' });
    const secondRecord = { ...record, factorSid: second.sid };
    const secondVerified: PasskeysFactor = { ...second, status: 'verified', credential: secondRecord };
    const outcomes = await Promise.all([
      deps.passkeys.register(verified, record),
      deps.passkeys.register(secondVerified, secondRecord),
    ]);
    expect([...outcomes].sort()).toEqual(['credential-exists', 'registered']);
    // Whichever won the race is verified now: registering it again changes nothing.
    const [winner, winnerRecord] =
      outcomes[0] === 'registered' ? [verified, record] : [secondVerified, secondRecord];
    expect(await deps.passkeys.register(winner, winnerRecord)).toBe('factor-changed');
    const listed = await deps.passkeys.verifiedFactorsOf(key.accountSid, key.serviceSid, identity);
    expect(listed.map((f) => f.credential?.id)).toEqual(['Y3JlZC0x']);
    // Another service may hold the same credential ID.
    const other = await service();
    const { factor: elsewhere } = await createPasskeyFactor(deps, {
      ...other,
      identity,
      friendlyName: 'Ada',
    });
    expect(
      await deps.passkeys.register(
        { ...elsewhere, status: 'verified', credential: record },
        { ...record, ...other, factorSid: elsewhere.sid },
      ),
    ).toBe('registered');
  });

  it('approves racing assertions of one challenge exactly once', async () => {
    const key = await service();
    const { authenticator } = await registered(key);
    const challenge = await createPasskeyChallenge(deps, key, {});
    const assertions = Array.from({ length: 6 }, () => authenticator.assert(optionsOf(challenge)));
    const results = await Promise.allSettled(assertions.map((a) => approvePasskeyChallenge(deps, key, a)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const stored = await deps.challenges.get(
      key.accountSid,
      key.serviceSid,
      (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<PasskeyChallenge>).value
        .identity,
      challenge.sid,
    );
    expect(stored?.status).toBe('approved');
  });

  it('lets one of two people answer a usernameless challenge, however they race', async () => {
    const key = await service();
    const [ada, bob] = [await registered(key), await registered(key)];
    const challenge = await createPasskeyChallenge(deps, key, {});
    const results = await Promise.allSettled(
      [ada, bob].map(({ authenticator }) =>
        approvePasskeyChallenge(deps, key, authenticator.assert(optionsOf(challenge))),
      ),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    // The loser's entity holds no copy of the challenge; the winner's holds the approval.
    const [winner, loser] = won[0]!.identity === ada.factor.identity ? [ada, bob] : [bob, ada];
    const copy = (identity: string) =>
      deps.challenges.get(key.accountSid, key.serviceSid, identity, challenge.sid);
    expect((await copy(winner.factor.identity))?.status).toBe('approved');
    expect(await copy(loser.factor.identity)).toBeUndefined();
    // And afterwards, too: the challenge is used.
    await expect(
      approvePasskeyChallenge(deps, key, loser.authenticator.assert(optionsOf(challenge))),
    ).rejects.toMatchObject({ kind: 'challenge-answered' });
  });

  it('moves the sign count only from the value read, and counts regressions on the factor', async () => {
    const key = await service();
    const { factor, authenticator } = await registered(key);
    const challenge = await createPasskeyChallenge(deps, key, { identity: factor.identity });
    const { challenge: pending, credential } = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      authenticator.id,
    );
    expect(pending?.status).toBe('pending');
    const approved = {
      ...pending!,
      status: 'approved' as const,
      factorSid: factor.sid,
      factorFriendlyName: factor.friendlyName,
      dateResponded: pending!.dateCreated,
    };
    const stale = { ...credential!, signCount: 7 };
    expect(
      await deps.passkeys.approve(approved, stale, { signCount: 8, backupState: false }, deps.now()),
    ).toBe('credential-changed');
    expect(
      await deps.passkeys.approve(approved, credential!, { signCount: 3, backupState: false }, deps.now()),
    ).toBe('approved');
    expect(
      await deps.passkeys.approve(
        approved,
        { ...credential!, signCount: 3 },
        { signCount: 4, backupState: false },
        deps.now(),
      ),
    ).toBe('challenge-changed');
    const after = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      authenticator.id,
    );
    expect(after.credential?.signCount).toBe(3);
    expect(after.challenge?.status).toBe('approved');
    expect(
      (await deps.challenges.get(key.accountSid, key.serviceSid, factor.identity, challenge.sid))?.status,
    ).toBe('approved');

    await deps.passkeys.recordCounterRegression(credential!, deps.now());
    await deps.passkeys.recordCounterRegression(credential!, deps.now());
    const flagged = (await deps.factors.get(
      key.accountSid,
      key.serviceSid,
      factor.identity,
      factor.sid,
    )) as PasskeysFactor;
    expect(flagged.counterRegressions).toBe(2);
  });

  it('stores a bound challenge only while its factor exists, and removes credentials with their factor and entity', async () => {
    const key = await service();
    const { factor, authenticator } = await registered(key);
    const challenge = await createPasskeyChallenge(deps, key, {
      identity: factor.identity,
      factorSid: factor.sid,
    });
    expect(await deps.factors.delete(factor)).toBe(true);
    const gone = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      authenticator.id,
    );
    expect(gone.credential).toBeUndefined();
    expect(await deps.passkeys.createChallenge({ ...challenge, sid: newSid(SidPrefix.challenge) })).toBe(
      'no-factor',
    );

    const second = await registered(key);
    expect(
      await deps.entities.markDeleting(key.accountSid, key.serviceSid, second.factor.identity, deps.now()),
    ).toBe('marked');
    await deps.entities.purge(key.accountSid, key.serviceSid, second.factor.identity, {
      deadline: Date.now() + 10_000,
      from: 'first',
    });
    const purged = await deps.passkeys.getForAssertion(
      key.accountSid,
      key.serviceSid,
      challenge.sid,
      second.authenticator.id,
    );
    expect(purged.credential).toBeUndefined();
  });
});
