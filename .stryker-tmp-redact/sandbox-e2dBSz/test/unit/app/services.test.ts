// @ts-nocheck
import { describe, expect, it, vi } from 'vitest';
import { createAccessToken, getAccessToken } from '../../../shared/app/access-tokens';
import { createEntity, deleteEntity, getEntity, listEntities } from '../../../shared/app/entities';
import { createFactor } from '../../../shared/app/factors';
import {
  createService,
  DELETE_BUDGET_MS,
  deleteService,
  getService,
  listServices,
  updateService,
} from '../../../shared/app/services';
import { hashSecret } from '../../../shared/domain/credentials';
import { newSid, SidPrefix } from '../../../shared/domain/sid';
import { pushFactorRequest } from '../../support/factors';
import { newIdentity } from '../../support/fixtures';
import { memoryDeps } from '../../support/memory';
import { backend, failure, newService } from '../../support/memory/fixtures';

const now = new Date('2026-12-01T10:00:00Z');
const accountSid = newSid(SidPrefix.account);

describe('services', () => {
  it('creates a service with the clock’s dates and reads it back', async () => {
    const deps = memoryDeps({ now });
    const service = await createService(deps, accountSid, { friendlyName: 'Bank', totpSkew: 2 });
    expect(service).toMatchObject({ accountSid, friendlyName: 'Bank', dateCreated: '2026-12-01T10:00:00Z' });
    expect(service.totp.skew).toBe(2);
    expect(await getService(deps, accountSid, service.sid)).toEqual(service);
    expect((await listServices(deps, accountSid, { pageSize: 10 })).items).toEqual([service]);
    expect(await failure(getService(deps, newSid(SidPrefix.account), service.sid))).toMatchObject({
      code: 20404,
    });
  });

  it('updates a live service, and answers 404 when it went or was marked meanwhile', async () => {
    const deps = memoryDeps({ now });
    const service = await createService(deps, accountSid, { friendlyName: 'Bank' });
    deps.setNow(new Date('2026-12-01T11:00:00Z'));
    const updated = await updateService(deps, accountSid, service.sid, { friendlyName: 'New' });
    expect(updated).toMatchObject({ friendlyName: 'New', dateUpdated: '2026-12-01T11:00:00Z' });
    expect(await getService(deps, accountSid, service.sid)).toEqual(updated);

    deps.before('services.update', () => deps.services.markDeleting(accountSid, service.sid, now));
    expect(
      await failure(updateService(deps, accountSid, service.sid, { friendlyName: 'Lost' })),
    ).toMatchObject({
      status: 404,
    });
    expect(await failure(updateService(deps, accountSid, service.sid, {}))).toMatchObject({ status: 404 });
  });

  it('deletes a service with everything below it, within the budget, and 404 after', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const { factor } = await createFactor(
      deps,
      backend(service.accountSid),
      pushFactorRequest(service.sid, newIdentity()),
    );
    const purge = vi.spyOn(deps.services, 'purge');
    const continueLater = vi.spyOn(deps.services, 'continueLater');
    const before = Date.now();
    await deleteService(deps, service.accountSid, service.sid);
    const work = purge.mock.calls[0]![2];
    expect(work.from).toBe('first');
    expect(work.deadline).toBeGreaterThanOrEqual(before + DELETE_BUDGET_MS);
    expect(work.deadline).toBeLessThanOrEqual(Date.now() + DELETE_BUDGET_MS);
    expect(DELETE_BUDGET_MS).toBe(3_000);
    expect(continueLater).not.toHaveBeenCalled();
    expect(deps.table.items()).toEqual([]);
    expect(await failure(deleteService(deps, service.accountSid, service.sid))).toMatchObject({
      status: 404,
    });
    expect(
      await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid),
    ).toBeUndefined();
  });

  it('leaves what is left to the deleter the mark started, and hands it over again on a retried DELETE', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    await createEntity(deps, service.accountSid, service.sid, newIdentity());
    const continueLater = vi.spyOn(deps.services, 'continueLater');
    // No time: the first DELETE marks it and does one pass; the mark's stream record starts the deleter.
    await deleteService(deps, service.accountSid, service.sid, 0);
    expect(continueLater).not.toHaveBeenCalled();
    expect(await getService(deps, service.accountSid, service.sid).catch(() => 'gone')).toBe('gone');
    expect(deps.table.items().length).toBeGreaterThan(0);
    // A retry finds it marked already: with work still left it hands over again.
    deps.answer('services.purge', 'more');
    await deleteService(deps, service.accountSid, service.sid, 0);
    expect(continueLater).toHaveBeenCalledWith(service.accountSid, service.sid);
    expect(deps.table.items().find((item) => item.type === 'service')).toMatchObject({ deletionRound: 1 });
    // One that finishes hands nothing over.
    await deleteService(deps, service.accountSid, service.sid);
    expect(continueLater).toHaveBeenCalledTimes(1);
    expect(deps.table.items()).toEqual([]);
  });
});

