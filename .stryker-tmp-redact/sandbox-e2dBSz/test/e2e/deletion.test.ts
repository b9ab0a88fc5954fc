// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb';
import { Keys } from '../../shared/store/keys';
import { failBatchWrites, leftovers, markDirectly, populate, rawItem } from '../support/deletion';
import { backendWithDevice } from '../support/push';
import { failureOf, rawRequest, startTestServer } from '../support/server';

/**
 * Deletions through twilio-node, with a device: what a backend and a device see while a deletion is cut off
 * half way and after it is retried. Credentials are not remembered (the cache is 5 s by default), so each
 * request shows the state of the table. Every DynamoDB call of the server goes through its own document
 * client, where a middleware cuts deletions off.
 */
let server: Awaited<ReturnType<typeof startTestServer>>;
let cutOff: ReturnType<typeof failBatchWrites>;
beforeAll(async () => {
  // A table of this file's own, so that the scans for leftovers stay small.
  process.env.TABLE_NAME = `verify-deletion-e2e-${process.pid}`;
  await ensureTable(process.env.DYNAMODB_ENDPOINT!, process.env.TABLE_NAME);
  // The longest request budget, so that a retry here finishes in the request (no deleter runs in this file).
  server = await startTestServer({ credentialCacheTtlMs: 0, deleteBudgetMs: 8_000 });
  cutOff = failBatchWrites(server.deps);
});
afterAll(() => server.close());

/** The device's own factor, fetched with its JWT: 200 while it authenticates. */
async function deviceReadsItsFactor(setup: Awaited<ReturnType<typeof backendWithDevice>>) {
  const { service, device, factorSid } = setup;
  const path = `/v2/Services/${service.sid}/Entities/${device.state.identity}/Factors/${factorSid}`;
  const response = await rawRequest(`${server.url}${path}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`token:${await device.deviceToken()}`).toString('base64')}`,
    },
  });
  return response.status;
}

