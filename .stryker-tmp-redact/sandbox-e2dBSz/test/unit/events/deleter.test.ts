// @ts-nocheck
import { describe, expect, it, vi } from 'vitest';
import { continueDeletions, type DeleterDeps } from '../../../shared/app/deletion';
import type { DeletionWork } from '../../../shared/app/ports';
import { newEntity } from '../../../shared/domain/entity';
import { createService } from '../../../shared/domain/service';
import { matchesAnyPattern } from '../../../shared/events/filter-match';
import { DELETER_FILTER_PATTERNS, STREAM_FILTER_PATTERNS } from '../../../shared/events/filters';
import { Keys } from '../../../shared/store/keys';
import { streamRecord } from '../../support/stream-records';

const now = new Date('2026-11-22T10:00:00Z');
const service = createService(`AC${'a'.repeat(32)}`, { friendlyName: 'Bank' }, now);
const serviceItem = { ...Keys.service(service.accountSid, service.sid), type: 'service', ...service };
const entity = newEntity(service.accountSid, service.sid, 'user-12345678', now);
const entityItem = {
  ...Keys.entity(entity.accountSid, entity.serviceSid, entity.identity),
  type: 'entity',
  ...entity,
  pushFactorCount: 1,
};
const marked = <T extends object>(item: T, round = 0) => ({
  ...item,
  deleting: '2026-11-22T10:01:00Z',
  deletionRound: round,
});

const passes = (record: unknown) => matchesAnyPattern(record, DELETER_FILTER_PATTERNS);

describe('the deleter’s stream filter', () => {
  it('lets through a service or entity being marked, and each later write to the marked item', () => {
    expect(passes(streamRecord('MODIFY', serviceItem, marked(serviceItem)))).toBe(true);
    expect(passes(streamRecord('MODIFY', marked(serviceItem), marked(serviceItem, 1)))).toBe(true);
    expect(passes(streamRecord('MODIFY', entityItem, marked(entityItem)))).toBe(true);
    expect(passes(streamRecord('MODIFY', marked(entityItem, 3), marked(entityItem, 4)))).toBe(true);
  });

  it('drops everything else: creations, ordinary updates, and the removal that ends a deletion', () => {
    expect(passes(streamRecord('INSERT', undefined, serviceItem))).toBe(false);
    const renamed = { ...serviceItem, friendlyName: 'New' };
    const counted = { ...entityItem, pushFactorCount: 2 };
    expect(passes(streamRecord('MODIFY', serviceItem, renamed))).toBe(false);
    expect(passes(streamRecord('MODIFY', entityItem, counted))).toBe(false);
    expect(passes(streamRecord('REMOVE', marked(serviceItem), undefined))).toBe(false);
    expect(passes(streamRecord('REMOVE', marked(entityItem), undefined))).toBe(false);
  });

  it('is not a filter of the stream handler: marks produce no events', () => {
    expect(
      matchesAnyPattern(streamRecord('MODIFY', serviceItem, marked(serviceItem)), STREAM_FILTER_PATTERNS),
    ).toBe(false);
  });
});

describe('continueDeletions', () => {
  const fakeDeps = (progress: 'done' | 'more', failing = false) => {
    const deps = {
      services: {
        purge: vi.fn(async (_a: string, _s: string, _w: DeletionWork) => {
          if (failing) throw new Error('throttled');
          return progress;
        }),
        continueLater: vi.fn(async () => undefined),
      },
      entities: {
        purge: vi.fn(async (_a: string, _s: string, _i: string, _w: DeletionWork) => progress),
        continueLater: vi.fn(async () => undefined),
      },
    };
    return deps satisfies DeleterDeps;
  };

  it('continues each marked item once per batch, from the last child, and hands over what is left', async () => {
    const deps = fakeDeps('more');
    const records = [
      streamRecord('MODIFY', serviceItem, marked(serviceItem)),
      streamRecord('MODIFY', marked(serviceItem), marked(serviceItem, 1)),
      streamRecord('MODIFY', entityItem, marked(entityItem)),
    ];
    const response = await continueDeletions(records, deps, 12345);
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.services.purge.mock.calls).toEqual([
      [service.accountSid, service.sid, { deadline: 12345, from: 'last' }],
    ]);
    expect(deps.services.continueLater.mock.calls).toEqual([[service.accountSid, service.sid]]);
    expect(deps.entities.purge.mock.calls).toEqual([
      [entity.accountSid, entity.serviceSid, entity.identity, { deadline: 12345, from: 'last' }],
    ]);
    expect(deps.entities.continueLater).toHaveBeenCalledTimes(1);
  });

  it('hands nothing over when a deletion is done', async () => {
    const deps = fakeDeps('done');
    await continueDeletions([streamRecord('MODIFY', serviceItem, marked(serviceItem))], deps, 1);
    expect(deps.services.continueLater).not.toHaveBeenCalled();
  });

  it('reports the records of a deletion that failed, so that Lambda delivers them again', async () => {
    const deps = fakeDeps('more', true);
    const records = [
      streamRecord('MODIFY', entityItem, marked(entityItem)),
      streamRecord('MODIFY', serviceItem, marked(serviceItem)),
      streamRecord('MODIFY', marked(serviceItem), marked(serviceItem, 1)),
    ];
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await continueDeletions(records, deps, 1);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: records[1]!.dynamodb!.SequenceNumber },
      { itemIdentifier: records[2]!.dynamodb!.SequenceNumber },
    ]);
    expect(deps.entities.continueLater).toHaveBeenCalledTimes(1);
  });
});
