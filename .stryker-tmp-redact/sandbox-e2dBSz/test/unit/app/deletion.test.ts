// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { continueDeletions, deletionTarget } from '../../../shared/app/deletion';
import { createFactor } from '../../../shared/app/factors';
import { Keys } from '../../../shared/store/keys';
import { pushFactorRequest } from '../../support/factors';
import { newIdentity } from '../../support/fixtures';
import { memoryDeps, type MemoryDeps } from '../../support/memory';
import { backend, newService } from '../../support/memory/fixtures';
import { streamRecord } from '../../support/stream-records';

const at = new Date('2026-12-01T10:00:00Z');

/** The stream record of the item at `key` as it is now in the table (after being marked, say). */
function recordOf(deps: MemoryDeps, key: { pk: string; sk: string }) {
  const item = deps.table.get(key)!;
  return streamRecord('MODIFY', { ...item, deleting: undefined } as never, item as never);
}

describe('deletionTarget', () => {
  const key = { pk: 'X', sk: 'Y' };
  const marked = { ...key, deleting: '2026-12-01T10:00:00Z' };
  /** The record of an item changed to `after`. */
  const changed = (after: Record<string, unknown>) => streamRecord('MODIFY', key, after as typeof key);

  it('names the marked service or entity of a record', () => {
    const service = { ...marked, type: 'service', accountSid: 'AC1', sid: 'VA1' };
    const entity = { ...marked, type: 'entity', accountSid: 'AC1', serviceSid: 'VA1', identity: 'user-0001' };
    expect(deletionTarget(changed(service))).toEqual({
      kind: 'service',
      accountSid: 'AC1',
      sid: 'VA1',
    });
    expect(deletionTarget(changed({ ...entity, sid: 'YE1' }))).toEqual({
      kind: 'entity',
      accountSid: 'AC1',
      serviceSid: 'VA1',
      identity: 'user-0001',
    });
  });

  it('names nothing for a removal, an unmarked item, an item of another type or one missing its keys', () => {
    const service = { ...marked, type: 'service', accountSid: 'AC1', sid: 'VA1' };
    const entity = { ...marked, type: 'entity', accountSid: 'AC1', serviceSid: 'VA1', identity: 'user-0001' };
    expect(deletionTarget(streamRecord('REMOVE', service as typeof key, undefined))).toBeUndefined();
    expect(deletionTarget(changed({ ...service, deleting: undefined }))).toBeUndefined();
    expect(deletionTarget(changed({ ...service, type: 'factor' }))).toBeUndefined();
    expect(deletionTarget(changed({ ...service, sid: undefined }))).toBeUndefined();
    expect(deletionTarget(changed({ ...service, accountSid: undefined }))).toBeUndefined();
    expect(deletionTarget(changed({ ...entity, identity: undefined }))).toBeUndefined();
    expect(deletionTarget(changed({ ...entity, serviceSid: undefined }))).toBeUndefined();
    expect(deletionTarget(changed({ ...entity, accountSid: undefined }))).toBeUndefined();
  });
});

describe('continueDeletions on the in-memory stores', () => {
  it('works a marked service off over rounds, handing over until it is gone', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    for (let i = 0; i < 3; i++) {
      await createFactor(deps, backend(service.accountSid), pushFactorRequest(service.sid, newIdentity()));
    }
    expect(await deps.services.markDeleting(service.accountSid, service.sid, at)).toBe('marked');
    const key = Keys.service(service.accountSid, service.sid);
    // Out of time at once: one pass, and the rest handed to the next invocation.
    expect(await continueDeletions([recordOf(deps, key)], deps, Date.now() - 1)).toEqual({
      batchItemFailures: [],
    });
    expect(deps.table.get(key)).toMatchObject({ deletionRound: 1 });
    expect(await continueDeletions([recordOf(deps, key)], deps, Date.now() + 5_000)).toEqual({
      batchItemFailures: [],
    });
    expect(deps.table.items()).toEqual([]);
  });

  it('finishes a marked entity, leaving its service and the other entities alone', async () => {
    const deps = memoryDeps({ now: at });
    const service = await newService(deps);
    const [gone, kept] = [newIdentity(), newIdentity()];
    await createFactor(deps, backend(service.accountSid), pushFactorRequest(service.sid, gone));
    const { factor } = await createFactor(
      deps,
      backend(service.accountSid),
      pushFactorRequest(service.sid, kept),
    );
    await deps.entities.markDeleting(service.accountSid, service.sid, gone, at);
    const record = recordOf(deps, Keys.entity(service.accountSid, service.sid, gone));
    const unrelated = streamRecord('MODIFY', { pk: 'X', sk: 'Y' }, { pk: 'X', sk: 'Y' });
    expect(await continueDeletions([unrelated, record, { ...record }], deps, Date.now() + 5_000)).toEqual({
      batchItemFailures: [],
    });
    expect(deps.table.get(Keys.entity(service.accountSid, service.sid, gone))).toBeUndefined();
    expect(await deps.factors.get(factor.accountSid, factor.serviceSid, kept, factor.sid)).toEqual(factor);
    expect(await deps.services.get(service.accountSid, service.sid)).toEqual(service);
  });
});
