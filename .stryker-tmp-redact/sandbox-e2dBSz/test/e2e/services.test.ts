// @ts-nocheck
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey } from '../../shared/domain/credentials';
import { testDeps } from '../support/deps';
import { apnTokenSecret } from '../support/push-secrets';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

describe('Services through twilio-node', () => {
  it('creates, fetches, updates and deletes a service with its Push and TOTP settings', async () => {
    const { client, account } = await twilioFor(server.url);
    client.notify.baseUrl = server.url;
    const apn = await client.notify.v1.credentials.create({ type: 'apn', secret: apnTokenSecret().secret });
    const created = await client.verify.v2.services.create({
      friendlyName: 'Owl Bank',
      'push.includeDate': true,
      'push.apnCredentialSid': apn.sid,
      'totp.issuer': 'Owl',
      'totp.timeStep': 60,
      'totp.codeLength': 8,
      'totp.skew': 2,
    });
    expect(created).toMatchObject({
      accountSid: account.sid,
      friendlyName: 'Owl Bank',
      push: { include_date: true, apn_credential_sid: apn.sid, fcm_credential_sid: null },
      totp: { issuer: 'Owl', time_step: 60, code_length: 8, skew: 2 },
      url: `${server.url}/v2/Services/${created.sid}`,
      links: { entities: `${server.url}/v2/Services/${created.sid}/Entities` },
    });
    expect(created.sid).toMatch(/^VA[0-9a-f]{32}$/);
    expect(created.dateCreated.toISOString()).toMatch(/:\d\d\.000Z$/);

    const updated = await client.verify.v2
      .services(created.sid)
      .update({ friendlyName: 'Owl', 'totp.skew': 0 });
    expect(updated.totp).toEqual({ issuer: 'Owl', time_step: 60, code_length: 8, skew: 0 });
    expect((await client.verify.v2.services(created.sid).fetch()).friendlyName).toBe('Owl');

    expect(await client.verify.v2.services(created.sid).remove()).toBe(true);
    expect(await failureOf(client.verify.v2.services(created.sid).fetch())).toMatchObject({
      status: 404,
      code: 20404,
      message: `The requested resource /v2/Services/${created.sid} was not found`,
    });
  });

  it('walks every page with list() and each(), following the paging URLs it is given', async () => {
    const { client } = await twilioFor(server.url);
    const sids: string[] = [];
    for (let i = 0; i < 7; i++)
      sids.push((await client.verify.v2.services.create({ friendlyName: `S${i}` })).sid);
    expect((await client.verify.v2.services.list({ pageSize: 3 })).map((s) => s.sid)).toEqual(sids);
    const seen: string[] = [];
    await client.verify.v2.services.each({ pageSize: 2 }, (service) => void seen.push(service.sid));
    expect(seen).toEqual(sids);
    const page = await client.verify.v2.services.page({ pageSize: 3 });
    expect(page.nextPageUrl).toMatch(new RegExp(`^${server.url}/v2/Services\\?PageSize=3&Page=1&PageToken=`));
    const next = await page.nextPage();
    expect(next!.instances.map((s) => s.sid)).toEqual(sids.slice(3, 6));
    const back = await next!.previousPage();
    expect(back!.instances.map((s) => s.sid)).toEqual(sids.slice(0, 3));
  });

  it('authenticates API keys for their account', async () => {
    const { account } = await twilioFor(server.url);
    const { apiKey, secret } = newApiKey(account.sid, 'ci', new Date());
    await testDeps().accounts.putApiKey(apiKey);
    const client = twilio(apiKey.sid, secret, { accountSid: account.sid });
    client.verify.baseUrl = server.url;
    expect((await client.verify.v2.services.create({ friendlyName: 'Keyed' })).accountSid).toBe(account.sid);
    const wrong = twilio(apiKey.sid, 'wrong-secret', { accountSid: account.sid });
    wrong.verify.baseUrl = server.url;
    expect(await failureOf(wrong.verify.v2.services.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it('shows an account nothing of another account: their service answers 404', async () => {
    const alice = await twilioFor(server.url);
    const mallory = await twilioFor(server.url);
    const service = await alice.client.verify.v2.services.create({ friendlyName: 'Private' });
    await alice.client.verify.v2.services(service.sid).entities.create({ identity: 'user-0001-alice' });
    const theirs = mallory.client.verify.v2.services(service.sid);
    expect(await failureOf(theirs.fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await failureOf(theirs.update({ friendlyName: 'pwned' }))).toMatchObject({ status: 404 });
    expect(await failureOf(theirs.remove())).toMatchObject({ status: 404 });
    expect(await failureOf(theirs.entities('user-0001-alice').fetch())).toMatchObject({ status: 404 });
    expect(await failureOf(theirs.entities.list())).toMatchObject({ status: 404 });
    expect(await mallory.client.verify.v2.services.list()).toEqual([]);
    expect((await alice.client.verify.v2.services(service.sid).fetch()).friendlyName).toBe('Private');
  });

  it('rejects bad input with a Twilio error naming the parameter, and writes nothing', async () => {
    const { client, account } = await twilioFor(server.url);
    const services = client.verify.v2.services;
    const missing = await rawRequest(`${server.url}/v2/Services`, {
      method: 'POST',
      auth: account,
      body: 'Totp.Skew=1',
    });
    expect(missing).toMatchObject({
      status: 400,
      body: {
        code: 20001,
        message: 'Missing required parameter FriendlyName in the post body',
        more_info: 'https://www.twilio.com/docs/errors/20001',
        status: 400,
      },
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ 'totp.timeStep': 10 }, 'Totp.TimeStep'],
      [{ 'totp.codeLength': 9 }, 'Totp.CodeLength'],
      [{ 'totp.skew': -1 }, 'Totp.Skew'],
      [{ 'push.apnCredentialSid': 'CR123' }, 'Push.ApnCredentialSid'],
      [{ friendlyName: 'x'.repeat(33) }, 'FriendlyName'],
    ];
    for (const [params, name] of cases) {
      const failure = await failureOf(services.create({ friendlyName: 'ok', ...params } as never));
      expect(failure).toMatchObject({ status: 400, code: 60200 });
      expect(failure.message).toContain(`Invalid parameter ${name}:`);
    }
    expect(await failureOf(services('VA123').fetch())).toMatchObject({
      status: 400,
      message: 'Invalid parameter ServiceSid: must be a VA SID',
    });
    expect(await services.list()).toEqual([]);
  });
});
