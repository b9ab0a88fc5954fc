// @ts-nocheck
import { Device, newDeviceKey } from '../../infra/device/client';
import { twilioFor } from './server';

/** A backend (twilio-node) with a service, and a device that enrolled a verified push factor in it. */
export async function backendWithDevice(url: string, identity = 'user-0001-alice', serviceParams = {}) {
  const { client, account } = await twilioFor(url);
  const service = await client.verify.v2.services.create({ friendlyName: 'Owl Bank', ...serviceParams });
  const { token } = await client.verify.v2
    .services(service.sid)
    .accessTokens.create({ identity, factorType: 'push' });
  const device = new Device({ baseUrl: url, serviceSid: service.sid, identity, privateKey: newDeviceKey() });
  await device.createFactor(token, 'Alice’s Pixel');
  await device.verifyFactor();
  const entity = client.verify.v2.services(service.sid).entities(identity);
  return { client, account, service, entity, device, factorSid: device.state.factorSid! };
}