describe('Deleting through twilio-node', () => {
  it('finishes a service deletion that was cut off: in between the service is 404 and its devices 401', async () => {
    const setup = await backendWithDevice(server.url, 'user-0001-alice');
    const { client, account, service } = setup;
    await populate(server.deps, account.sid, service.sid, 40);
    expect(await deviceReadsItsFactor(setup)).toBe(200);

    cutOff.after(10);
    expect(await failureOf(client.verify.v2.services(service.sid).remove())).toMatchObject({ status: 500 });
    cutOff.off();

    // In between: the service is gone for the backend, the device is refused, and a lot is left.
    const left = await leftovers(server.deps, service.sid);
    expect(left.length).toBeGreaterThan(100);
    expect(left.filter((item) => item.type === 'credential').length).toBeGreaterThan(10);
    expect(await failureOf(client.verify.v2.services(service.sid).fetch())).toMatchObject({ status: 404 });
    expect((await client.verify.v2.services.list()).map((s) => s.sid)).not.toContain(service.sid);
    expect(await deviceReadsItsFactor(setup)).toBe(401);

    // The retry finishes it, and a second one finds nothing.
    expect(await client.verify.v2.services(service.sid).remove()).toBe(true);
    expect(await leftovers(server.deps, service.sid)).toEqual([]);
    expect(await failureOf(client.verify.v2.services(service.sid).remove())).toMatchObject({ status: 404 });
    expect(await deviceReadsItsFactor(setup)).toBe(401);
  });

  it('finishes an entity deletion that was cut off, and the identity starts afresh afterwards', async () => {
    const setup = await backendWithDevice(server.url, 'user-0002-bob');
    const { account, service, entity, device } = setup;
    // More factors and challenges in the device's entity, so that the deletion takes several batches.
    const factors = [];
    for (let i = 0; i < 10; i++) {
      factors.push(await entity.newFactors.create({ friendlyName: `TOTP ${i}`, factorType: 'totp' }));
    }
    for (let i = 0; i < 40; i++) {
      await entity.challenges.create({ factorSid: setup.factorSid, 'details.message': `Log in ${i}?` });
    }

    cutOff.after(1);
    expect(await failureOf(entity.remove())).toMatchObject({ status: 500 });
    cutOff.off();

    const partition = (await leftovers(server.deps, service.sid)).filter(
      (item) => item.identity === device.state.identity,
    );
    expect(partition.length).toBeGreaterThan(20);
    expect(await failureOf(entity.fetch())).toMatchObject({ status: 404 });
    expect(await failureOf(entity.factors.list())).toMatchObject({ status: 404 });
    expect(await deviceReadsItsFactor(setup)).toBe(401);
    expect(
      await failureOf(entity.newFactors.create({ friendlyName: 'Too soon', factorType: 'totp' })),
    ).toMatchObject({ status: 409, message: expect.stringContaining('being deleted') });

    expect(await entity.remove()).toBe(true);
    const rest = await leftovers(server.deps, service.sid);
    expect(rest.filter((item) => item.identity === device.state.identity)).toEqual([]);
    expect(rest.map((item) => item.type)).toEqual(['service']);
    expect(await rawItem(server.deps, Keys.credential(device.state.credentialSid!))).toBeUndefined();

    // A new entity of the same identity: a new SID, nothing of the old one.
    const again = await entity.newFactors.create({ friendlyName: 'New phone', factorType: 'totp' });
    expect(again.entitySid).not.toBe(factors[0]!.entitySid);
    expect((await entity.factors.list()).map((f) => f.sid)).toEqual([again.sid]);
    expect(account.sid).toBe(again.accountSid);
  });

  it('answers 404 for a service marked deleting, takes no children, and a DELETE finishes it with 204', async () => {
    const setup = await backendWithDevice(server.url, 'user-0003-carol');
    const { client, account, service, entity } = setup;
    const { identities } = await populate(server.deps, account.sid, service.sid, 5);
    const token = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity: 'user-0004-dave', factorType: 'push' });
    // The state a DELETE leaves when it is cut off right after marking the service.
    await markDirectly(server.deps, Keys.service(account.sid, service.sid));

    const theService = client.verify.v2.services(service.sid);
    const notFound = { status: 404, code: 20404 };
    expect(await failureOf(theService.fetch())).toMatchObject(notFound);
    expect((await client.verify.v2.services.list()).map((s) => s.sid)).not.toContain(service.sid);
    expect(await failureOf(theService.update({ friendlyName: 'Renamed' }))).toMatchObject(notFound);
    expect(await failureOf(theService.entities.list())).toMatchObject(notFound);
    expect(await failureOf(theService.entities.create({ identity: 'user-0005-erin' }))).toMatchObject(
      notFound,
    );
    expect(
      await failureOf(
        theService.entities('user-0005-erin').newFactors.create({ friendlyName: 'x', factorType: 'totp' }),
      ),
    ).toMatchObject(notFound);
    expect(
      await failureOf(
        theService.entities(identities[0]!).newFactors.create({ friendlyName: 'x', factorType: 'totp' }),
      ),
    ).toMatchObject(notFound);
    expect(
      await failureOf(theService.accessTokens.create({ identity: 'user-0005-erin', factorType: 'push' })),
    ).toMatchObject(notFound);
    expect(await failureOf(theService.accessTokens(token.sid).fetch())).toMatchObject(notFound);
    expect(
      await failureOf(entity.challenges.create({ factorSid: setup.factorSid, 'details.message': 'Hi?' })),
    ).toMatchObject(notFound);
    expect(await deviceReadsItsFactor(setup)).toBe(401);

    expect(await theService.remove()).toBe(true);
    expect(await leftovers(server.deps, service.sid)).toEqual([]);
    expect(await failureOf(theService.remove())).toMatchObject(notFound);
  });
});
