// @ts-nocheck
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdentity } from '../support/fixtures';
import { backendWithDevice } from '../support/push';
import { startTestServer, twilioFor } from '../support/server';

/**
 * How many DynamoDB calls each challenge operation makes once the function is warm (its credentials
 * already verified and remembered). Every call the handlers make goes through the one document client of
 * the process, so a middleware on it sees them all. It sees the low-level commands the document client
 * sends (`GetItemCommand` for a `GetCommand`, `TransactWriteItemsCommand` for a `TransactWriteCommand`, …).
 */
const calls: string[] = [];
/** When each call started and ended, in order: shows which calls ran at the same time. */
const timeline: string[] = [];
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
  server.deps.db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      calls.push(name);
      timeline.push(`start ${name}`);
      try {
        return await next(args);
      } finally {
        timeline.push(`end ${name}`);
      }
    },
    { step: 'initialize', name: 'countCalls' },
  );
});
afterAll(() => server?.close());

/** The DynamoDB calls `run` makes, in order; the credential cache must already be warm. */
async function callsOf(run: () => Promise<unknown>): Promise<string[]> {
  calls.length = 0;
  timeline.length = 0;
  await run();
  return calls.splice(0);
}

const sorted = (names: string[]) => [...names].sort();

/** A backend and an entity with a verified TOTP factor; its current step is used up by the verification. */
async function verifiedTotp() {
  const { client } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
  const entity = client.verify.v2.services(service.sid).entities(newIdentity());
  const factor = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
  const totp = new TOTP({ secret: (factor.binding as { secret: string }).secret });
  const verified = await entity.factors(factor.sid).update({ authPayload: totp.generate() });
  expect(verified.status).toBe('verified');
  // The next step: the current one was accepted already (replay protection), and skew 1 accepts the next.
  const nextCode = () => totp.generate({ timestamp: Date.now() + 30_000 });
  return { entity, factorSid: factor.sid, nextCode };
}

describe('DynamoDB calls per operation, warm', () => {
  it('fetch challenge: one GetItem', async () => {
    const { entity, factorSid } = await backendWithDevice(server.url, newIdentity());
    const challenge = await entity.challenges.create({ factorSid, 'details.message': 'Log in?' });
    await entity.challenges(challenge.sid).fetch(); // warm-up with the same credentials
    expect(await callsOf(() => entity.challenges(challenge.sid).fetch())).toEqual(['GetItemCommand']);
  });

  it('create push challenge: one BatchGetItem and one TransactWriteItems (the factor must still exist)', async () => {
    const { entity, factorSid } = await backendWithDevice(server.url, newIdentity());
    await entity.challenges.create({ factorSid, 'details.message': 'Warm-up' });
    const names = await callsOf(() => entity.challenges.create({ factorSid, 'details.message': 'Log in?' }));
    expect(names).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('create TOTP challenge with a valid AuthPayload: one BatchGetItem and one TransactWriteItems', async () => {
    const { entity, factorSid, nextCode } = await verifiedTotp();
    await entity.factors(factorSid).fetch(); // warm-up with the same credentials
    let status: string | undefined;
    const names = await callsOf(async () => {
      ({ status } = await entity.challenges.create({ factorSid, authPayload: nextCode() }));
    });
    expect(status).toBe('approved');
    expect(names).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('create TOTP challenge with a wrong AuthPayload: one BatchGetItem and one TransactWriteItems', async () => {
    const { entity, factorSid } = await verifiedTotp();
    await entity.factors(factorSid).fetch(); // warm-up with the same credentials
    let status: string | undefined;
    const names = await callsOf(async () => {
      ({ status } = await entity.challenges.create({ factorSid, authPayload: '000000' }));
    });
    expect(status).toBe('pending');
    expect(names).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('answer a push challenge with the device: two GetItem and one TransactWriteItems (with the lock check)', async () => {
    const { entity, factorSid, device } = await backendWithDevice(server.url, newIdentity());
    const challenge = await entity.challenges.create({ factorSid, 'details.message': 'Log in?' });
    // One device token for both requests, so the second finds the device's credentials remembered.
    const token = await device.deviceToken();
    const url = `${server.url}${new URL(challenge.url).pathname}`;
    const headers = {
      Authorization: `Basic ${Buffer.from(`token:${token}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const fetched = await fetch(url, { headers });
    expect(fetched.status).toBe(200);
    const body = (await fetched.json()) as Record<string, unknown>;
    const fields = fetched.headers.get('Twilio-Verify-Signature-Fields')!.split(',');
    const payload = Object.fromEntries([...fields.map((f) => [f, body[f]]), ['status', 'approved']]);
    const authPayload = await device.signJwt({ typ: 'JWT' }, payload);

    let status = 0;
    const names = await callsOf(async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ AuthPayload: authPayload }),
      });
      status = response.status;
      await response.text();
    });
    expect(status).toBe(200);
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('approved');
    expect(sorted(names)).toEqual(['GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
    // The device knows its factor: both reads are sent before either answers.
    expect(timeline.slice(0, 2)).toEqual(['start GetItemCommand', 'start GetItemCommand']);
  });

  it('answer a TOTP challenge with a right code: two GetItem and one TransactWriteItems', async () => {
    const { entity, factorSid, nextCode } = await verifiedTotp();
    const challenge = await entity.challenges.create({ factorSid });
    expect(challenge.status).toBe('pending');
    let status: string | undefined;
    const names = await callsOf(async () => {
      ({ status } = await entity.challenges(challenge.sid).update({ authPayload: nextCode() }));
    });
    expect(status).toBe('approved');
    expect(sorted(names)).toEqual(['GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
  });
});

describe('DynamoDB calls per attempt on a factor, warm', () => {
  it('answer a TOTP challenge with a wrong code: two GetItem and one TransactWriteItems', async () => {
    const { entity, factorSid } = await verifiedTotp();
    const challenge = await entity.challenges.create({ factorSid });
    let status: string | undefined;
    const names = await callsOf(async () => {
      ({ status } = await entity.challenges(challenge.sid).update({ authPayload: '000000' }));
    });
    expect(status).toBe('pending');
    expect(sorted(names)).toEqual(['GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('verify a factor with a wrong code: one GetItem and one UpdateItem', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const entity = client.verify.v2.services(service.sid).entities(newIdentity());
    const factor = await entity.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    let status: string | undefined;
    const names = await callsOf(async () => {
      ({ status } = await entity.factors(factor.sid).update({ authPayload: '000000' }));
    });
    expect(status).toBe('unverified');
    expect(names).toEqual(['GetItemCommand', 'UpdateItemCommand']);
  });
});
