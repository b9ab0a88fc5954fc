// @ts-nocheck
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createFactor, verifyFactor } from '../../shared/app/factors';
import type { Principal } from '../../shared/app/principal';
import type { PushFactor, TotpFactor } from '../../shared/domain/factor';
import { createService } from '../../shared/domain/service';
import { totpCode, totpStep } from '../../shared/domain/totp';
import { twilioError } from '../../shared/http/errors';
import { testDeps, twilioCode } from '../support/deps';
import { createAccount, deviceKey, newIdentity } from '../support/fixtures';

const deps = testDeps();
/** The dependencies with the clock stopped at `now`. */
const at = (now: Date) => ({ ...deps, now: () => now });
const backend = (accountSid: string): Principal => ({ kind: 'account', accountSid });

async function newService() {
  const account = await createAccount();
  const service = createService(account.sid, { friendlyName: 'Bank' }, new Date());
  await deps.services.create(service);
  return { accountSid: account.sid, serviceSid: service.sid };
}

async function newTotpFactor(owner: { accountSid: string; serviceSid: string }) {
  const { factor, binding } = await createFactor(deps, backend(owner.accountSid), {
    serviceSid: owner.serviceSid,
    identity: newIdentity(),
    friendlyName: 'Alice',
    factorType: 'totp',
    config: {},
  });
  return { factor: factor as TotpFactor, secret: binding.secret! };
}

const pushRequest = (owner: { accountSid: string; serviceSid: string }, identity: string) => ({
  serviceSid: owner.serviceSid,
  identity,
  friendlyName: 'Pixel',
  factorType: 'push' as const,
  publicKey: deviceKey().publicKey,
  config: {
    sdkVersion: '0.9.0',
    appId: 'com.example',
    notificationPlatform: 'none' as const,
    notificationToken: null,
  },
});

const errorCode = (result: PromiseSettledResult<unknown>) =>
  result.status === 'rejected' ? twilioCode(result.reason) : undefined;

describe('factors on DynamoDB Local', () => {
  it('creates the entity with its first factor and stores the TOTP secret only sealed', async () => {
    const owner = await newService();
    const { factor, secret } = await newTotpFactor(owner);
    expect(await deps.entities.get(owner.accountSid, owner.serviceSid, factor.identity)).toMatchObject({
      sid: factor.entitySid,
    });
    const { Items = [] } = await deps.db.send(new ScanCommand({ TableName: deps.config.tableName }));
    const dump = JSON.stringify(Items);
    expect(dump).toContain(factor.sid);
    expect(dump).not.toContain(secret);
    const stored = (await deps.factors.get(
      owner.accountSid,
      owner.serviceSid,
      factor.identity,
      factor.sid,
    )) as TotpFactor;
    expect(await deps.sealer.open(stored.sealedSecret, factor.sid)).toBe(secret);
  });

  it('allows exactly 20 push factors per entity, however many requests race', async () => {
    const owner = await newService();
    const identity = newIdentity();
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () =>
        createFactor(deps, backend(owner.accountSid), pushRequest(owner, identity)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(results.filter((r) => errorCode(r) === 60315)).toHaveLength(5);
    const page = await deps.factors.list(owner.accountSid, owner.serviceSid, identity, { pageSize: 100 });
    expect(page.items).toHaveLength(20);
    const entitySids = new Set(page.items.map((factor) => factor.entitySid));
    expect(entitySids.size).toBe(1);
  });

  it('counts exactly five of ten racing wrong codes, then locks the factor for a minute', async () => {
    const owner = await newService();
    const { factor, secret } = await newTotpFactor(owner);
    const now = new Date();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => verifyFactor(at(now), factor, '000000')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => errorCode(r) === 60310)).toHaveLength(5);
    const lockedUntil = new Date(now.getTime() + 60_000);
    const locked = await deps.factors.get(owner.accountSid, owner.serviceSid, factor.identity, factor.sid);
    expect(locked).toMatchObject({ failedAttempts: 5, lockedUntil: lockedUntil.toISOString() });
    const right = totpCode(secret, factor.config, totpStep(now, factor.config.timeStep));
    const refusal = await verifyFactor(at(now), locked!, right).catch((error: unknown) => error);
    expect(twilioError(refusal, undefined, now)).toMatchObject({
      status: 429,
      code: 60310,
      headers: { 'Retry-After': '60' },
    });
    // Once the minute has passed, the right code of that time verifies and the count starts again.
    const right2 = totpCode(secret, factor.config, totpStep(lockedUntil, factor.config.timeStep));
    expect(await verifyFactor(at(lockedUntil), locked!, right2)).toMatchObject({
      status: 'verified',
      failedAttempts: 0,
      lockedUntil: null,
    });
  });

  it('accepts a code once: of concurrent uses exactly one verifies, and the code is dead afterwards', async () => {
    const owner = await newService();
    const { factor, secret } = await newTotpFactor(owner);
    const now = new Date();
    const code = totpCode(secret, factor.config, totpStep(now, factor.config.timeStep));
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => verifyFactor(at(now), factor, code)),
    );
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.status === 'verified')).toHaveLength(1);
    expect(results.filter((r) => errorCode(r) === 60311)).toHaveLength(3);
    const verified = await deps.factors.get(owner.accountSid, owner.serviceSid, factor.identity, factor.sid);
    // The losers found the factor changed under them, read it again and counted the used code as a failure.
    expect(verified!.failedAttempts).toBe(3);
    await expect(verifyFactor(at(now), verified!, code)).rejects.toSatisfy((e) => twilioCode(e) === 60311);
    const later = new Date(now.getTime() + 60_000);
    const next = totpCode(secret, factor.config, totpStep(later, factor.config.timeStep));
    expect((await verifyFactor(at(later), verified!, next)).status).toBe('verified');
  });

  it('deletes a push factor with its device-key record', async () => {
    const owner = await newService();
    const { factor } = await createFactor(deps, backend(owner.accountSid), pushRequest(owner, newIdentity()));
    const push = factor as PushFactor;
    expect(await deps.factors.getDeviceKey(push.config.credentialSid)).toMatchObject({
      factorSid: push.sid,
      publicKey: push.binding.publicKey,
    });
    expect(await deps.factors.delete(push)).toBe(true);
    expect(await deps.factors.getDeviceKey(push.config.credentialSid)).toBeUndefined();
    expect(await deps.factors.delete(push)).toBe(false);
  });
});