describe('entities', () => {
  it('creates an entity once, only under a live service', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const identity = newIdentity();
    const entity = await createEntity(deps, service.accountSid, service.sid, identity);
    expect(entity).toMatchObject({ accountSid: service.accountSid, serviceSid: service.sid, identity });
    expect(await getEntity(deps, service.accountSid, service.sid, identity)).toEqual(entity);
    expect(await failure(createEntity(deps, service.accountSid, service.sid, identity))).toMatchObject({
      kind: 'conflict',
      message: `Entity ${identity} already exists`,
    });
    expect(
      await failure(createEntity(deps, service.accountSid, newSid(SidPrefix.service), newIdentity())),
    ).toMatchObject({ kind: 'not-found' });
    expect(await failure(getEntity(deps, service.accountSid, service.sid, newIdentity()))).toMatchObject({
      kind: 'not-found',
    });
  });

  it('lists a live service’s entities, and 404 for a service that is not there', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const entity = await createEntity(deps, service.accountSid, service.sid, newIdentity());
    expect((await listEntities(deps, service.accountSid, service.sid, { pageSize: 5 })).items).toEqual([
      entity,
    ]);
    await deps.services.markDeleting(service.accountSid, service.sid, now);
    expect(await failure(listEntities(deps, service.accountSid, service.sid, { pageSize: 5 }))).toMatchObject(
      {
        kind: 'not-found',
      },
    );
  });

  it('deletes an entity with its factors, hands unfinished work over on a retry, and 404 after', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const identity = newIdentity();
    await createFactor(deps, backend(service.accountSid), pushFactorRequest(service.sid, identity));
    const continueLater = vi.spyOn(deps.entities, 'continueLater');
    const purge = vi.spyOn(deps.entities, 'purge');
    await deleteEntity(deps, service.accountSid, service.sid, identity, 0);
    expect(continueLater).not.toHaveBeenCalled();
    expect(await failure(getEntity(deps, service.accountSid, service.sid, identity))).toMatchObject({
      kind: 'not-found',
    });
    deps.answer('entities.purge', 'more');
    await deleteEntity(deps, service.accountSid, service.sid, identity, 0);
    expect(continueLater).toHaveBeenCalledWith(service.accountSid, service.sid, identity);
    const before = Date.now();
    await deleteEntity(deps, service.accountSid, service.sid, identity);
    expect(purge.mock.calls.at(-1)![3].deadline).toBeGreaterThanOrEqual(before + DELETE_BUDGET_MS);
    expect(purge.mock.calls.at(-1)![3].from).toBe('first');
    expect(continueLater).toHaveBeenCalledTimes(1);
    expect(deps.table.items().map((item) => item.type)).toEqual(['service']);
    expect(await failure(deleteEntity(deps, service.accountSid, service.sid, identity))).toMatchObject({
      kind: 'not-found',
    });
  });
});

describe('access tokens', () => {
  it('creates an enrollment token of a live service, stored only as a hash', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const input = {
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity: newIdentity(),
      factorFriendlyName: 'Pixel',
      ttl: 120,
    };
    const { accessToken, token } = await createAccessToken(deps, input);
    expect(accessToken).toMatchObject({ ...input, used: false, tokenHash: hashSecret(token) });
    expect(await deps.accessTokens.get(accessToken.sid)).toEqual(accessToken);
    expect(JSON.stringify(deps.table.items())).not.toContain(token);
    expect(await getAccessToken(deps, service.accountSid, service.sid, accessToken.sid)).toEqual(accessToken);
    expect(
      await failure(createAccessToken(deps, { ...input, serviceSid: newSid(SidPrefix.service) })),
    ).toMatchObject({
      kind: 'not-found',
    });
  });

  it('shows a token only under its own account and live service', async () => {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const other = await newService(deps);
    const { accessToken } = await createAccessToken(deps, {
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity: newIdentity(),
      factorFriendlyName: null,
      ttl: 60,
    });
    const get = (accountSid: string, serviceSid: string, sid = accessToken.sid) =>
      failure(getAccessToken(deps, accountSid, serviceSid, sid)).then((f) => f.code);
    expect(await get(service.accountSid, service.sid, newSid(SidPrefix.accessToken))).toBe(20404);
    expect(await get(other.accountSid, service.sid)).toBe(20404);
    // A service of the same account, but not the token's.
    const sibling = { ...other, accountSid: service.accountSid, sid: newSid(SidPrefix.service) };
    await deps.services.create(sibling);
    expect(await get(service.accountSid, sibling.sid)).toBe(20404);
    await deps.services.markDeleting(service.accountSid, service.sid, now);
    expect(await get(service.accountSid, service.sid)).toBe(20404);
  });
});
