import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_IMPLEMENTED } from '../../shared/http/not-implemented';
import { failureOf, rawRequest, startTestServer, twilioFor } from '../support/server';

/** Answers a newcomer found unclear: each names what went wrong (README, Errors). */
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const NOT_IMPLEMENTED_MESSAGE = /is a Twilio Verify API resource that is not implemented by this service/;

describe('Twilio Verify routes this service does not implement', () => {
  it('answer 501 (20501) through twilio-node, distinct from the 404 of a mistyped path', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const svc = client.verify.v2.services(service.sid);
    for (const call of [
      svc.verifications.create({ to: '+15017122661', channel: 'sms' }),
      svc.verificationChecks.create({ to: '+15017122661', code: '123456' }),
      svc.rateLimits.list(),
      svc.messagingConfigurations('US').fetch(),
      client.verify.v2.templates.list(),
    ]) {
      const failure = await failureOf(call);
      expect(failure).toMatchObject({ status: 501, code: 20501 });
      expect(failure.message).toMatch(NOT_IMPLEMENTED_MESSAGE);
    }
    const typo = await rawRequest(`${server.url}/v2/Services/${service.sid}/Verification`, {});
    expect(typo.body).toMatchObject({ status: 404, code: 20404 });
  });

  it('answer 501 on every such path and method, without credentials, with Twilio’s error shape', async () => {
    for (const { resource, path } of NOT_IMPLEMENTED) {
      const concrete = path.replace(/\{\w+\}/g, 'X1');
      for (const method of ['GET', 'POST', 'DELETE']) {
        const { status, body } = await rawRequest(`${server.url}${concrete}`, { method });
        expect([concrete, method, status]).toEqual([concrete, method, 501]);
        expect(body).toEqual({
          code: 20501,
          message: `${resource} is a Twilio Verify API resource that is not implemented by this service, which serves Push and TOTP factors only`,
          more_info: 'https://www.twilio.com/docs/errors/20501',
          status: 501,
        });
      }
    }
    // A path one segment off is not one of them.
    expect((await rawRequest(`${server.url}/v2/Services/X1/RateLimits/X1/Buckets/X1/More`, {})).status).toBe(
      404,
    );
  });
});

describe('challenge create with a FactorSid that names no factor', () => {
  it('answers 404 naming FactorSid and the SID, not the Challenges URL', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const alice = client.verify.v2.services(service.sid).entities('user-0001-alice');
    await alice.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    const mistyped = `YF${'0'.repeat(32)}`;
    const failure = await failureOf(alice.challenges.create({ factorSid: mistyped }));
    expect(failure).toMatchObject({
      status: 404,
      code: 20404,
      message: `The requested resource was not found: FactorSid ${mistyped} is no factor of this entity`,
    });
  });
});

describe('an identity outside Twilio’s rule (README, Troubleshooting)', () => {
  it('answers 400 (60200) with the rule: 8 to 64 dash-separated letters or digits', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    for (const identity of ['alice', 'alice@example.com']) {
      const failure = await failureOf(client.verify.v2.services(service.sid).entities(identity).fetch());
      expect(failure).toMatchObject({
        status: 400,
        code: 60200,
        message:
          'Invalid parameter Identity: must be 8 to 64 letters or digits, in groups joined by single dashes',
      });
    }
  });
});

describe('a TOTP code used again on a verified factor', () => {
  it('answers 403 (60311) saying the code was already used', async () => {
    const { client } = await twilioFor(server.url);
    const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
    const alice = client.verify.v2.services(service.sid).entities('user-0001-alice');
    const factor = await alice.newFactors.create({ friendlyName: 'Alice', factorType: 'totp' });
    const code = new TOTP({ secret: factor.binding.secret }).generate();
    expect((await alice.factors(factor.sid).update({ authPayload: code })).status).toBe('verified');
    const again = await failureOf(alice.factors(factor.sid).update({ authPayload: code }));
    expect(again).toMatchObject({
      status: 403,
      code: 60311,
      message: 'Factor verification failed: this code was already used; wait for the next one',
    });
    // A wrong code keeps the plain message.
    const wrong = code === '000000' ? '111111' : '000000';
    const failure = await failureOf(alice.factors(factor.sid).update({ authPayload: wrong }));
    expect(failure).toMatchObject({ status: 403, code: 60311, message: 'Factor verification failed' });
  });
});
