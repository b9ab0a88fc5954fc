// @ts-nocheck
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { startStreamPump } from '../../infra/local/stream-pump';
import { startPipeline, type BusEvent } from '../support/pipeline';
import { backendWithDevice } from '../support/push';
import { startTestServer } from '../support/server';
import { eventValidator } from '../support/stream-records';

let server: Awaited<ReturnType<typeof startTestServer>>;
let pipeline: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  // A table of this file's own: DynamoDB Local's TTL sweep slows down as the shared test table fills up.
  process.env.TABLE_NAME = `verify-events-${process.pid}`;
  await ensureTable(process.env.DYNAMODB_ENDPOINT!, process.env.TABLE_NAME);
  pipeline = await startPipeline();
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  await pipeline?.stop();
});

const about = (sid: string) => (event: BusEvent) =>
  event.detail.challenge_sid === sid || (event.detail.factor_sid === sid && !event.detail.challenge_sid);
const keysOf = (sid: string) =>
  pipeline
    .events()
    .filter(about(sid))
    .map((e) => e.detail.idempotency_key);
const billingOf = (sid: string) =>
  pipeline.events().filter((e) => about(sid)(e) && e['detail-type'] === 'billing.verification');

describe('Events from table changes, through the stream pump and the local EventBridge sink', () => {
  it('expires an unanswered challenge when DynamoDB’s TTL removes its timer', async () => {
    const { entity, factorSid } = await backendWithDevice(server.url, 'user-events-expiry');
    const challenge = await entity.challenges.create({
      factorSid,
      'details.message': 'Log in?',
      expirationDate: new Date(Date.now() + 3000),
    });
    const [expired] = await pipeline.waitForEvents(
      (e) => about(challenge.sid)(e) && e['detail-type'] === 'challenge.expired',
      30_000,
    );
    expect(expired!.detail).toMatchObject({
      idempotency_key: `${challenge.sid}.expired`,
      status: 'expired',
      previous_status: 'pending',
      date_responded: null,
    });
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('expired');
    expect(keysOf(challenge.sid)).toEqual([`${challenge.sid}.created`, `${challenge.sid}.expired`]);
  }, 40_000);

  it('publishes each status once, and one billing event per approved or denied push and approved TOTP', async () => {
    const totpService = { 'totp.timeStep': 60, 'totp.skew': 2 };
    const { client, service, entity, device, factorSid } = await backendWithDevice(
      server.url,
      'user-events-push',
      totpService,
    );
    const push = () => entity.challenges.create({ factorSid, 'details.message': 'Log in?' });
    const [approved, denied, pending] = [await push(), await push(), await push()];
    await device.answer(approved.sid, 'approved');
    await device.answer(denied.sid, 'denied');

    const totpEntity = client.verify.v2.services(service.sid).entities('user-events-totp');
    const factor = await totpEntity.newFactors.create({ friendlyName: 'Bob', factorType: 'totp' });
    const totp = new TOTP({ secret: factor.binding.secret, period: 60 });
    const codeAt = (steps: number) => totp.generate({ timestamp: Date.now() + steps * 60_000 });
    await totpEntity.factors(factor.sid).update({ authPayload: codeAt(-1) });
    const byCode = await totpEntity.challenges.create({ factorSid: factor.sid, authPayload: codeAt(0) });
    expect(byCode.status).toBe('approved');

    // The stream is one ordered shard locally: once the last write's event is out, so are the others'.
    await pipeline.waitForEvents((e) => e['detail-type'] === 'billing.verification' && about(byCode.sid)(e));
    const last = await push();
    await pipeline.waitForEvents(about(last.sid));

    for (const [sid, answer] of [
      [approved.sid, 'approved'],
      [denied.sid, 'denied'],
      [byCode.sid, 'approved'],
    ] as const) {
      expect(keysOf(sid)).toEqual([`${sid}.created`, `${sid}.${answer}`, `${sid}.billing`]);
      expect(billingOf(sid).map((e) => e.detail.status)).toEqual([answer]);
    }
    expect(keysOf(pending.sid)).toEqual([`${pending.sid}.created`]);
    for (const sid of [factorSid, factor.sid])
      expect(keysOf(sid)).toEqual([`${sid}.created`, `${sid}.verified`]);

    const validate = eventValidator();
    const ours = [approved, denied, pending, byCode].map((c) => c.sid).concat(factorSid, factor.sid);
    for (const event of pipeline.events().filter((e) => ours.some((sid) => about(sid)(e)))) {
      expect(event).toMatchObject({
        source: 'verify-push-totp',
        account: '000000000000',
        region: 'us-east-1',
      });
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(validate(event)).toEqual([]);
    }
  });

  it('answers PutEvents as EventBridge does, failing only the malformed entry', async () => {
    const client = new EventBridgeClient({ endpoint: pipeline.endpoint });
    const entry = { EventBusName: 'test', Source: 'sink.test', DetailType: 'probe' };
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry, Detail: '{"n":1}', Time: new Date('2026-11-22T10:00:00.750Z') },
          { ...entry, Detail: 'not json' },
        ],
      }),
    );
    client.destroy();
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries![1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    const probes = pipeline.events().filter((e) => e.source === 'sink.test');
    expect(probes).toEqual([
      {
        version: '0',
        id: result.Entries![0]!.EventId,
        'detail-type': 'probe',
        source: 'sink.test',
        account: '000000000000',
        time: '2026-11-22T10:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { n: 1 },
      },
    ]);
  });

  it('redelivers a batch from its lowest failed record, and drops it after 5 retries', async () => {
    // A table of its own (a fresh one: read from TRIM_HORIZON), so no other test's records get in.
    const endpoint = process.env.DYNAMODB_ENDPOINT!;
    const tableName = `verify-pump-${process.pid}`;
    await ensureTable(endpoint, tableName);
    const deliveries: string[][] = [];
    const count = (sk: string) => deliveries.flat().filter((s) => s === `CHALLENGE#${sk}`).length;
    const errors: string[] = [];
    const pump = await startStreamPump({
      endpoint,
      tableName,
      onError: (error) => errors.push(String(error)),
      handler: async ({ Records }) => {
        deliveries.push(Records.map((r) => r.dynamodb!.Keys!.sk!.S!));
        // b fails on its first two deliveries; poison always fails.
        const failing = Records.filter(({ dynamodb }) => {
          const sk = dynamodb!.Keys!.sk!.S;
          return sk === 'CHALLENGE#poison' || (sk === 'CHALLENGE#b' && count('b') <= 2);
        });
        return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
      },
    });
    const ddb = localDynamoClient(endpoint);
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      const put = (sk: string) =>
        ddb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'p' }, sk: { S: sk } } }));
      await put('SERVICE#x'); // filtered out: no event comes from a service
      for (const sk of ['a', 'b', 'c']) await put(`CHALLENGE#${sk}`);
      await until(() => count('b') >= 3 && count('c') >= 1);
      expect(count('b')).toBe(3);
      expect(count('a')).toBe(1);
      // Redelivered from b on: a, before it, is not delivered again.
      for (const batch of deliveries.filter((d) => d.includes('CHALLENGE#b')).slice(1))
        expect(batch[0]).toBe('CHALLENGE#b');
      expect(deliveries.flat()).not.toContain('SERVICE#x');

      await put('CHALLENGE#poison');
      await until(() => errors.length > 0);
      expect(count('poison')).toBe(6);
      expect(errors).toEqual([expect.stringMatching(/Dropped after 5 retries/)]);
      // The shard moves on.
      await put('CHALLENGE#after');
      await until(() => count('after') > 0);
      expect(count('after')).toBe(1);
    } finally {
      ddb.destroy();
      await pump.stop();
    }
  }, 30_000);
});
