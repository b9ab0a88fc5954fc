import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeletionWork, EntityStore, ServiceStore } from './ports';
import { log } from '../observability/log';

export interface DeleterDeps {
  services: Pick<ServiceStore, 'purge' | 'continueLater'>;
  entities: Pick<EntityStore, 'purge' | 'continueLater'>;
}

/** A service or an entity marked `deleting`, as its stream record names it. */
export type DeletionTarget =
  | { kind: 'service'; accountSid: string; sid: string }
  | { kind: 'entity'; accountSid: string; serviceSid: string; identity: string };

/** The deletion a stream record (a marked service or entity item, as the deleter's filter selects) is about. */
export function deletionTarget(record: DynamoDBRecord): DeletionTarget | undefined {
  const raw = record.dynamodb?.NewImage;
  if (!raw) return undefined;
  const item = unmarshall(raw as Parameters<typeof unmarshall>[0]) as Record<string, string | undefined>;
  if (item.deleting === undefined) return undefined;
  const { accountSid, serviceSid, sid, identity } = item;
  if (item.type === 'service' && accountSid && sid) return { kind: 'service', accountSid, sid };
  if (item.type === 'entity' && accountSid && serviceSid && identity) {
    return { kind: 'entity', accountSid, serviceSid, identity };
  }
  return undefined;
}

const targetId = (target: DeletionTarget) =>
  target.kind === 'service'
    ? `${target.accountSid}/${target.sid}`
    : `${target.accountSid}/${target.serviceSid}/${target.identity}`;

/**
 * One invocation of the deleter: continues each marked service's or entity's deletion (once per item,
 * however many of its records the batch holds) until `deadline`, working from the last child backwards
 * (a DELETE request still running works from the first onwards). A deletion not finished by then is
 * handed to the next invocation by a write to its marked item, whose stream record invokes the deleter
 * again, until the item is gone. A deletion that fails reports its records, so Lambda retries them.
 */
export async function continueDeletions(
  records: DynamoDBRecord[],
  deps: DeleterDeps,
  deadline: number,
): Promise<DynamoDBBatchResponse> {
  const work: DeletionWork = { deadline, from: 'last' };
  const targets = new Map<string, { target: DeletionTarget; records: DynamoDBRecord[] }>();
  for (const record of records) {
    const target = deletionTarget(record);
    if (!target) continue;
    const entry = targets.get(targetId(target)) ?? { target, records: [] };
    entry.records.push(record);
    targets.set(targetId(target), entry);
  }
  const failed: DynamoDBRecord[] = [];
  for (const { target, records: recordsOf } of targets.values()) {
    try {
      if (target.kind === 'service') {
        if ((await deps.services.purge(target.accountSid, target.sid, work)) === 'more') {
          await deps.services.continueLater(target.accountSid, target.sid);
        }
      } else {
        const { accountSid, serviceSid, identity } = target;
        if ((await deps.entities.purge(accountSid, serviceSid, identity, work)) === 'more') {
          await deps.entities.continueLater(accountSid, serviceSid, identity);
        }
      }
    } catch (error) {
      log.error('Deletion step failed', { target, error });
      failed.push(...recordsOf);
    }
  }
  return {
    batchItemFailures: failed.map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })),
  };
}
