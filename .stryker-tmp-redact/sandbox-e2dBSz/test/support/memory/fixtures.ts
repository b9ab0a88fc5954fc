// @ts-nocheck
import { CompactSign } from 'jose';
import { createFactor, verifyFactor } from '../../../shared/app/factors';
import type { Principal } from '../../../shared/app/principal';
import { signedFields, type Challenge } from '../../../shared/domain/challenge';
import { DomainError } from '../../../shared/domain/errors';
import type { PushFactor, TotpFactor } from '../../../shared/domain/factor';
import { createService, type ServiceChanges } from '../../../shared/domain/service';
import { newSid, SidPrefix } from '../../../shared/domain/sid';
import { totpCode, totpStep } from '../../../shared/domain/totp';
import { twilioError } from '../../../shared/http/errors';
import { pushFactorRequest } from '../factors';
import { deviceKey, newIdentity, signFactorSid } from '../fixtures';
import type { MemoryDeps } from '.';

/** Fixtures of the use cases' unit tests, on the in-memory stores (`memoryDeps`). */

export const backend = (accountSid: string): Principal => ({ kind: 'account', accountSid });

/** A live service of a new account. */
export async function newService(deps: MemoryDeps, changes: ServiceChanges = {}) {
  const service = createService(newSid(SidPrefix.account), { friendlyName: 'Bank', ...changes }, deps.now());
  await deps.services.create(service);
  return service;
}

/** A TOTP factor of a new entity (verified unless told otherwise), and the codes of its secret. */
export async function totpFactor(deps: MemoryDeps, options: { verified?: boolean } = {}) {
  const service = await newService(deps);
  const { factor, binding } = await createFactor(deps, backend(service.accountSid), {
    serviceSid: service.sid,
    identity: newIdentity(),
    friendlyName: 'Phone',
    factorType: 'totp',
    config: {},
  });
  const secret = binding.secret!;
  /** The code of the step `offset` steps from now. */
  const codeAt = (offset: number) => totpCode(secret, (factor as TotpFactor).config, step() + offset);
  const step = () => totpStep(deps.now(), 30);
  const verified = options.verified === false ? factor : await verifyFactor(deps, factor, codeAt(0));
  return { service, factor: verified as TotpFactor, secret, codeAt, step };
}

/** A push factor of a new entity (verified unless told otherwise), and its device's key. */
export async function pushFactor(deps: MemoryDeps, options: { verified?: boolean } = {}) {
  const service = await newService(deps);
  const device = deviceKey();
  const request = pushFactorRequest(service.sid, newIdentity(), device.publicKey);
  const { factor } = await createFactor(deps, backend(service.accountSid), request);
  const verified =
    options.verified === false
      ? factor
      : await verifyFactor(deps, factor, signFactorSid(device.privateKey, factor.sid));
  return { service, factor: verified as PushFactor, device };
}

/** A device's answer to a push challenge: a JWT of the challenge's signed fields and the status. */
export const signAnswer = (challenge: Challenge, device: ReturnType<typeof deviceKey>, status: string) =>
  new CompactSign(Buffer.from(JSON.stringify({ ...signedFields(challenge), status })))
    .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
    .sign(device.privateKey);

/** How a call that must fail is answered (kind, Twilio status and code); throws when it succeeds. */
export async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw error;
  const { status, code } = twilioError(error);
  return { kind: error.kind, status, code, message: error.message, detail: error.detail };
}
