// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

describe('Entities through twilio-node', () => {
  it('creates, fetches, lists and deletes entities', async () => {
    const { client } = await twilioFor(server.url);
    const serviceSid = (await client.verify.v2.services.create({ friendlyName: 'App' })).sid;
    const service = client.verify.v2.services(serviceSid);
    const created = await service.entities.create({ identity: 'ff483d1ff591898a9942916050d2ca3f' });
    expect(created).toMatchObject({
      identity: 'ff483d1ff591898a9942916050d2ca3f',
      serviceSid,
      url: `${server.url}/v2/Services/${serviceSid}/Entities/ff483d1ff591898a9942916050d2ca3f`,
      links: {
        factors: `${created.url}/Factors`,
        new_factors: `${created.url}/Factors`,
        challenges: `${created.url}/Challenges`,
      },
    });
    expect(created.sid).toMatch(/^YE[0-9a-f]{32}$/);
    expect((await service.entities(created.identity).fetch()).sid).toBe(created.sid);
    await service.entities.create({ identity: 'second-user-0002' });
    expect((await service.entities.list({ pageSize: 1 })).map((e) => e.identity).sort()).toEqual([
      'ff483d1ff591898a9942916050d2ca3f',
      'second-user-0002',
    ]);
    expect(await failureOf(service.entities.create({ identity: 'second-user-0002' }))).toMatchObject({
      status: 409,
    });
    expect(await service.entities(created.identity).remove()).toBe(true);
    expect(await failureOf(service.entities(created.identity).fetch())).toMatchObject({
      status: 404,
      code: 20404,
    });
    expect(await failureOf(service.entities(created.identity).remove())).toMatchObject({ status: 404 });
  });

  it('refuses identities outside 8–64 dash-separated alphanumerics, in the body and in the path', async () => {
    const { client, account } = await twilioFor(server.url);
    const serviceSid = (await client.verify.v2.services.create({ friendlyName: 'App' })).sid;
    const service = client.verify.v2.services(serviceSid);
    for (const identity of [
      'short',
      'x'.repeat(65),
      'has space in it',
      'trailing-dash-',
      'a--double-dash',
      'dot.dot.dot',
    ]) {
      const failure = await failureOf(service.entities.create({ identity }));
      expect(failure, identity).toMatchObject({ status: 400, code: 60200 });
      expect(failure.message).toContain('Invalid parameter Identity');
    }
    const badPath = await rawRequest(`${server.url}/v2/Services/${serviceSid}/Entities/bad.identity`, {
      auth: account,
    });
    expect(badPath.body).toMatchObject({ status: 400, message: expect.stringContaining('Identity') });
    expect(await service.entities.list()).toEqual([]);
  });

  it('answers 404 for an entity of a service that does not exist', async () => {
    const { client } = await twilioFor(server.url);
    const ghost = client.verify.v2.services(`VA${'0'.repeat(32)}`);
    expect(await failureOf(ghost.entities.create({ identity: 'user-00000001' }))).toMatchObject({
      status: 404,
    });
    expect(await failureOf(ghost.entities.list())).toMatchObject({ status: 404 });
  });
});
