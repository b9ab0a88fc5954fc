// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WEBHOOKS_PER_SERVICE } from '../../shared/domain/webhook';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
let httpsOnly: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer({ webhookAllowHttp: true });
  httpsOnly = await startTestServer({ webhookAllowHttp: false });
});
afterAll(async () => {
  await server.close();
  await httpsOnly.close();
});

async function service(url = server.url) {
  const { client, account } = await twilioFor(url);
  const created = await client.verify.v2.services.create({ friendlyName: 'Hooks' });
  return { client, account, service: client.verify.v2.services(created.sid), serviceSid: created.sid };
}

describe('Webhooks through twilio-node', () => {
  it('creates, fetches, lists, updates and deletes with the spec shape', async () => {
    const { account, service: svc, serviceSid } = await service();
    const created = await svc.webhooks.create({
      friendlyName: 'Backend',
      eventTypes: ['factor.verified', 'challenge.approved'],
      webhookUrl: 'http://127.0.0.1:9/hooks?x=1',
    });
    expect(created.sid).toMatch(/^YW[0-9a-f]{32}$/);
    expect(created.toJSON()).toMatchObject({
      accountSid: account.sid,
      serviceSid,
      friendlyName: 'Backend',
      eventTypes: ['factor.verified', 'challenge.approved'],
      status: 'enabled',
      version: 'v2',
      webhookUrl: 'http://127.0.0.1:9/hooks?x=1',
      webhookMethod: 'POST',
      url: `${server.url}/v2/Services/${serviceSid}/Webhooks/${created.sid}`,
    });
    expect(created.dateCreated).toBeInstanceOf(Date);

    const second = await svc.webhooks.create({
      friendlyName: 'All',
      eventTypes: ['*'],
      webhookUrl: 'https://example.com/all',
      status: 'disabled',
      versionParam: 'v1',
    });
    expect(second).toMatchObject({ status: 'disabled', version: 'v1', eventTypes: ['*'] });

    expect((await svc.webhooks(created.sid).fetch()).toJSON()).toEqual(created.toJSON());
    expect((await svc.webhooks.list()).map((w) => w.sid)).toEqual([created.sid, second.sid]);
    const page = await svc.webhooks.page({ pageSize: 1 });
    expect(page.instances.map((w) => w.sid)).toEqual([created.sid]);
    expect((await page.nextPage())!.instances.map((w) => w.sid)).toEqual([second.sid]);

    const updated = await svc.webhooks(second.sid).update({
      status: 'enabled',
      eventTypes: ['factor.deleted'],
      webhookUrl: 'https://example.com/other',
      versionParam: 'v2',
    });
    expect(updated).toMatchObject({
      status: 'enabled',
      eventTypes: ['factor.deleted'],
      webhookUrl: 'https://example.com/other',
      version: 'v2',
      friendlyName: 'All',
    });

    expect(await svc.webhooks(created.sid).remove()).toBe(true);
    expect(await failureOf(svc.webhooks(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await failureOf(svc.webhooks(created.sid).remove())).toMatchObject({ status: 404 });
    expect((await svc.webhooks.list()).map((w) => w.sid)).toEqual([second.sid]);
  });

  it('refuses bad parameters with a 400 naming them, and writes nothing', async () => {
    const { service: svc } = await service();
    const base = { friendlyName: 'x', eventTypes: ['*'], webhookUrl: 'https://example.com/h' };
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ ...base, eventTypes: ['factor.updated'] }, 60200, /EventTypes.*"factor\.updated"/],
      [{ ...base, eventTypes: ['*', 'challenge.expired'] }, 60200, /EventTypes.*challenge\.expired/],
      [{ ...base, webhookUrl: 'not a url' }, 60200, /WebhookUrl/],
      [{ ...base, webhookUrl: 'ftp://example.com/h' }, 60200, /WebhookUrl/],
      [{ ...base, webhookUrl: `https://example.com/${'a'.repeat(2100)}` }, 60200, /WebhookUrl/],
      [{ ...base, webhookUrl: 'https://user:pw@example.com/h' }, 60200, /WebhookUrl/],
      [{ ...base, status: 'paused' }, 60200, /Status/],
      [{ ...base, versionParam: 'v3' }, 60200, /Version/],
    ];
    for (const [params, code, message] of cases) {
      const failure = await failureOf(svc.webhooks.create(params as never));
      expect(failure, JSON.stringify(params)).toMatchObject({ status: 400, code });
      expect(failure.message).toMatch(message);
    }
    // twilio-node refuses to send a request without a required parameter; a raw request does.
    const { account, serviceSid } = await service();
    const body = { FriendlyName: 'x', EventTypes: '*', WebhookUrl: 'https://example.com/h' };
    for (const missing of Object.keys(body)) {
      const form = new URLSearchParams(Object.entries(body).filter(([name]) => name !== missing));
      const response = await rawRequest(`${server.url}/v2/Services/${serviceSid}/Webhooks`, {
        method: 'POST',
        auth: account,
        body: form.toString(),
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 20001 });
      expect(String(response.body?.message)).toContain(missing);
    }
    expect(await svc.webhooks.list()).toEqual([]);
  });

  it('takes https only unless http is allowed', async () => {
    const { service: svc } = await service(httpsOnly.url);
    const failure = await failureOf(
      svc.webhooks.create({ friendlyName: 'x', eventTypes: ['*'], webhookUrl: 'http://example.com/h' }),
    );
    expect(failure).toMatchObject({ status: 400, code: 60200 });
    expect(failure.message).toMatch(/WebhookUrl: must be an https URL/);
  });

  it(`holds at most ${MAX_WEBHOOKS_PER_SERVICE} webhooks per service, under concurrent creations`, async () => {
    const { service: svc } = await service();
    const results = await Promise.allSettled(
      Array.from({ length: MAX_WEBHOOKS_PER_SERVICE + 4 }, (_, i) =>
        svc.webhooks.create({
          friendlyName: `w${i}`,
          eventTypes: ['*'],
          webhookUrl: 'https://example.com/h',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_WEBHOOKS_PER_SERVICE);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 400, code: 60200 });
    const listed = await svc.webhooks.list();
    expect(listed).toHaveLength(MAX_WEBHOOKS_PER_SERVICE);
    await svc.webhooks(listed[0]!.sid).remove();
    await svc.webhooks.create({
      friendlyName: 'again',
      eventTypes: ['*'],
      webhookUrl: 'https://example.com/h',
    });
  });

  it('answers 404 for another account, an unknown service, and a deleted service', async () => {
    const { client, service: svc, serviceSid } = await service();
    const hook = await svc.webhooks.create({
      friendlyName: 'x',
      eventTypes: ['*'],
      webhookUrl: 'https://example.com/h',
    });
    const other = await twilioFor(server.url);
    const theirs = other.client.verify.v2.services(serviceSid);
    expect(await failureOf(theirs.webhooks(hook.sid).fetch())).toMatchObject({ status: 404 });
    expect(await failureOf(theirs.webhooks.list())).toMatchObject({ status: 404 });
    expect(
      await failureOf(
        theirs.webhooks.create({ friendlyName: 'x', eventTypes: ['*'], webhookUrl: 'https://e.com/' }),
      ),
    ).toMatchObject({ status: 404 });
    await client.verify.v2.services(serviceSid).remove();
    expect(await failureOf(svc.webhooks(hook.sid).fetch())).toMatchObject({ status: 404 });
    expect(
      await failureOf(
        svc.webhooks.create({ friendlyName: 'x', eventTypes: ['*'], webhookUrl: 'https://e.com/' }),
      ),
    ).toMatchObject({ status: 404 });
  });

  it('refuses a malformed webhook SID naming it', async () => {
    const { account, serviceSid } = await service();
    const response = await rawRequest(`${server.url}/v2/Services/${serviceSid}/Webhooks/YWnope`, {
      auth: account,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 60200 });
    expect(String(response.body?.message)).toMatch(/Sid/);
  });
});
