import { describe, expect, it, vi } from 'vitest';
import { createFactor } from '../../../shared/app/factors';
import type { EntityStore, FactorStore, SecretSealer, ServiceStore } from '../../../shared/app/ports';
import { newEntity } from '../../../shared/domain/entity';
import { DomainError } from '../../../shared/domain/errors';
import { createService } from '../../../shared/domain/service';

const accountSid = `AC${'1'.repeat(32)}`;
const now = new Date('2026-12-01T10:00:00Z');
const service = createService(accountSid, { friendlyName: 'Bank' }, now);
const identity = 'user-0001-alice';
const request = {
  serviceSid: service.sid,
  identity,
  friendlyName: 'Alice',
  factorType: 'totp' as const,
  config: {},
};

/** Stores whose factor creation answers the given outcomes in turn. */
function deps(outcomes: Awaited<ReturnType<FactorStore['create']>>[]) {
  const entity = newEntity(accountSid, service.sid, identity, now);
  const create = vi.fn(async () => outcomes.shift()!);
  const getEntity = vi.fn(async () => entity);
  return {
    create,
    getEntity,
    deps: {
      now: () => now,
      services: { get: async () => service } as unknown as ServiceStore,
      entities: { get: getEntity } as unknown as EntityStore,
      factors: { create } as unknown as FactorStore,
      sealer: { seal: async (secret: string) => `sealed:${secret}` } as unknown as SecretSealer,
    },
  };
}

const backend = { kind: 'account' as const, accountSid };

describe('createFactor', () => {
  it('reads the entity again and retries once when a concurrent request changed it', async () => {
    const { deps: d, create, getEntity } = deps(['entity-changed', 'created']);
    const { factor } = await createFactor(d, backend, request);
    expect(factor.identity).toBe(identity);
    expect(create).toHaveBeenCalledTimes(2);
    // The first attempt had no entity (a new one); the retry uses the one read again.
    expect(getEntity).toHaveBeenCalledTimes(2);
    expect(create.mock.calls[1]).toMatchObject([expect.anything(), expect.anything(), false, undefined]);
  });

  it('gives up with a 409 when the entity keeps changing', async () => {
    const { deps: d, create } = deps(['entity-changed', 'entity-changed', 'created']);
    const error = await createFactor(d, backend, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('lets an enrollment token create only a push factor of its own entity', async () => {
    const { deps: d, create } = deps(['created']);
    const enrollment = {
      kind: 'enrollment' as const,
      accountSid,
      serviceSid: service.sid,
      identity,
      factorFriendlyName: null,
      tokenSid: `YK${'2'.repeat(32)}`,
    };
    await expect(createFactor(d, enrollment, request)).rejects.toMatchObject({
      kind: 'invalid-parameter',
      detail: { parameter: 'FactorType' },
    });
    await expect(
      createFactor(d, enrollment, { ...request, identity: 'user-0002-bob' }),
    ).rejects.toMatchObject({
      kind: 'not-found',
    });
    expect(create).not.toHaveBeenCalled();
  });
});
