// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, newDeviceKey, newNotificationToken } from '../../infra/device/client';
import { failureOf, startTestServer, twilioFor } from '../support/server';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

/** A backend with a service, and a device whose verified push factor is on `platform`. */
async function enrolled(platform: 'fcm' | 'apn' | 'none') {
  const { client } = await twilioFor(server.url);
  const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank' });
  const identity = 'user-0001-alice';
  const { token } = await client.verify.v2
    .services(service.sid)
    .accessTokens.create({ identity, factorType: 'push' });
  const device = new Device({
    baseUrl: server.url,
    serviceSid: service.sid,
    identity,
    privateKey: newDeviceKey(),
  });
  await device.createFactor(
    token,
    'Alice’s phone',
    platform === 'none' ? undefined : { platform, token: newNotificationToken(platform) },
  );
  await device.verifyFactor();
  const entity = client.verify.v2.services(service.sid).entities(identity);
  const challenge = await entity.challenges.create({
    factorSid: device.state.factorSid!,
    'details.message': 'Log in to Owl Bank?',
  });
  return { client, service, entity, device, challenge };
}

describe('Notifications through twilio-node', () => {
  it('resends a pending push challenge’s notification: 201 in the spec’s shape', async () => {
    const { service, entity, challenge } = await enrolled('fcm');
    const notification = await entity.challenges(challenge.sid).notifications.create({ ttl: 150 });
    expect(notification.toJSON()).toEqual({
      sid: expect.stringMatching(/^NT[0-9a-f]{32}$/),
      accountSid: challenge.accountSid,
      serviceSid: service.sid,
      entitySid: challenge.entitySid,
      identity: 'user-0001-alice',
      challengeSid: challenge.sid,
      priority: 'high',
      ttl: 150,
      dateCreated: expect.any(Date),
    });
    expect((await entity.challenges(challenge.sid).notifications.create()).ttl).toBe(300);
  });

  it('names why it cannot notify: Ttl out of range, platform none, answered, unknown challenge', async () => {
    const { entity, challenge, device } = await enrolled('apn');
    const notifications = entity.challenges(challenge.sid).notifications;
    const tooLong = await failureOf(notifications.create({ ttl: 301 }));
    expect(tooLong).toMatchObject({ status: 400, code: 60200 });
    expect(tooLong.message).toContain('Ttl');

    const polling = await enrolled('none');
    const none = await failureOf(polling.entity.challenges(polling.challenge.sid).notifications.create());
    expect(none).toMatchObject({ status: 400, code: 60200 });
    expect(none.message).toContain('notification platform none');

    await device.answer(challenge.sid, 'approved');
    expect(await failureOf(notifications.create())).toMatchObject({ status: 409 });
    expect(await failureOf(entity.challenges(`YC${'0'.repeat(32)}`).notifications.create())).toMatchObject({
      status: 404,
    });
  });

  it('stops at 5 resends per challenge (429, 60203)', async () => {
    const { entity, challenge } = await enrolled('fcm');
    const notifications = entity.challenges(challenge.sid).notifications;
    for (let i = 0; i < 5; i++) await notifications.create();
    expect(await failureOf(notifications.create())).toMatchObject({ status: 429, code: 60203 });
  });
});
