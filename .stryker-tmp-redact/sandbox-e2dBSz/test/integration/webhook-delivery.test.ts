// @ts-nocheck
import type { SQSRecord } from 'aws-lambda';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { saveAccount } from '../../shared/app/accounts';
import { createService } from '../../shared/app/services';
import { createWebhook, updateWebhook, deleteWebhook } from '../../shared/app/webhooks';
import {
  deliverWebhooks,
  dispatchWebhookEvents,
  type DeliveryDeps,
  type DeliveryMessage,
} from '../../shared/app/webhooks-dispatch';
import type { QueuedMessage, TransportResult } from '../../shared/app/ports';
import { newAccount } from '../../shared/domain/credentials';
import type { DomainEvent } from '../../shared/domain/events';
import { testDeps } from '../support/deps';

/**
 * The dispatcher and the delivery against DynamoDB Local, with the queue, the HTTP transport and the
 * publisher replaced by recorders: fan-out, signatures, backoff, the retry window, the dead-letter queue,
 * and webhooks changed between dispatch and delivery.
 */
const deps = testDeps();

async function setUp(seal = true) {
  const { account, authToken } = newAccount(new Date());
  if (seal) await saveAccount(deps, account, authToken);
  else await deps.accounts.putAccount(account);
  const service = await createService(deps, account.sid, { friendlyName: 'Hooks' });
  return { accountSid: account.sid, serviceSid: service.sid, authToken };
}

const hook = (owner: { accountSid: string; serviceSid: string }, path: string, eventTypes: string[]) =>
  createWebhook(deps, { allowHttp: true }, owner, {
    friendlyName: path,
    eventTypes: eventTypes as never,
    webhookUrl: `https://receiver.example${path}`,
  });

const record = (body: unknown, id = 'm1'): SQSRecord =>
  ({ messageId: id, body: JSON.stringify(body), attributes: {} }) as unknown as SQSRecord;

const event = (type: string, owner: { accountSid: string; serviceSid: string }, extra = {}) => ({
  version: '0',
  id: 'e1',
  'detail-type': type,
  source: 'verify-push-totp',
  detail: {
    idempotency_key: `YF${'a'.repeat(32)}.${type.split('.')[1]}`,
    account_sid: owner.accountSid,
    service_sid: owner.serviceSid,
    entity_identity: 'user-0001-alice',
    factor_sid: `YF${'a'.repeat(32)}`,
    factor_type: 'totp',
    factor_friendly_name: 'Phone',
    ...extra,
  },
});

function recorders(answers: TransportResult[] = []) {
  const queued: QueuedMessage[] = [];
  const deadLetters: string[] = [];
  const requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  const published: DomainEvent[] = [];
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const delivery: DeliveryDeps = {
    webhooks: deps.webhooks,
    services: deps.services,
    accounts: deps.accounts,
    tokenSealer: deps.tokenSealer,
    queue: {
      send: async (messages) => (queued.push(...messages), []),
      deadLetter: async (body) => void deadLetters.push(body),
    },
    transport: {
      post: async (url, headers, body) => (
        requests.push({ url, headers, body }),
        answers.shift() ?? { status: 200 }
      ),
    },
    publisher: { publish: async (events) => (published.push(...events), []) },
    now: () => new Date(clock),
    retryBaseMs: 30_000,
    retryWindowMs: 86_400_000,
  };
  return {
    queued,
    deadLetters,
    requests,
    published,
    delivery,
    advance: (ms: number) => (clock += ms),
    dispatch: { webhooks: deps.webhooks, queue: delivery.queue, now: delivery.now },
  };
}

describe('webhook dispatch', () => {
  it('fans an event out to every enabled webhook subscribed to its type or *, and to no other', async () => {
    const owner = await setUp();
    const all = await hook(owner, '/all', ['*']);
    const created = await hook(owner, '/created', ['factor.created', 'factor.deleted']);
    await hook(owner, '/verified', ['factor.verified']);
    const off = await hook(owner, '/off', ['*']);
    await updateWebhook(deps, { allowHttp: true }, { ...owner, sid: off.sid }, { status: 'disabled' });
    const other = await setUp();
    await hook(other, '/other', ['*']);

    const r = recorders();
    const result = await dispatchWebhookEvents([record(event('factor.created', owner))], r.dispatch);
    expect(result.batchItemFailures).toEqual([]);
    const messages = r.queued.map((m) => JSON.parse(m.body) as DeliveryMessage);
    expect(messages.map((m) => m.webhookSid).sort()).toEqual([all.sid, created.sid].sort());
    expect(messages[0]).toMatchObject({
      attempt: 1,
      eventType: 'factor.created',
      accountSid: owner.accountSid,
    });
    expect(messages[0]!.params).toMatchObject({ type: 'factor.created', entity_identity: 'user-0001-alice' });
    expect(r.queued.every((m) => m.delayMs === 0)).toBe(true);
  });

  it('drops what is not a webhook event, and reports a record whose messages could not be queued', async () => {
    const owner = await setUp();
    await hook(owner, '/all', ['*']);
    const r = recorders();
    const dropped = await dispatchWebhookEvents(
      [record(event('challenge.expired', owner), 'a'), record('not json', 'b')],
      r.dispatch,
    );
    expect(dropped.batchItemFailures).toEqual([]);
    expect(r.queued).toEqual([]);
    const failing = { ...r.dispatch, queue: { send: async () => [0], deadLetter: async () => {} } };
    const result = await dispatchWebhookEvents([record(event('factor.deleted', owner), 'c')], failing);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c' }]);
  });
});

