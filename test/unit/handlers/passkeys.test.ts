import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as approveChallenge } from '../../../functions/passkeys/approve-challenge';
import { handler as createChallenge } from '../../../functions/passkeys/create-challenge';
import { handler as createFactor } from '../../../functions/passkeys/create-factor';
import { newAccount } from '../../../shared/domain/credentials';
import { DomainError } from '../../../shared/domain/errors';
import { clearCredentialCache } from '../../../shared/http/auth';
import {
  credentialParams,
  newPasskeyFactorParams,
  passkeyChallengeParams,
} from '../../../shared/http/passkey-params';
import { parseUserJson } from '../../../shared/http/params';
import { Keys } from '../../../shared/store/keys';
import { apiEvent, lambdaContext } from '../../support/events';

const ddb = mockClient(DynamoDBDocumentClient);
const { account, authToken } = newAccount(new Date());
const auth = { username: account.sid, password: authToken };
const accountItem = { ...Keys.account(account.sid), type: 'account', ...account };
const SERVICE = 'VA' + 'a'.repeat(32);
const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };

beforeEach(() => {
  ddb.reset();
  clearCredentialCache();
  ddb.on(GetCommand, { Key: Keys.account(account.sid) }).resolves({ Item: accountItem });
});

const post = (path: string, body: string, headers: Record<string, string> = JSON_HEADERS) =>
  apiEvent({ method: 'POST', path: `/v2/Services/${SERVICE}/Passkeys/${path}`, auth, body, headers });
const answer = async (response: Promise<{ statusCode: number; body: string }>) => {
  const { statusCode, body } = await response;
  return { status: statusCode, body: JSON.parse(body) as Record<string, unknown> };
};

