// @ts-nocheck
import { describe, expect, it, vi } from 'vitest';
import { createAccessToken } from '../../../shared/app/access-tokens';
import { createEntity } from '../../../shared/app/entities';
import {
  createFactor,
  deleteFactor,
  getFactor,
  listFactors,
  updateFactor,
  verifyFactor,
} from '../../../shared/app/factors';
import type { EntityStore, FactorStore, SecretSealer, ServiceStore } from '../../../shared/app/ports';
import type { Principal } from '../../../shared/app/principal';
import { newEntity, type Entity } from '../../../shared/domain/entity';
import type { Factor, FactorChanges, PushFactor, TotpFactor } from '../../../shared/domain/factor';
import { afterFailure } from '../../../shared/domain/lockout';
import { newSid, SidPrefix } from '../../../shared/domain/sid';
import { pushFactorRequest } from '../../support/factors';
import { newIdentity, signFactorSid } from '../../support/fixtures';
import { memoryDeps, type MemoryDeps } from '../../support/memory';
import {
  backend as backendOf,
  failure,
  newService,
  pushFactor,
  totpFactor,
} from '../../support/memory/fixtures';
import { DomainError } from '../../../shared/domain/errors';
import { createService } from '../../../shared/domain/service';

const accountSid = `AC${'1'.repeat(32)}`;
const now = new Date('2026-12-01T10:00:00Z');
const service = createService(accountSid, { friendlyName: 'Bank' }, now);
const identity = 'user-0001-alice';
const request = {
  serviceSid: service.sid,
  identity,
  friendlyName: 'Alice',
  factorType: 'totp' as const,
  config: {},
};

/** Stores whose factor creation answers the given outcomes in turn. */
function deps(outcomes: Awaited<ReturnType<FactorStore['create']>>[]) {
  const entity = newEntity(accountSid, service.sid, identity, now);
  const create = vi.fn(async () => outcomes.shift()!);
  const getEntity = vi.fn(async () => entity);
  return {
    create,
    getEntity,
    deps: {
      now: () => now,
      services: { get: async () => service } as unknown as ServiceStore,
      entities: { get: getEntity } as unknown as EntityStore,
      factors: { create } as unknown as FactorStore,
      sealer: { seal: async (secret: string) => `sealed:${secret}` } as unknown as SecretSealer,
    },
  };
}

const backend = { kind: 'account' as const, accountSid };

