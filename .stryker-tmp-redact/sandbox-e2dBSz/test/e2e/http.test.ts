// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../support/fixtures';
import { rawRequest, startTestServer, targetRequest } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const twilioError = (code: number, status: number) => ({
  code,
  status,
  message: expect.any(String),
  more_info: `https://www.twilio.com/docs/errors/${code}`,
});

describe('HTTP edges, as raw requests', () => {
  it('answers an unknown route with a JSON 404 and a wrong method with a JSON 405 and Allow', async () => {
    const unknown = await rawRequest(`${server.url}/v2/Nope`, {});
    expect(unknown).toMatchObject({ status: 404, body: twilioError(20404, 404) });
    const wrong = await rawRequest(`${server.url}/v2/Services`, { method: 'PUT' });
    expect(wrong).toMatchObject({ status: 405, body: twilioError(20004, 405) });
    expect(wrong.headers.get('allow')).toBe('POST, GET');
  });

  it('answers missing or wrong credentials with 401, code 20003 and WWW-Authenticate', async () => {
    const account = await createAccount();
    for (const auth of [
      undefined,
      { ...account, authToken: 'wrong' },
      { sid: 'AC' + '0'.repeat(32), authToken: 'x' },
    ]) {
      const response = await rawRequest(`${server.url}/v2/Services`, { auth });
      expect(response).toMatchObject({ status: 401, body: twilioError(20003, 401) });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    const garbled = await rawRequest(`${server.url}/v2/Services`, {
      headers: { Authorization: 'Basic !!!' },
    });
    expect(garbled.status).toBe(401);
  });

  it('refuses a device token whose kid is 3,000 characters with a 401, not a DynamoDB error', async () => {
    const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = `${b64url({ alg: 'ES256', kid: `CR${'a'.repeat(2998)}` })}.${b64url({})}.c2ln`;
    const path = `/v2/Services/VA${'0'.repeat(32)}/Entities/user-0001-alice/Factors/YF${'0'.repeat(32)}`;
    const response = await rawRequest(`${server.url}${path}`, { auth: { sid: 'token', authToken: jwt } });
    expect(response).toMatchObject({ status: 401, body: twilioError(20003, 401) });
  });

  it('takes query parameters and headers named like Object.prototype members as plain names', async () => {
    const auth = await createAccount();
    const query = 'constructor=1&__proto__=1&toString=1&toString=2&hasOwnProperty=x&valueOf=&PageSize=2';
    const response = await rawRequest(`${server.url}/v2/Services?${query}`, {
      auth,
      headers: { constructor: 'x', toString: 'y', ['__proto__']: 'z', hasOwnProperty: 'w' },
    });
    expect(response).toMatchObject({ status: 200, body: { services: [], meta: { page_size: 2 } } });
    const repeated = await rawRequest(`${server.url}/v2/Services?PageSize=2&PageSize=3`, { auth });
    expect(repeated).toMatchObject({
      status: 400,
      body: { code: 60200, message: 'Invalid parameter PageSize: must be given once' },
    });
  });

  it('answers a request target that is not a path with a JSON 404', async () => {
    for (const target of ['http://[', 'http://localhost:99999/v2/Services', '*']) {
      expect(await targetRequest(server.url, target), target).toMatchObject({
        status: 404,
        body: twilioError(20404, 404),
      });
    }
  });

  it('refuses bodies that are not form-encoded, malformed or too large, naming what is wrong', async () => {
    const auth = await createAccount();
    const url = `${server.url}/v2/Services`;
    const json = await rawRequest(url, {
      method: 'POST',
      auth,
      body: '{"FriendlyName":"x"}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(json).toMatchObject({
      status: 400,
      body: { code: 60200, message: expect.stringContaining('Content-Type') },
    });
    const malformed = await rawRequest(url, { method: 'POST', auth, body: 'FriendlyName=%E0%A4%A' });
    expect(malformed).toMatchObject({
      status: 400,
      body: { message: 'Invalid parameter FriendlyName: is not valid form encoding' },
    });
    const large = await rawRequest(url, {
      method: 'POST',
      auth,
      body: `FriendlyName=x&Pad=${'a'.repeat(70_000)}`,
    });
    expect(large).toMatchObject({ status: 400, body: { message: expect.stringContaining('request body') } });
    const huge = await rawRequest(url, {
      method: 'POST',
      auth,
      body: `FriendlyName=x&Pad=${'a'.repeat(11 << 20)}`,
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 20413, status: 413 } });
    const listed = await rawRequest(url, { auth });
    expect(listed.body).toMatchObject({ services: [] });
  });

  it('accepts a charset on the form content type, and + or %20 for spaces', async () => {
    const auth = await createAccount();
    const response = await rawRequest(`${server.url}/v2/Services`, {
      method: 'POST',
      auth,
      body: 'FriendlyName=Owl+Bank%20EU',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    expect(response).toMatchObject({ status: 201, body: { friendly_name: 'Owl Bank EU' } });
  });

  it('returns Twilio list envelopes with absolute paging URLs and rejects foreign page tokens', async () => {
    const auth = await createAccount();
    for (const name of ['A', 'B', 'C']) {
      await rawRequest(`${server.url}/v2/Services`, { method: 'POST', auth, body: `FriendlyName=${name}` });
    }
    const first = await rawRequest(`${server.url}/v2/Services?PageSize=2`, { auth });
    const meta = first.body!.meta as Record<string, string | number | null>;
    expect(meta).toMatchObject({
      page: 0,
      page_size: 2,
      key: 'services',
      first_page_url: `${server.url}/v2/Services?PageSize=2&Page=0`,
      url: `${server.url}/v2/Services?PageSize=2&Page=0`,
      previous_page_url: null,
    });
    const next = await rawRequest(meta.next_page_url as string, { auth });
    expect((next.body!.services as unknown[]).length).toBe(1);
    expect((next.body!.meta as Record<string, unknown>).next_page_url).toBeNull();

    const token = new URL(meta.next_page_url as string).searchParams.get('PageToken')!;
    const other = await createAccount();
    const foreign = await rawRequest(`${server.url}/v2/Services?PageToken=${token}`, { auth: other });
    expect(foreign.status).toBe(200);
    expect(foreign.body!.services).toEqual([]);
    const forged = await rawRequest(`${server.url}/v2/Services?PageToken=not-a-token`, { auth });
    expect(forged).toMatchObject({ status: 400, body: { message: expect.stringContaining('PageToken') } });
    const tooBig = await rawRequest(`${server.url}/v2/Services?PageSize=1001`, { auth });
    expect(tooBig).toMatchObject({ status: 400, body: { message: expect.stringContaining('PageSize') } });
  });
});