describe('passkeys handlers: JSON bodies', () => {
  it('refuses a form body, bad JSON and a non-object, naming them, before any read of the service', async () => {
    const form = await answer(
      createChallenge(
        post('Challenges', 'identity=x', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        lambdaContext,
      ),
    );
    expect(form).toMatchObject({
      status: 400,
      body: { code: 60200, message: expect.stringContaining('application/json') },
    });
    const bad = await answer(createChallenge(post('Challenges', '{"identity":'), lambdaContext));
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 60200, message: expect.stringContaining('not valid JSON') },
    });
    const array = await answer(createChallenge(post('Challenges', '[1]'), lambdaContext));
    expect(array.body.message).toContain('must be a JSON object');
    const large = await answer(
      createChallenge(post('Challenges', JSON.stringify({ x: 'a'.repeat(70_000) })), lambdaContext),
    );
    expect(large).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('at most 65536 bytes') },
    });
    expect(ddb.commandCalls(GetCommand).filter((c) => c.args[0].input.Key?.sk !== '#ACCOUNT')).toHaveLength(
      0,
    );
  });

  it('takes an empty body as {} (a usernameless challenge) and answers 404 for an unknown service', async () => {
    ddb.on(GetCommand, { Key: Keys.service(account.sid, SERVICE) }).resolves({});
    const response = await answer(createChallenge(post('Challenges', ''), lambdaContext));
    expect(response).toMatchObject({ status: 404, body: { code: 20404 } });
  });

  it('answers a DynamoDB failure with a 500 that reveals nothing', async () => {
    ddb
      .on(GetCommand, { Key: Keys.service(account.sid, SERVICE) })
      .rejects(new Error('ProvisionedThroughputExceeded'));
    const response = await answer(
      createFactor(
        post('Factors', JSON.stringify({ friendly_name: 'Ada', identity: 'user-0001-aa' })),
        lambdaContext,
      ),
    );
    expect(response).toMatchObject({ status: 500, body: { code: 20500, message: 'Internal Server Error' } });
  });

  it('reads the challenge and the credential of an assertion in one BatchGetItem, and writes nothing when they are not there', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: {} });
    const challengeSid = 'YC' + 'b'.repeat(32);
    const clientData = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: Buffer.from(challengeSid).toString('base64url'),
        origin: 'https://a.example',
      }),
    ).toString('base64url');
    const body = {
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      response: { clientDataJSON: clientData, authenticatorData: 'AA', signature: 'AA' },
    };
    const response = await answer(
      approveChallenge(post('ApproveChallenge', JSON.stringify(body)), lambdaContext),
    );
    expect(response).toMatchObject({ status: 404, body: { code: 60391 } });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('passkeys parameters', () => {
  it('accepts snake_case and camelCase keys', () => {
    const json = (value: unknown) => parseUserJson(JSON.stringify(value)) as Record<string, unknown>;
    expect(newPasskeyFactorParams(json({ friendlyName: 'Ada', identity: 'user-0001-aa' }))).toEqual({
      friendlyName: 'Ada',
      identity: 'user-0001-aa',
    });
    expect(
      newPasskeyFactorParams(
        json({
          friendly_name: 'Ada',
          identity: 'user-0001-aa',
          config: {
            relyingParty: { id: 'example.com', origins: 'https://a.example.com, https://b.example.com' },
            user_verification: 'required',
          },
        }),
      ).config,
    ).toEqual({
      relyingParty: { id: 'example.com', origins: ['https://a.example.com', 'https://b.example.com'] },
      userVerification: 'required',
    });
    expect(
      passkeyChallengeParams(json({ identity: 'user-0001-aa', factorSid: 'YF' + 'c'.repeat(32) })),
    ).toEqual({
      identity: 'user-0001-aa',
      factorSid: 'YF' + 'c'.repeat(32),
    });
    expect(
      credentialParams(
        json({
          id: 'AQ',
          raw_id: 'AQ',
          response: { client_data_json: 'x', user_handle: null, transports: ['usb', 'x', 3] },
        }),
      ),
    ).toEqual({ id: 'AQ', rawId: 'AQ', response: { clientDataJSON: 'x', transports: ['usb'] } });
  });

  it.each([
    [() => newPasskeyFactorParams({ identity: 'user-0001-aa' }), 60388],
    [() => newPasskeyFactorParams({ friendly_name: 'Ada' }), 20001],
    [() => newPasskeyFactorParams({ friendly_name: 'Ada', identity: 'bad id' }), 60200],
    [
      () =>
        newPasskeyFactorParams({
          friendly_name: 'Ada',
          identity: 'user-0001-aa',
          config: { relying_party: { id: 'https://x.com' } },
        }),
      60372,
    ],
    [
      () =>
        newPasskeyFactorParams({
          friendly_name: 'Ada',
          identity: 'user-0001-aa',
          config: { relying_party: { origins: ['ftp://x'] } },
        }),
      60371,
    ],
    [
      () =>
        newPasskeyFactorParams({
          friendly_name: 'Ada',
          identity: 'user-0001-aa',
          config: { user_verification: 'always' },
        }),
      60200,
    ],
    [() => passkeyChallengeParams({ factor_sid: 'YX1' }), 60200],
    [() => credentialParams({ id: 'AQ' }), 60378],
    [() => credentialParams({ authenticatorAttachment: 'usb', response: {} }), 60377],
  ])('refuses a bad body with a Twilio code (%#)', (run, code) => {
    try {
      run();
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(
        (error as DomainError).detail.code ??
          { 'missing-parameter': 20001, 'invalid-parameter': 60200 }[(error as DomainError).kind as string],
      ).toBe(code);
    }
  });

  it('answers any JSON object with parameters or a DomainError, never another exception', () => {
    const only = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    };
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'id',
            'rawId',
            'response',
            'friendly_name',
            'identity',
            'config',
            'factor_sid',
            'type',
            'authenticatorAttachment',
          ),
          fc.jsonValue(),
        ),
        (body) => {
          const json = parseUserJson(JSON.stringify(body)) as Record<string, unknown>;
          only(() => credentialParams(json));
          only(() => newPasskeyFactorParams(json));
          only(() => passkeyChallengeParams(json));
        },
      ),
      { numRuns: 200 },
    );
  });
});