describe('createFactor', () => {
  it('reads the entity again and retries once when a concurrent request changed it', async () => {
    const { deps: d, create, getEntity } = deps(['entity-changed', 'created']);
    const { factor } = await createFactor(d, backend, request);
    expect(factor.identity).toBe(identity);
    expect(create).toHaveBeenCalledTimes(2);
    // The first attempt had no entity (a new one); the retry uses the one read again.
    expect(getEntity).toHaveBeenCalledTimes(2);
    expect(create.mock.calls[1]).toMatchObject([expect.anything(), expect.anything(), false, undefined]);
  });

  it('gives up with a 409 when the entity keeps changing', async () => {
    const { deps: d, create } = deps(['entity-changed', 'entity-changed', 'created']);
    const error = await createFactor(d, backend, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('lets an enrollment token create only a push factor of its own entity', async () => {
    const { deps: d, create } = deps(['created']);
    const enrollment = {
      kind: 'enrollment' as const,
      accountSid,
      serviceSid: service.sid,
      identity,
      factorFriendlyName: null,
      tokenSid: `YK${'2'.repeat(32)}`,
    };
    await expect(createFactor(d, enrollment, request)).rejects.toMatchObject({
      kind: 'invalid-parameter',
      detail: { parameter: 'FactorType' },
    });
    await expect(
      createFactor(d, enrollment, { ...request, identity: 'user-0002-bob' }),
    ).rejects.toMatchObject({
      kind: 'not-found',
    });
    expect(create).not.toHaveBeenCalled();
  });
});

describe('factors on the in-memory stores', () => {
  const at = new Date('2026-12-01T10:00:00Z');

  it('creates a TOTP factor with its entity, the secret sealed and bound to the factor', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps, { totpIssuer: 'Owl', totpCodeLength: 8 });
    const identity = newIdentity();
    const { factor, binding } = await createFactor(deps, backendOf(service.accountSid), {
      serviceSid: service.sid,
      identity,
      friendlyName: 'Alice Phone',
      factorType: 'totp',
      secret: 'JBSWY3DPEHPK3PXP',
      config: { timeStep: 60 },
      metadata: { os: 'iOS' },
    });
    expect(factor).toMatchObject({
      factorType: 'totp',
      status: 'unverified',
      config: { alg: 'sha1', timeStep: 60, codeLength: 8, skew: 1 },
      metadata: { os: 'iOS' },
      lastAcceptedStep: null,
      failedAttempts: 0,
    });
    expect(binding).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      uri: 'otpauth://totp/Owl:Alice%20Phone?secret=JBSWY3DPEHPK3PXP&issuer=Owl&algorithm=SHA1&digits=8&period=60',
    });
    const stored = (await deps.factors.get(
      service.accountSid,
      service.sid,
      identity,
      factor.sid,
    )) as TotpFactor;
    expect(stored).toEqual(factor);
    expect(JSON.stringify(stored)).not.toContain('JBSWY3DPEHPK3PXP');
    expect(await deps.sealer.open(stored.sealedSecret, factor.sid)).toBe('JBSWY3DPEHPK3PXP');
    const entity = await deps.entities.get(service.accountSid, service.sid, identity);
    expect(entity?.sid).toBe(factor.entitySid);
    // Without a secret of its own, one is made: 32 Base32 characters.
    const second = await createFactor(deps, backendOf(service.accountSid), {
      serviceSid: service.sid,
      identity,
      friendlyName: 'Second',
      factorType: 'totp',
      config: {},
    });
    expect(second.binding.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(second.factor.entitySid).toBe(factor.entitySid);
    expect(second.factor).toMatchObject({ config: { codeLength: 8, timeStep: 30 } });
  });

  it('creates a push factor with an enrollment token once, and answers 401 when it was spent', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    const identity = newIdentity();
    const { accessToken } = await createAccessToken(deps, {
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity,
      factorFriendlyName: null,
      ttl: 60,
    });
    const enrollment: Principal = {
      kind: 'enrollment',
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity,
      factorFriendlyName: null,
      tokenSid: accessToken.sid,
    };
    const request = pushFactorRequest(service.sid, identity);
    const { factor, binding } = await createFactor(deps, enrollment, request);
    expect(binding).toEqual({ alg: 'ES256', public_key: (request as { publicKey: string }).publicKey });
    expect(await deps.accessTokens.get(accessToken.sid)).toMatchObject({ used: true });
    expect(await deps.factors.getDeviceKey((factor as PushFactor).config.credentialSid)).toMatchObject({
      factorSid: factor.sid,
    });
    expect(
      await failure(createFactor(deps, enrollment, pushFactorRequest(service.sid, identity))),
    ).toMatchObject({
      kind: 'unauthenticated',
      code: 20003,
    });
    // A device may not create factors.
    const device: Principal = {
      kind: 'device',
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity,
      factorSid: factor.sid,
    };
    expect(await failure(createFactor(deps, device, request))).toMatchObject({ code: 20404 });
  });

  it('answers 404 for a service not there, before or at the write, and 409 for an entity being deleted', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    const backend = backendOf(service.accountSid);
    const identity = newIdentity();
    expect(
      await failure(createFactor(deps, backend, pushFactorRequest(newSid(SidPrefix.service), identity))),
    ).toMatchObject({ code: 20404 });
    await createFactor(deps, backend, pushFactorRequest(service.sid, identity));
    deps.before('factors.create', () =>
      deps.entities.markDeleting(service.accountSid, service.sid, identity, at),
    );
    expect(
      await failure(createFactor(deps, backend, pushFactorRequest(service.sid, identity))),
    ).toMatchObject({
      kind: 'conflict',
      message: `Entity ${identity} is being deleted; try again`,
    });
    deps.before('factors.create', () => deps.services.markDeleting(service.accountSid, service.sid, at));
    expect(
      await failure(createFactor(deps, backend, pushFactorRequest(service.sid, newIdentity()))),
    ).toMatchObject({
      code: 20404,
    });
  });

  it('answers 60315 for a 21st push factor', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    const identity = newIdentity();
    const backend = backendOf(service.accountSid);
    for (let i = 0; i < 20; i++) await createFactor(deps, backend, pushFactorRequest(service.sid, identity));
    expect(
      await failure(createFactor(deps, backend, pushFactorRequest(service.sid, identity))),
    ).toMatchObject({
      code: 60315,
      message: 'Reached max limit of 20 push Factors associated per Entity',
    });
  });

  it('joins the entity a concurrent request created between the read and the write', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    const identity = newIdentity();
    let concurrent: Entity | undefined;
    deps.before('factors.create', async () => {
      concurrent = await createEntity(deps, service.accountSid, service.sid, identity);
    });
    const { factor } = await createFactor(
      deps,
      backendOf(service.accountSid),
      pushFactorRequest(service.sid, identity),
    );
    expect(factor.entitySid).toBe(concurrent!.sid);
    expect(
      (await deps.factors.list(service.accountSid, service.sid, identity, { pageSize: 5 })).items,
    ).toEqual([factor]);
  });

  it('reads, lists and deletes factors within the principal’s reach', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await pushFactor(deps, { verified: false });
    const key = {
      accountSid: factor.accountSid,
      serviceSid: factor.serviceSid,
      identity: factor.identity,
      sid: factor.sid,
    };
    const owner = backendOf(factor.accountSid);
    const device: Principal = { kind: 'device', ...key, factorSid: factor.sid };
    const otherDevice: Principal = { ...device, factorSid: newSid(SidPrefix.factor) };
    expect(await getFactor(deps, device, key)).toEqual(factor);
    expect(await failure(getFactor(deps, otherDevice, key))).toMatchObject({ code: 20404 });
    expect(await failure(getFactor(deps, owner, { ...key, sid: newSid(SidPrefix.factor) }))).toMatchObject({
      code: 20404,
    });
    expect((await listFactors(deps, key, { pageSize: 5 })).items).toEqual([factor]);
    expect(
      await failure(listFactors(deps, { ...key, identity: newIdentity() }, { pageSize: 5 })),
    ).toMatchObject({
      code: 20404,
    });
    expect(await failure(deleteFactor(deps, otherDevice, key))).toMatchObject({ code: 20404 });
    deps.before('factors.delete', () => deps.factors.delete(factor));
    expect(await failure(deleteFactor(deps, owner, key))).toMatchObject({ code: 20404 });
    const { factor: second } = await pushFactor(deps, { verified: false });
    const secondKey = {
      ...key,
      serviceSid: second.serviceSid,
      identity: second.identity,
      accountSid: second.accountSid,
      sid: second.sid,
    };
    await deleteFactor(deps, backendOf(second.accountSid), secondKey);
    expect(
      await deps.factors.get(second.accountSid, second.serviceSid, second.identity, second.sid),
    ).toBeUndefined();
    expect(await deps.factors.getDeviceKey(second.config.credentialSid)).toBeUndefined();
  });
});

