// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { deleteEntity } from '../../shared/app/entities';
import { createFactor } from '../../shared/app/factors';
import { deleteService } from '../../shared/app/services';
import { newEntity } from '../../shared/domain/entity';
import type { PushFactor } from '../../shared/domain/factor';
import { createService } from '../../shared/domain/service';
import { testDeps, twilioCode } from '../support/deps';
import { backend, pushFactorRequest } from '../support/factors';
import { createAccount, newIdentity } from '../support/fixtures';

const deps = testDeps();
const { services, entities, factors } = deps;

const pushFactor = (accountSid: string, serviceSid: string, identity: string) =>
  createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, identity));

describe('stores on DynamoDB Local', () => {
  it('pages through services forwards and backwards in creation order', async () => {
    const { sid: accountSid } = await createAccount();
    const created = [];
    for (let i = 0; i < 7; i++) {
      const service = createService(accountSid, { friendlyName: `S${i}` }, new Date(Date.now() + i));
      await services.create(service);
      created.push(service.sid);
    }
    const first = await services.list(accountSid, { pageSize: 3 });
    expect(first.items.map((s) => s.sid)).toEqual(created.slice(0, 3));
    expect(first.previous).toBeUndefined();
    const second = await services.list(accountSid, { pageSize: 3, token: first.next });
    expect(second.items.map((s) => s.sid)).toEqual(created.slice(3, 6));
    const third = await services.list(accountSid, { pageSize: 3, token: second.next });
    expect(third.items.map((s) => s.sid)).toEqual(created.slice(6));
    expect(third.next).toBeUndefined();
    const back = await services.list(accountSid, { pageSize: 3, token: third.previous });
    expect(back.items.map((s) => s.sid)).toEqual(created.slice(3, 6));
    const start = await services.list(accountSid, { pageSize: 3, token: back.previous });
    expect(start.items.map((s) => s.sid)).toEqual(created.slice(0, 3));
    expect(start.previous).toBeUndefined();
  });

  it('keeps accounts apart: keys include the account, so another account finds nothing', async () => {
    const a = await createAccount();
    const b = await createAccount();
    const service = createService(a.sid, { friendlyName: 'A' }, new Date());
    await services.create(service);
    expect(await services.get(b.sid, service.sid)).toBeUndefined();
    expect((await services.list(b.sid, { pageSize: 50 })).items).toEqual([]);
    expect(twilioCode(await deleteService(deps, b.sid, service.sid).catch((e: unknown) => e))).toBe(20404);
    expect(await services.get(a.sid, service.sid)).toBeDefined();
  });

  it('creates an entity once, and only under an existing service', async () => {
    const { sid: accountSid } = await createAccount();
    const service = createService(accountSid, { friendlyName: 'A' }, new Date());
    const entity = newEntity(accountSid, service.sid, newIdentity(), new Date());
    expect(await entities.create(entity)).toBe('no-service');
    await services.create(service);
    expect(await entities.create(entity)).toBe('created');
    expect(await entities.create({ ...entity, sid: `YE${'0'.repeat(32)}` })).toBe('exists');
    expect((await entities.get(accountSid, service.sid, entity.identity))?.sid).toBe(entity.sid);
  });

  it('deletes an entity with all its factors and device keys, and a service with all its entities', async () => {
    const { sid: accountSid } = await createAccount();
    const service = createService(accountSid, { friendlyName: 'A' }, new Date());
    await services.create(service);
    const [one, two] = [newIdentity(), newIdentity()];
    const made = [
      await pushFactor(accountSid, service.sid, one),
      await pushFactor(accountSid, service.sid, one),
    ];
    await pushFactor(accountSid, service.sid, two);

    await deleteEntity(deps, accountSid, service.sid, one);
    expect(await entities.get(accountSid, service.sid, one)).toBeUndefined();
    expect((await factors.list(accountSid, service.sid, one, { pageSize: 50 })).items).toEqual([]);
    for (const { factor } of made) {
      expect(await factors.getDeviceKey((factor as PushFactor).config.credentialSid)).toBeUndefined();
    }
    expect(twilioCode(await deleteEntity(deps, accountSid, service.sid, one).catch((e: unknown) => e))).toBe(
      20404,
    );

    await deleteService(deps, accountSid, service.sid);
    expect(await entities.get(accountSid, service.sid, two)).toBeUndefined();
    expect((await factors.list(accountSid, service.sid, two, { pageSize: 50 })).items).toEqual([]);
    expect(twilioCode(await deleteService(deps, accountSid, service.sid).catch((e: unknown) => e))).toBe(
      20404,
    );
  });
});
