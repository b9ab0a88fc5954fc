// @ts-nocheck
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors';
import { authenticate, clearCredentialCache } from '../../../shared/http/auth';
import { accountCredentials } from '../../../shared/http/auth/account';
import { deviceCredentials } from '../../../shared/http/auth/device';
import { enrollmentCredentials } from '../../../shared/http/auth/enrollment';
import { twilioError } from '../../../shared/http/errors';
import { testDeps } from '../../support/deps';

/** Every DynamoDB call made through the document client, which is how the stores read. */
const ddb = mockClient(DynamoDBDocumentClient);
const deps = testDeps();
const ALL = [accountCredentials, deviceCredentials, enrollmentCredentials].map((kind) => kind(deps));

const HEX32 = '0123456789abcdef'.repeat(2);
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A device token with the given header; the signature is never checked before the key is found. */
const deviceToken = (header: Record<string, unknown>) =>
  `token:${b64url({ alg: 'ES256', typ: 'JWT', ...header })}.${b64url({ sub: `AC${HEX32}` })}.c2ln`;

async function failureOf(authorization: string) {
  try {
    await authenticate(
      authorization.startsWith('Basic') ? authorization : basic(...split(authorization)),
      ALL,
      deps.config,
      new Date(),
    );
  } catch (error) {
    if (error instanceof DomainError) {
      const { status, code } = twilioError(error);
      return { status, code };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}
const split = (credentials: string): [string, string] => {
  const colon = credentials.indexOf(':');
  return [credentials.slice(0, colon), credentials.slice(colon + 1)];
};

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  clearCredentialCache();
});

describe('malformed credentials', () => {
  it.each([
    ['a device kid of 3,000 characters', deviceToken({ kid: `CR${'a'.repeat(2998)}` })],
    ['a device kid one digit short', deviceToken({ kid: `CR${HEX32.slice(1)}` })],
    ['a device kid of another kind', deviceToken({ kid: `YF${HEX32}` })],
    ['a device kid with non-hex digits', deviceToken({ kid: `CR${'g'.repeat(32)}` })],
    ['a device kid that is a number', deviceToken({ kid: 12345 })],
    ['a device kid that is an object', deviceToken({ kid: { toString: 'CR' } })],
    ['no device kid', deviceToken({})],
    ['an account SID one digit short', `AC${HEX32.slice(1)}:${HEX32}`],
    ['an account SID of 3,000 characters', `AC${'a'.repeat(2998)}:${HEX32}`],
    ['an auth token one digit short', `AC${HEX32}:${HEX32.slice(1)}`],
    ['an auth token one digit long', `AC${HEX32}:${HEX32}0`],
    ['an auth token of 3,000 characters', `AC${HEX32}:${'a'.repeat(3000)}`],
    ['an auth token with non-hex digits', `AC${HEX32}:${'z'.repeat(32)}`],
    ['an empty auth token', `AC${HEX32}:`],
    ['an upper-case auth token (Twilio issues lower-case hex)', `AC${HEX32}:${HEX32.toUpperCase()}`],
    ['an API key secret that is not hex', `SK${HEX32}:${'-'.repeat(32)}`],
    ['an enrollment token without its secret', `token:YK${HEX32}`],
    ['an enrollment token with a short secret', `token:YK${HEX32}.abc`],
    ['an enrollment token with 3,000 characters', `token:YK${HEX32}.${'a'.repeat(3000)}`],
    ['garbage Base64', 'Basic !!!!'],
    ['no colon', `Basic ${Buffer.from(`AC${HEX32}`).toString('base64')}`],
  ])('are refused (401) without a read: %s', async (_name, credentials) => {
    expect(await failureOf(credentials)).toEqual({ status: 401, code: 20003 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown account', `AC${HEX32}:${HEX32}`],
    ['an unknown API key', `SK${HEX32.toUpperCase()}:${HEX32}`],
    ['an unknown device credential', deviceToken({ kid: `CR${HEX32}` })],
    ['an unknown enrollment token', `token:YK${HEX32}.${'A'.repeat(43)}`],
  ])('still look well-formed ones up: %s', async (_name, credentials) => {
    expect(await failureOf(credentials)).toEqual({ status: 401, code: 20003 });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('refuses any credentials that are not well-formed, without a read (property)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 60 });
    const notSecret = text.filter((password) => !/^[0-9a-fA-F]{32}$/.test(password));
    const notCredentialSid = fc.oneof(
      text.filter((kid) => !/^CR[0-9a-fA-F]{32}$/.test(kid)),
      fc.jsonValue().filter((kid) => typeof kid !== 'string'),
    );
    const credentials = fc.oneof(
      fc.tuple(fc.constantFrom(`AC${HEX32}`, `SK${HEX32}`), notSecret).map(([u, p]) => `${u}:${p}`),
      fc
        .tuple(notCredentialSid, text, text)
        .map(([kid, claims, signature]) =>
          deviceToken({ kid }).replace(/\.[^.]*\.[^.]*$/, `.${claims}.${signature}`),
        ),
      text
        .filter((secret) => !/^[A-Za-z0-9_-]{43}$/.test(secret))
        .map((secret) => `token:YK${HEX32}.${secret}`),
      fc.tuple(text, text).map(([u, p]) => `${u}:${p}`),
    );
    await fc.assert(
      fc.asyncProperty(credentials, async (given) => {
        ddb.resetHistory();
        expect(await failureOf(given)).toEqual({ status: 401, code: 20003 });
        expect(ddb.calls()).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
  });
});