describe('verifyFactor and updateFactor on the in-memory stores', () => {
  const at = new Date('2026-12-01T10:00:00Z');
  const keyOf = (factor: Factor) => ({
    accountSid: factor.accountSid,
    serviceSid: factor.serviceSid,
    identity: factor.identity,
    sid: factor.sid,
  });
  const stored = (deps: MemoryDeps, factor: Factor) =>
    deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);

  it('verifies a TOTP factor with a current code, moving its replay guard, and refuses the code again', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt, step } = await totpFactor(deps, { verified: false });
    deps.setNow(new Date(at.getTime() + 1_000));
    const verified = await verifyFactor(deps, factor, codeAt(1));
    expect(verified).toEqual({
      ...factor,
      status: 'verified',
      lastAcceptedStep: step() + 1,
      dateUpdated: '2026-12-01T10:00:01Z',
    });
    expect(await stored(deps, factor)).toEqual(verified);
    // The same code again is a replay: a failure, 60311 on a verified factor, and counted.
    expect(await failure(verifyFactor(deps, verified, codeAt(1)))).toMatchObject({ code: 60311 });
    expect(await stored(deps, factor)).toMatchObject({ failedAttempts: 1, lastAcceptedStep: step() + 1 });
  });

  it('keeps an unverified factor unverified on a wrong payload, counting it, and rejects a malformed one', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await pushFactor(deps, { verified: false });
    const after = await verifyFactor(deps, factor, Buffer.from('not a signature').toString('base64'));
    expect(after).toEqual({ ...factor, failedAttempts: 1, lockedUntil: null });
    expect(await failure(verifyFactor(deps, after, 'not base64!'))).toMatchObject({
      kind: 'invalid-parameter',
      detail: { parameter: 'AuthPayload' },
    });
    expect(await stored(deps, factor)).toEqual(after);
  });

  it('answers 429 with the lock’s end for a locked factor, whatever the payload, and counts nothing', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt } = await totpFactor(deps);
    let current: Factor = factor;
    for (let i = 0; i < 5; i++) {
      await failure(verifyFactor(deps, current, '000000'));
      current = (await stored(deps, factor))!;
    }
    expect(current).toMatchObject({ failedAttempts: 5, lockedUntil: '2026-12-01T10:01:00.000Z' });
    const locked = await failure(verifyFactor(deps, current, codeAt(1)));
    expect(locked).toMatchObject({ code: 60310, detail: { retryAt: new Date('2026-12-01T10:01:00Z') } });
    expect(await stored(deps, factor)).toEqual(current);
  });

  it('decides again on the factor as a concurrent request left it', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, codeAt } = await totpFactor(deps);
    // Four failures land between this request's read and its write: its own failure is then the fifth.
    deps.before('factors.recordFailure', async () => {
      let current = (await stored(deps, factor))!;
      for (let i = 0; i < 4; i++)
        current = (await deps.factors.recordFailure(current, afterFailure(current, at))) as Factor;
    });
    expect(await failure(verifyFactor(deps, factor, '000000'))).toMatchObject({ code: 60311 });
    expect(await stored(deps, factor)).toMatchObject({
      failedAttempts: 5,
      lockedUntil: '2026-12-01T10:01:00.000Z',
    });
    // A success decided on a stale read meets the lock when decided again.
    expect(await failure(verifyFactor(deps, factor, codeAt(1)))).toMatchObject({ code: 60310 });
  });

  it('answers 404 when the factor went while the attempt was decided again, 409 when it keeps changing', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await totpFactor(deps);
    deps.before('factors.recordFailure', () => deps.factors.delete(factor));
    expect(await failure(verifyFactor(deps, factor, '000000'))).toMatchObject({ code: 20404 });

    const { factor: other } = await totpFactor(deps);
    const get = vi.spyOn(deps.factors, 'get');
    deps.answer('factors.recordFailure', 'factor-changed', 8);
    expect(await failure(verifyFactor(deps, other, '000000'))).toMatchObject({
      kind: 'conflict',
      message: 'The factor changed while the attempt was being recorded; try again',
    });
    expect(get).toHaveBeenCalledTimes(7);
    expect(await stored(deps, other)).toEqual(other);
  });

  it('saves settings after a verification, and not when the verification is refused', async () => {
    const deps = memoryDeps({ now: at });
    const { factor, device } = await pushFactor(deps, { verified: false });
    const owner = backendOf(factor.accountSid);
    deps.setNow(new Date('2026-12-01T10:05:00Z'));
    const renamed = await updateFactor(deps, owner, keyOf(factor), {
      changes: () => ({ friendlyName: 'Renamed', push: { notificationToken: 'tok' } }),
      authPayload: signFactorSid(device.privateKey, factor.sid),
    });
    expect(renamed).toMatchObject({
      status: 'verified',
      friendlyName: 'Renamed',
      config: { notificationToken: 'tok' },
      dateUpdated: '2026-12-01T10:05:00Z',
    });
    expect(await stored(deps, factor)).toEqual(renamed);
    const refused = await failure(
      updateFactor(deps, owner, keyOf(factor), {
        changes: () => ({ friendlyName: 'Not saved' }),
        authPayload: Buffer.from('wrong').toString('base64'),
      }),
    );
    expect(refused).toMatchObject({ code: 60311 });
    expect(await stored(deps, factor)).toMatchObject({ friendlyName: 'Renamed', failedAttempts: 1 });
  });

  it('saves only real changes, and answers 404 when the factor went before they were saved', async () => {
    const deps = memoryDeps({ now: at });
    const { factor } = await totpFactor(deps);
    const owner = backendOf(factor.accountSid);
    const save = vi.spyOn(deps.factors, 'saveSettings');
    const unchanged = async (changes: FactorChanges) => {
      expect(await updateFactor(deps, owner, keyOf(factor), { changes: () => changes })).toEqual(factor);
    };
    await unchanged({});
    await unchanged({ totp: {}, push: {} });
    expect(save).not.toHaveBeenCalled();
    const longer = await updateFactor(deps, owner, keyOf(factor), { changes: () => ({ totp: { skew: 2 } }) });
    expect(longer.config).toMatchObject({ skew: 2 });
    // Push settings on a TOTP factor are a change the domain ignores, but a change to save.
    await updateFactor(deps, owner, keyOf(factor), { changes: () => ({ push: { appId: 'x' } }) });
    expect(save).toHaveBeenCalledTimes(2);
    expect(await stored(deps, factor)).toEqual(longer);
    deps.before('factors.saveSettings', () => deps.factors.delete(factor));
    expect(
      await failure(updateFactor(deps, owner, keyOf(factor), { changes: () => ({ friendlyName: 'Gone' }) })),
    ).toMatchObject({ code: 20404 });
  });
});
