// @ts-nocheck
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { processStream, type StreamDeps } from '../../../shared/app/stream';
import { EventBridgePublisher } from '../../../shared/events/eventbridge';
import {
  answered,
  challengeItem,
  challengeOf,
  eventValidator,
  factorItem,
  pushFactor,
  streamRecord,
  timerItem,
  totpFactor,
} from '../../support/stream-records';

const eventBridge = mockClient(EventBridgeClient);
const expire = vi.fn(async () => false);
const scheduleExpiry = vi.fn(async () => undefined);
const deps = (): StreamDeps => ({
  publisher: new EventBridgePublisher(new EventBridgeClient({}), 'bus', async () => undefined),
  challenges: { expire, scheduleExpiry },
  options: { includePii: true },
  now: () => new Date('2026-11-22T10:06:00Z'),
});

/** Every entry EventBridge received, in order, across calls. */
const sent = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? []) as PutEventsRequestEntry[];
const keysOf = (entries: PutEventsRequestEntry[]) =>
  entries.map((e) => JSON.parse(e.Detail!).idempotency_key as string);
const succeedAll = () =>
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })),
  }));

beforeEach(() => {
  eventBridge.reset();
  expire.mockClear();
  scheduleExpiry.mockClear();
});

describe('stream → EventBridge', () => {
  it('publishes creation, answers and billing, each valid against its JSON Schema', async () => {
    succeedAll();
    const push = pushFactor();
    const totp = totpFactor();
    const [approve, deny, totpApprove, pending] = [
      challengeOf(push),
      challengeOf(push),
      challengeOf(totp),
      challengeOf(push),
    ];
    const records = [
      streamRecord('INSERT', undefined, factorItem(push)),
      streamRecord('MODIFY', factorItem(push), factorItem({ ...push, status: 'verified' })),
      streamRecord('INSERT', undefined, challengeItem(approve)),
      streamRecord('MODIFY', challengeItem(approve), challengeItem(answered(approve, 'approved'))),
      streamRecord('MODIFY', challengeItem(deny), challengeItem(answered(deny, 'denied'))),
      streamRecord('INSERT', undefined, challengeItem(answered(totpApprove, 'approved'))),
      streamRecord('MODIFY', challengeItem(pending), challengeItem({ ...pending, status: 'expired' })),
      streamRecord('REMOVE', factorItem(push), undefined),
    ];
    expect(await processStream(records, deps())).toEqual({ batchItemFailures: [] });
    const entries = sent();
    expect(entries.map((e) => e.DetailType)).toEqual([
      'factor.created',
      'factor.verified',
      'challenge.created',
      'challenge.approved',
      'billing.verification',
      'challenge.denied',
      'billing.verification',
      'challenge.created',
      'challenge.approved',
      'billing.verification',
      'challenge.expired',
      'factor.deleted',
    ]);
    expect(keysOf(entries.filter((e) => e.DetailType === 'billing.verification'))).toEqual([
      `${approve.sid}.billing`,
      `${deny.sid}.billing`,
      `${totpApprove.sid}.billing`,
    ]);
    const validate = eventValidator();
    for (const entry of entries) {
      const event = {
        version: '0',
        id: 'x',
        'detail-type': entry.DetailType!,
        source: entry.Source,
        account: '000000000000',
        time: entry.Time!.toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: JSON.parse(entry.Detail!),
      };
      expect(validate(event), entry.DetailType).toEqual([]);
    }
    expect(JSON.stringify(entries)).not.toContain('v1.sealed');
    expect(JSON.stringify(entries)).not.toContain('publicKey');
  });

  it('never bills a TOTP denial, a pending challenge or an expiry, and leaves PII out when told to', async () => {
    succeedAll();
    const totp = challengeOf(totpFactor());
    const records = [
      streamRecord('MODIFY', challengeItem(totp), challengeItem({ ...totp, status: 'denied' })),
      streamRecord('MODIFY', challengeItem(totp), challengeItem({ ...totp, failedAttempts: 1 })),
      streamRecord('MODIFY', challengeItem(totp), challengeItem({ ...totp, status: 'expired' })),
    ];
    await processStream(records, { ...deps(), options: { includePii: false } });
    expect(sent().map((e) => e.DetailType)).toEqual(['challenge.denied', 'challenge.expired']);
    for (const entry of sent()) {
      const detail = JSON.parse(entry.Detail!);
      for (const pii of [
        'entity_identity',
        'challenge_details',
        'challenge_hidden_details',
        'challenge_metadata',
      ]) {
        expect(detail).not.toHaveProperty(pii);
      }
    }
  });

  it('retries only the entries EventBridge reports as failed, so nothing is lost or sent twice', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { EventId: 'c' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
        ],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }, { EventId: 'd' }] });
    const challenges = [0, 1, 2, 3].map(() => challengeOf(pushFactor()));
    const records = challenges.map((c) => streamRecord('INSERT', undefined, challengeItem(c)));
    expect(await processStream(records, deps())).toEqual({ batchItemFailures: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(keysOf(calls[1]!.args[0].input.Entries!)).toEqual([
      `${challenges[1]!.sid}.created`,
      `${challenges[3]!.sid}.created`,
    ]);
    expect(new Set(keysOf(sent())).size).toBe(4);
  });

  it('retries a throttled call as a whole', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
    const records = [streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor())))];
    expect(await processStream(records, deps())).toEqual({ batchItemFailures: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('reports records whose events keep failing, and holds back the later events of the same challenge', async () => {
    const stuck = challengeOf(pushFactor());
    const fine = challengeOf(pushFactor());
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
      const entries = input.Entries.map((e) =>
        JSON.parse(e.Detail).challenge_sid === stuck.sid
          ? { ErrorCode: 'InternalFailure' }
          : { EventId: 'ok' },
      );
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
    const records = [
      streamRecord('INSERT', undefined, challengeItem(stuck)),
      streamRecord('INSERT', undefined, challengeItem(fine)),
      ...Array.from({ length: 10 }, () =>
        streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor()))),
      ),
      streamRecord('MODIFY', challengeItem(stuck), challengeItem(answered(stuck, 'approved'))),
    ];
    const result = await processStream(records, deps());
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: records[0]!.dynamodb!.SequenceNumber },
      { itemIdentifier: records[12]!.dynamodb!.SequenceNumber },
    ]);
    // The approval and its billing never went out ahead of the failed creation.
    const published = sent().map((e) => JSON.parse(e.Detail!));
    expect(published.filter((d) => d.challenge_sid === stuck.sid && d.status !== 'pending')).toEqual([]);
  });

  it('reports a poison record without blocking the rest', async () => {
    succeedAll();
    const poison = streamRecord('REMOVE', timerItem(challengeOf(pushFactor())), undefined, true);
    expire.mockRejectedValueOnce(new Error('boom'));
    const good = streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor())));
    const result = await processStream([poison, good], deps());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.dynamodb!.SequenceNumber }]);
    expect(sent()).toHaveLength(1);
  });

  it('sends the same idempotency keys when a batch is delivered again', async () => {
    succeedAll();
    const c = challengeOf(pushFactor());
    const records = [
      streamRecord('INSERT', undefined, challengeItem(c)),
      streamRecord('MODIFY', challengeItem(c), challengeItem(answered(c, 'approved'))),
    ];
    await processStream(records, deps());
    const first = keysOf(sent());
    eventBridge.resetHistory();
    await processStream(records, deps());
    expect(keysOf(sent())).toEqual(first);
    expect(first).toEqual([`${c.sid}.created`, `${c.sid}.approved`, `${c.sid}.billing`]);
  });

  it('schedules the expiry of each new pending challenge, and of nothing else', async () => {
    succeedAll();
    const pending = challengeOf(pushFactor());
    const approvedAtCreation = answered(challengeOf(totpFactor()), 'approved');
    await processStream(
      [
        streamRecord('INSERT', undefined, challengeItem(pending)),
        streamRecord('INSERT', undefined, challengeItem(approvedAtCreation)),
        streamRecord('MODIFY', challengeItem(pending), challengeItem(answered(pending, 'denied'))),
      ],
      deps(),
    );
    expect(scheduleExpiry.mock.calls).toEqual([
      [expect.objectContaining({ sid: pending.sid, status: 'pending' })],
    ]);
  });

  it('retries a new challenge whose timer could not be written', async () => {
    succeedAll();
    scheduleExpiry.mockRejectedValueOnce(new Error('throttled'));
    const record = streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor())));
    expect(await processStream([record], deps())).toEqual({
      batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }],
    });
    expect(sent()).toEqual([]);
  });

  it('publishes nothing for the other items of the table', async () => {
    succeedAll();
    const service = { pk: 'ACCOUNT#AC1', sk: 'SERVICE#VA1', type: 'service', friendlyName: 'Bank' };
    const entity = { pk: 'SERVICE#AC1#VA1', sk: 'ENTITY#user-0001', type: 'entity', sid: 'YE1' };
    const renamed = { ...service, friendlyName: 'New' };
    const records = [
      streamRecord('INSERT', undefined, service),
      streamRecord('MODIFY', service, renamed),
      streamRecord('REMOVE', entity, undefined),
    ];
    expect(await processStream(records, deps())).toEqual({ batchItemFailures: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(expire).not.toHaveBeenCalled();
    expect(scheduleExpiry).not.toHaveBeenCalled();
  });

  it('expires on a timer’s TTL removal only, and publishes nothing itself', async () => {
    succeedAll();
    const c = challengeOf(pushFactor());
    await processStream([streamRecord('REMOVE', timerItem(c), undefined, true)], deps());
    expect(expire).toHaveBeenCalledWith(
      { accountSid: c.accountSid, serviceSid: c.serviceSid, identity: c.identity, sid: c.sid },
      new Date('2026-11-22T10:06:00Z'),
    );
    // A timer a user deleted (an entity delete) expires nothing.
    await processStream([streamRecord('REMOVE', timerItem(c), undefined, false)], deps());
    expect(expire).toHaveBeenCalledTimes(1);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('publishes a 100-record batch with 10 PutEvents calls', async () => {
    succeedAll();
    const records = Array.from({ length: 100 }, () =>
      streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor()))),
    );
    await processStream(records, deps());
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(10);
    expect(calls.every((call) => call.args[0].input.Entries!.length === 10)).toBe(true);
  });
});
