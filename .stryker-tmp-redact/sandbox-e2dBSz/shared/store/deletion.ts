// @ts-nocheck
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeletionMark, DeletionProgress, DeletionWork } from '../app/ports';
import { formatDate } from '../domain/time';
import { deleteKeys, keyOf, partitionPage } from './batch';
import { Condition, isConditionFailure } from './conditions';
import { Keys, type ItemKey } from './keys';

/**
 * The deletion steps shared by services and entities. A deletion marks the item `deleting` (a conditional
 * write), removes what is below it in resumable steps (strongly consistent queries, batch deletes, queries
 * again until one finds nothing) and removes the marked item last, so that an interrupted deletion always
 * leaves the mark in place for the next step to find and finish.
 */

type Item = Record<string, unknown>;

/** Items per query of an entity's partition (four batch writes), and entities per query of a service's. */
const ENTITY_PAGE = 100;
const SERVICE_PAGE = 25;
/** Entities of a service removed at the same time. */
const ENTITIES_AT_ONCE = 8;

/** Past the deadline. Checked before every page but the first: a step always gets somewhere. */
const outOfTime = (work: DeletionWork, pages: number) => pages > 0 && Date.now() >= work.deadline;

/** Sets `deleting` on a live item; a second mark writes nothing (and so starts no second deleter). */
export async function markDeleting(
  ddb: DynamoDBDocumentClient,
  table: string,
  key: ItemKey,
  now: Date,
): Promise<DeletionMark> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET deleting = :now, deletionRound = :zero',
        ConditionExpression: Condition.live,
        ExpressionAttributeValues: { ':now': formatDate(now), ':zero': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'marked';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return (error as { Item?: Item }).Item?.deleting === undefined ? 'missing' : 'deleting';
  }
}

/**
 * A write to a marked item, so that its stream record invokes the deleter again: how a deleter that ran
 * out of time hands over to its next invocation. Nothing when the item is gone.
 */
export async function touch(ddb: DynamoDBDocumentClient, table: string, key: ItemKey): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET deletionRound = if_not_exists(deletionRound, :zero) + :one',
        ConditionExpression: 'attribute_exists(deleting)',
        ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The marked item, read with strong consistency; undefined when it is gone or not marked. */
export async function markedItem(ddb: DynamoDBDocumentClient, table: string, key: ItemKey) {
  const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item?.deleting === undefined ? undefined : Item;
}

/** Deletes an item, only while `condition` holds (when given); a failed condition means someone else did. */
async function deleteItem(
  ddb: DynamoDBDocumentClient,
  table: string,
  key: ItemKey,
  condition?: { expression: string; values?: Item },
) {
  try {
    await ddb.send(
      new DeleteCommand({
        TableName: table,
        Key: key,
        ConditionExpression: condition?.expression,
        ExpressionAttributeValues: condition?.values,
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Empties an entity's partition (factors, challenges, timers) and removes the device keys of its push
 * factors, then deletes the entity item. With `owner` (the SID of the entity being deleted) it removes
 * only items of that entity or of an earlier one with the same identity (SIDs sort by creation time), so
 * that a deletion step still running after the entity was deleted and created again leaves the new one
 * alone; the entity item goes only while it is still that entity. Without `owner` (the service is being
 * deleted, so nothing new can appear) it removes everything.
 *
 * A partition is empty when a whole pass over it removes nothing. New items cannot keep a pass busy: a
 * factor needs a live entity and service, a challenge its factor, a timer its challenge (each checked in
 * the transaction that writes it), so once the factors are gone the rest follows in the next pass.
 */
export async function purgeEntityPartition(
  ddb: DynamoDBDocumentClient,
  table: string,
  entity: { accountSid: string; serviceSid: string; identity: string },
  owner: string | undefined,
  work: DeletionWork,
): Promise<DeletionProgress> {
  const pk = Keys.entityPartition(entity.accountSid, entity.serviceSid, entity.identity);
  const owned = (item: Item) =>
    owner === undefined || item.entitySid === undefined || (item.entitySid as string) <= owner;
  let pages = 0;
  for (;;) {
    let removed = 0;
    let startKey: Item | undefined;
    do {
      if (outOfTime(work, pages++)) return 'more';
      const page = await partitionPage(ddb, table, pk, {
        limit: ENTITY_PAGE,
        descending: work.from === 'last',
        startKey,
      });
      const items = page.items.filter(owned);
      // A device key goes before its factor: if this is cut off in between, the next pass still finds
      // the factor, and with it the key.
      const credentials = items.flatMap((item) => {
        const credentialSid = (item.config as { credentialSid?: unknown } | undefined)?.credentialSid;
        return item.type === 'factor' && typeof credentialSid === 'string'
          ? [Keys.credential(credentialSid)]
          : [];
      });
      await deleteKeys(ddb, table, credentials);
      await deleteKeys(ddb, table, items.map(keyOf));
      removed += items.length;
      startKey = page.next;
    } while (startKey);
    if (removed === 0) break;
  }
  const key = Keys.entity(entity.accountSid, entity.serviceSid, entity.identity);
  await deleteItem(
    ddb,
    table,
    key,
    owner === undefined ? undefined : { expression: 'sid = :sid', values: { ':sid': owner } },
  );
  return 'done';
}

/**
 * Empties a service's partition: each entity with everything below it (several at once), in passes until
 * a pass finds nothing. The service being marked, no entity can be added meanwhile.
 */
export async function purgeServicePartition(
  ddb: DynamoDBDocumentClient,
  table: string,
  accountSid: string,
  serviceSid: string,
  work: DeletionWork,
): Promise<DeletionProgress> {
  const { pk } = Keys.entitiesOf(accountSid, serviceSid);
  let pages = 0;
  for (;;) {
    let found = 0;
    let startKey: Item | undefined;
    do {
      if (outOfTime(work, pages++)) return 'more';
      const page = await partitionPage(ddb, table, pk, {
        limit: SERVICE_PAGE,
        descending: work.from === 'last',
        startKey,
      });
      found += page.items.length;
      const progress = await inGroups(page.items, ENTITIES_AT_ONCE, async (item) => {
        if (item.type !== 'entity') {
          await deleteKeys(ddb, table, [keyOf(item)]);
          return 'done';
        }
        const identity = item.identity as string;
        return purgeEntityPartition(ddb, table, { accountSid, serviceSid, identity }, undefined, work);
      });
      if (progress.includes('more')) return 'more';
      startKey = page.next;
    } while (startKey);
    if (found === 0) return 'done';
  }
}

/** Deletes the marked item itself: the last step, only while it is still marked. */
export const deleteMarked = (ddb: DynamoDBDocumentClient, table: string, key: ItemKey) =>
  deleteItem(ddb, table, key, { expression: 'attribute_exists(deleting)' });

/** `run` for every item, at most `size` at a time, in order of the groups. */
async function inGroups<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  }
  return results;
}
