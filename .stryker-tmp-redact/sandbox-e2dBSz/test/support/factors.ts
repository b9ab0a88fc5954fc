// @ts-nocheck
import { createFactor, verifyFactor, type NewFactorRequest } from '../../shared/app/factors';
import type { Principal } from '../../shared/app/principal';
import type { Dependencies } from '../../shared/dependencies';
import { createService } from '../../shared/domain/service';
import { createAccount, deviceKey, newIdentity, signFactorSid } from './fixtures';

/** The backend of an account: account credentials. */
export const backend = (accountSid: string): Principal => ({ kind: 'account', accountSid });

/** A fresh account with a service, and an identity not used yet. */
export async function newOwner(deps: Pick<Dependencies, 'services'>) {
  const account = await createAccount();
  const service = createService(account.sid, { friendlyName: 'Bank' }, new Date());
  await deps.services.create(service);
  return { accountSid: account.sid, serviceSid: service.sid, identity: newIdentity() };
}

/** A push factor request, as a backend would make it, for `identity` of `serviceSid`. */
export const pushFactorRequest = (
  serviceSid: string,
  identity: string,
  publicKey = deviceKey().publicKey,
): NewFactorRequest => ({
  serviceSid,
  identity,
  friendlyName: 'Pixel',
  factorType: 'push',
  publicKey,
  config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
});

/** A verified push factor of a new owner, and the device key that signs for it. */
export async function verifiedPushFactor(deps: Dependencies) {
  const device = deviceKey();
  const { accountSid, serviceSid, identity } = await newOwner(deps);
  const request = pushFactorRequest(serviceSid, identity, device.publicKey);
  const { factor } = await createFactor(deps, backend(accountSid), request);
  const verified = await verifyFactor(deps, factor, signFactorSid(device.privateKey, factor.sid));
  return { factor: verified, device };
}
