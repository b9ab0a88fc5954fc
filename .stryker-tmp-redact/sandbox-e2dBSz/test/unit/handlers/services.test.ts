// @ts-nocheck
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createService } from '../../../functions/services/create';
import { handler as fetchService } from '../../../functions/services/fetch';
import { newAccount } from '../../../shared/domain/credentials';
import { clearCredentialCache } from '../../../shared/http/auth';
import { Keys } from '../../../shared/store/keys';
import { apiEvent, form, lambdaContext } from '../../support/events';

const ddb = mockClient(DynamoDBDocumentClient);
const { account, authToken } = newAccount(new Date());
const auth = { username: account.sid, password: authToken };
const accountItem = { ...Keys.account(account.sid), type: 'account', ...account };

beforeEach(() => {
  ddb.reset();
  clearCredentialCache();
  ddb.on(GetCommand, { Key: Keys.account(account.sid) }).resolves({ Item: accountItem });
});

describe('service handlers', () => {
  it("creates a service with one write and answers it with URLs under the request's base", async () => {
    ddb.on(PutCommand).resolves({});
    const response = await createService(
      apiEvent({
        method: 'POST',
        path: '/v2/Services',
        auth,
        body: form({ FriendlyName: 'My App', 'Totp.Skew': '2' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({
      friendly_name: 'My App',
      account_sid: account.sid,
      totp: { skew: 2, issuer: 'My App' },
    });
    expect(body.url).toBe(`https://verify.example.test/prod/v2/Services/${body.sid}`);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      pk: `ACCOUNT#${account.sid}`,
    });
  });

  it('answers a DynamoDB failure with a Twilio-shaped 500 that reveals nothing', async () => {
    ddb
      .on(PutCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded for table secret-table'), { name: 'ThrottlingException' }),
      );
    const response = await createService(
      apiEvent({ method: 'POST', path: '/v2/Services', auth, body: form({ FriendlyName: 'My App' }) }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      code: 20500,
      message: 'Internal Server Error',
      more_info: 'https://www.twilio.com/docs/errors/20500',
      status: 500,
    });
  });

  it('writes nothing for a bad parameter', async () => {
    const response = await createService(
      apiEvent({ method: 'POST', path: '/v2/Services', auth, body: form({ FriendlyName: 'x'.repeat(33) }) }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 60200,
      message: expect.stringContaining('FriendlyName'),
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('rejects a body that is not form-encoded, naming Content-Type', async () => {
    const response = await createService(
      apiEvent({
        method: 'POST',
        path: '/v2/Services',
        auth,
        body: '{"FriendlyName":"x"}',
        headers: { 'Content-Type': 'application/json' },
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toBe(
      'Invalid parameter Content-Type: must be application/x-www-form-urlencoded',
    );
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers wrong credentials with 401, 20003 and WWW-Authenticate, before touching data', async () => {
    const fetchWith = (password: string) =>
      fetchService(
        apiEvent({ method: 'GET', path: `/v2/Services/VA${'0'.repeat(32)}`, auth: { ...auth, password } }),
        lambdaContext,
      );
    // A token that is not 32 hex digits cannot be right: refused without a read.
    const malformed = await fetchWith('wrong');
    expect(malformed.statusCode).toBe(401);
    expect(malformed.headers?.['WWW-Authenticate']).toMatch(/^Basic /);
    expect(JSON.parse(malformed.body).code).toBe(20003);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    // A well-formed wrong token costs one read; the refusal is remembered, so repeating it costs none.
    for (let i = 0; i < 3; i++) expect((await fetchWith('0'.repeat(32))).statusCode).toBe(401);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    // The right token is not affected by the remembered refusal of a wrong one.
    ddb.on(GetCommand, { Key: Keys.service(account.sid, `VA${'0'.repeat(32)}`) }).resolves({});
    expect((await fetchWith(authToken)).statusCode).toBe(404);
  });

  it('looks credentials up once and then serves warm requests from its cache', async () => {
    const sid = `VA${'1'.repeat(32)}`;
    ddb.on(GetCommand, { Key: Keys.service(account.sid, sid) }).resolves({});
    for (let i = 0; i < 3; i++) {
      const response = await fetchService(
        apiEvent({ method: 'GET', path: `/v2/Services/${sid}`, auth }),
        lambdaContext,
      );
      expect(response.statusCode).toBe(404);
    }
    const lookups = ddb.commandCalls(GetCommand).filter((call) => call.args[0].input.Key?.sk === '#ACCOUNT');
    expect(lookups).toHaveLength(1);
  });
});
