// @ts-nocheck
import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createFactor } from '../../../functions/factors/create';
import { handler as updateFactor } from '../../../functions/factors/update';
import { FACTOR_RACE_RETRY } from '../../../shared/app/factor-race';
import { newAccount } from '../../../shared/domain/credentials';
import { newEntity } from '../../../shared/domain/entity';
import { newPushFactor } from '../../../shared/domain/factor';
import { createService } from '../../../shared/domain/service';
import { Keys } from '../../../shared/store/keys';
import { apiEvent, form, lambdaContext } from '../../support/events';
import { deviceKey } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const now = new Date();
const { account, authToken } = newAccount(now);
const auth = { username: account.sid, password: authToken };
const service = createService(account.sid, { friendlyName: 'Bank' }, now);
const entity = newEntity(account.sid, service.sid, 'user-12345678', now);
const factorsPath = `/v2/Services/${service.sid}/Entities/${entity.identity}/Factors`;
const device = deviceKey();
const pushParams = {
  FriendlyName: 'Pixel',
  FactorType: 'push',
  'Binding.Alg': 'ES256',
  'Binding.PublicKey': device.publicKey,
  'Config.SdkVersion': '0.9.0',
  'Config.AppId': 'com.example.app',
  'Config.NotificationPlatform': 'fcm',
  'Config.NotificationToken': 't'.repeat(64),
};

beforeEach(() => {
  ddb.reset();
  ddb
    .on(GetCommand, { Key: Keys.account(account.sid) })
    .resolves({ Item: { ...Keys.account(account.sid), ...account } });
  ddb.on(GetCommand, { Key: Keys.service(account.sid, service.sid) }).resolves({ Item: { ...service } });
  ddb
    .on(GetCommand, { Key: Keys.entity(account.sid, service.sid, entity.identity) })
    .resolves({ Item: { ...entity } });
});

describe('factor handlers', () => {
  it('answers 60315 when the entity already has 20 push factors', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: { sid: { S: entity.sid }, pushFactorCount: { N: '20' } } },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );
    const response = await createFactor(
      apiEvent({ method: 'POST', path: factorsPath, auth, body: form(pushParams) }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 60315, status: 400 });
  });

  it('rejects a public key that is not P-256 with 60314 and writes nothing', async () => {
    const response = await createFactor(
      apiEvent({
        method: 'POST',
        path: factorsPath,
        auth,
        body: form({ ...pushParams, 'Binding.PublicKey': 'dGVzdF9rZXk=' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 60314,
      message: expect.stringContaining('Binding.PublicKey'),
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 429 (60310) with Retry-After when a concurrent request locked the factor first', async () => {
    const factor = newPushFactor(
      {
        sid: `YF${'e'.repeat(32)}`,
        entity,
        friendlyName: 'Pixel',
        publicKey: device.publicKey,
        config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
      },
      now,
    );
    const key = Keys.factor(account.sid, service.sid, entity.identity, factor.sid);
    // Read with 4 failures; by the time the failure is written, a fifth has locked the factor.
    const lockedUntil = new Date(Date.now() + 60_000);
    ddb
      .on(GetCommand, { Key: key })
      .resolvesOnce({ Item: { ...factor, failedAttempts: 4 } })
      .resolves({ Item: { ...factor, failedAttempts: 5, lockedUntil: lockedUntil.toISOString() } });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const response = await updateFactor(
      apiEvent({
        method: 'POST',
        path: `${factorsPath}/${factor.sid}`,
        auth,
        body: form({ AuthPayload: 'AAAA' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(429);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 60310,
      message: expect.stringMatching(/^Factor verification attempts reached/),
    });
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(59);
    // The failure was written once, conditioned on the state read (4 failures, no lock).
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      ExpressionAttributeValues: { ':seenFailures': 4, ':failedAttempts': 5 },
    });
  });

  it('answers 409 when the factor keeps changing under a verification', async () => {
    const factor = newPushFactor(
      {
        sid: `YF${'f'.repeat(32)}`,
        entity,
        friendlyName: 'Pixel',
        publicKey: device.publicKey,
        config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
      },
      now,
    );
    const key = Keys.factor(account.sid, service.sid, entity.identity, factor.sid);
    ddb.on(GetCommand, { Key: key }).resolves({ Item: { ...factor } });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const response = await updateFactor(
      apiEvent({
        method: 'POST',
        path: `${factorsPath}/${factor.sid}`,
        auth,
        body: form({ AuthPayload: 'AAAA' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(409);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(FACTOR_RACE_RETRY.attempts);
  });
});