describe('webhook delivery', () => {
  async function dispatched(
    r: ReturnType<typeof recorders>,
    owner: { accountSid: string; serviceSid: string },
  ) {
    await dispatchWebhookEvents([record(event('factor.created', owner))], r.dispatch);
    const first = r.queued.splice(0);
    expect(first).toHaveLength(1);
    return first[0]!.body;
  }

  it('POSTs the form, signed for twilio.validateRequest with the account token, with the idempotency token', async () => {
    const owner = await setUp();
    await hook(owner, '/hook?x=1', ['*']);
    const r = recorders();
    const body = await dispatched(r, owner);
    expect((await deliverWebhooks([record(JSON.parse(body))], r.delivery)).batchItemFailures).toEqual([]);
    const [request] = r.requests;
    const params = Object.fromEntries(new URLSearchParams(request!.body));
    expect(request!.url).toBe('https://receiver.example/hook?x=1');
    expect(
      twilio.validateRequest(owner.authToken, request!.headers['X-Twilio-Signature']!, request!.url, params),
    ).toBe(true);
    expect(request!.headers['I-Twilio-Idempotency-Token']).toMatch(/^[0-9a-f]{32}$/);
    expect(r.queued).toEqual([]);
    expect(r.published).toEqual([]);
  });

  it('retries with growing delays, keeps the idempotency token, and after the window dead-letters and reports', async () => {
    const owner = await setUp();
    const webhook = await hook(owner, '/down', ['factor.created']);
    const failures = Array.from({ length: 40 }, () => ({ status: 503 }));
    const r = recorders(failures);
    r.delivery.retryWindowMs = 3_600_000;
    let body = await dispatched(r, owner);
    const delays: number[] = [];
    for (let attempt = 1; attempt < 40; attempt++) {
      await deliverWebhooks([record(JSON.parse(body))], r.delivery);
      const next = r.queued.splice(0);
      if (next.length === 0) break;
      delays.push(next[0]!.delayMs);
      expect(JSON.parse(next[0]!.body)).toMatchObject({ attempt: attempt + 1 });
      body = next[0]!.body;
      r.advance(next[0]!.delayMs);
    }
    // Doubling from 30 s (with jitter: between half and all), never over 900 s, within the hour's window.
    expect(delays[0]).toBeGreaterThanOrEqual(15_000);
    expect(delays[0]).toBeLessThanOrEqual(30_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(900_000);
    expect(delays.reduce((sum, d) => sum + d, 0)).toBeLessThanOrEqual(3_600_000);
    expect(new Set(r.requests.map((q) => q.headers['I-Twilio-Idempotency-Token'])).size).toBe(1);
    expect(r.deadLetters).toHaveLength(1);
    expect(JSON.parse(r.deadLetters[0]!)).toMatchObject({
      webhookSid: webhook.sid,
      attempt: r.requests.length,
    });
    expect(r.published).toHaveLength(1);
    expect(r.published[0]).toMatchObject({
      type: 'webhook.delivery_failed',
      detail: {
        webhook_sid: webhook.sid,
        event_type: 'factor.created',
        attempts: r.requests.length,
        reason: 'http-503',
        last_status: 503,
      },
    });
    expect(JSON.stringify(r.published)).not.toContain('receiver.example');
  });

  it('retries a timeout like a failed status', async () => {
    const owner = await setUp();
    await hook(owner, '/slow', ['*']);
    const r = recorders([{ error: 'timeout' }]);
    await deliverWebhooks([record(JSON.parse(await dispatched(r, owner)))], r.delivery);
    expect(r.queued).toHaveLength(1);
    expect(JSON.parse(r.queued[0]!.body)).toMatchObject({ attempt: 2 });
  });

  it('sends nothing to a webhook disabled, unsubscribed or deleted after dispatch, and uses a changed URL', async () => {
    const owner = await setUp();
    const webhook = await hook(owner, '/a', ['*']);
    const r = recorders();
    const body = await dispatched(r, owner);
    const key = { ...owner, sid: webhook.sid };
    await updateWebhook(deps, { allowHttp: true }, key, { webhookUrl: 'https://receiver.example/moved' });
    await deliverWebhooks([record(JSON.parse(body))], r.delivery);
    expect(r.requests.map((q) => q.url)).toEqual(['https://receiver.example/moved']);
    await updateWebhook(deps, { allowHttp: true }, key, { status: 'disabled' });
    await deliverWebhooks([record(JSON.parse(body))], r.delivery);
    await updateWebhook(deps, { allowHttp: true }, key, {
      status: 'enabled',
      eventTypes: ['factor.deleted'],
    });
    await deliverWebhooks([record(JSON.parse(body))], r.delivery);
    await deleteWebhook(deps, owner.accountSid, owner.serviceSid, webhook.sid);
    await deliverWebhooks([record(JSON.parse(body))], r.delivery);
    expect(r.requests).toHaveLength(1);
    expect(r.queued).toEqual([]);
  });

  it('sends nothing for a service marked for deletion (its webhooks go with it)', async () => {
    const owner = await setUp();
    await hook(owner, '/a', ['*']);
    const r = recorders();
    const body = await dispatched(r, owner);
    await deps.services.markDeleting(owner.accountSid, owner.serviceSid, new Date());
    await deliverWebhooks([record(JSON.parse(body))], r.delivery);
    expect(r.requests).toEqual([]);
  });

  it('cannot sign for an account stored without a sealed token: nothing sent, the failure published', async () => {
    const owner = await setUp(false);
    const webhook = await hook(owner, '/a', ['*']);
    const r = recorders();
    await deliverWebhooks([record(JSON.parse(await dispatched(r, owner)))], r.delivery);
    expect(r.requests).toEqual([]);
    expect(r.published).toMatchObject([
      { type: 'webhook.delivery_failed', detail: { webhook_sid: webhook.sid, reason: 'no-signing-token' } },
    ]);
  });
});
