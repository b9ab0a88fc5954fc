// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendWithDevice } from '../support/push';
import { failureOf, startTestServer } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const pushChallenge = (factorSid: string) => ({ factorSid, 'details.message': 'Log in?' });
/** Every name Object.prototype has, as the keys of a JSON object of strings. */
const prototypeNames = Object.fromEntries(
  Object.getOwnPropertyNames(Object.prototype)
    .filter((name) => name !== '__proto__' && name !== 'constructor')
    .map((name, i) => [name, `v${i}`]),
);

/**
 * `__proto__` and `constructor` are refused in user JSON objects (the AWS SDK's DynamoDB marshalling cannot
 * store them as map keys); every other key, `toString` and `hasOwnProperty` included, is data that
 * round-trips through DynamoDB and back into the JSON answers.
 */
describe('JSON objects users send (HiddenDetails, Details.Fields, Metadata)', () => {
  it.each(['__proto__', 'constructor'])(
    'refuses a "%s" key with a 400 naming the parameter, and writes nothing',
    async (key) => {
      const { entity, factorSid, device } = await backendWithDevice(server.url);
      const json = `{"${key}":"x"}`;
      const refusals: [() => Promise<unknown>, string, string][] = [
        [
          () => entity.challenges.create({ ...pushChallenge(factorSid), hiddenDetails: json }),
          'HiddenDetails',
          `must not use "${key}" as a key`,
        ],
        [
          () =>
            entity.challenges.create({
              ...pushChallenge(factorSid),
              'details.fields': [`{"label":"a","value":"b","${key}":"x"}`],
            }),
          'Details.Fields',
          'each must be a JSON object with only string "label" and "value"',
        ],
        [
          () =>
            entity.newFactors.create({ friendlyName: 'Authenticator', factorType: 'totp', metadata: json }),
          'Metadata',
          `must not use "${key}" as a key`,
        ],
      ];
      for (const [call, name, reason] of refusals) {
        expect(await failureOf(call()), name).toMatchObject({
          status: 400,
          code: 60200,
          message: `Invalid parameter ${name}: ${reason}`,
        });
      }
      expect(await entity.challenges.list()).toEqual([]);
      expect(await entity.factors.list()).toHaveLength(1);

      const challenge = await entity.challenges.create(pushChallenge(factorSid));
      const { challenge: fetched, signatureFields } = await device.fetchChallenge(challenge.sid);
      const claims = Object.fromEntries(signatureFields!.map((f) => [f, fetched[f]]));
      const authPayload = await device.signJwt({ typ: 'JWT' }, { ...claims, status: 'approved' });
      expect(
        await failureOf(entity.challenges(challenge.sid).update({ authPayload, metadata: json })),
      ).toMatchObject({
        status: 400,
        code: 60200,
        message: `Invalid parameter Metadata: must not use "${key}" as a key`,
      });
      expect(await entity.challenges(challenge.sid).fetch()).toMatchObject({
        status: 'pending',
        metadata: null,
      });
    },
  );

  it("stores and returns Object.prototype's other names as ordinary keys", async () => {
    const { entity, factorSid, device } = await backendWithDevice(server.url);
    const created = await entity.challenges.create({
      ...pushChallenge(factorSid),
      hiddenDetails: prototypeNames,
      'details.fields': [{ label: 'toString', value: 'hasOwnProperty' }],
    });
    expect(created.hiddenDetails).toEqual(prototypeNames);
    // The device signs the stored hidden details; the answer compares them with what it signed.
    const answered = await device.answer(created.sid, 'approved');
    expect(answered).toMatchObject({ status: 'approved', hidden_details: prototypeNames });
    const fetched = await entity.challenges(created.sid).fetch();
    expect(fetched.hiddenDetails).toEqual(prototypeNames);
    expect(fetched.details.fields).toEqual([{ label: 'toString', value: 'hasOwnProperty' }]);

    const second = await entity.challenges.create(pushChallenge(factorSid));
    const { challenge: body, signatureFields } = await device.fetchChallenge(second.sid);
    const claims = Object.fromEntries(signatureFields!.map((f) => [f, body[f]]));
    const authPayload = await device.signJwt({ typ: 'JWT' }, { ...claims, status: 'denied' });
    const updated = await entity.challenges(second.sid).update({ authPayload, metadata: prototypeNames });
    expect(updated.metadata).toEqual(prototypeNames);
    expect((await entity.challenges(second.sid).fetch()).metadata).toEqual(prototypeNames);

    const factor = await entity.newFactors.create({
      friendlyName: 'Authenticator',
      factorType: 'totp',
      metadata: prototypeNames,
    });
    expect(factor.metadata).toEqual(prototypeNames);
    expect((await entity.factors(factor.sid).fetch()).metadata).toEqual(prototypeNames);
  });
});
