// @ts-nocheck
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { retry } from '../retry';
import type { ItemKey } from './keys';

const BATCH_LIMIT = 25;
/** BatchWriteItem's unprocessed items are sent again, with backoff. */
const UNPROCESSED_RETRY = { attempts: 8, baseDelayMs: 25 };
/** BatchGetItem's unprocessed keys are asked for again, with backoff. */
const UNPROCESSED_KEYS_RETRY = { attempts: 5, baseDelayMs: 20 };

type Item = Record<string, unknown>;

/** Deletes keys in batches of 25, re-sending unprocessed ones with backoff until none are left. */
export async function deleteKeys(ddb: DynamoDBDocumentClient, table: string, keys: ItemKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
    let requests = keys.slice(i, i + BATCH_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
    const done = await retry(UNPROCESSED_RETRY, async () => {
      const result = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      return requests.length === 0;
    });
    if (!done) throw new Error(`Could not delete ${requests.length} items: DynamoDB left them unprocessed`);
  }
}

/**
 * The items of up to 100 keys, in one BatchGetItem (asking again for unprocessed keys, with backoff), in no
 * particular order. `attributes` limits what is read.
 */
export async function getKeys(
  ddb: DynamoDBDocumentClient,
  table: string,
  keys: ItemKey[],
  attributes?: string[],
): Promise<Item[]> {
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
  };
  let pending: Item[] = keys;
  const found: Item[] = [];
  const done = await retry(UNPROCESSED_KEYS_RETRY, async () => {
    const result = await ddb.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...projection } } }),
    );
    found.push(...(result.Responses?.[table] ?? []));
    pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    return pending.length === 0;
  });
  if (!done) throw new Error('DynamoDB left keys unprocessed five times');
  return found;
}

/**
 * One page of a partition, read with strong consistency (so an item written before the read is in it):
 * up to `limit` items from `startKey` on, in sort-key order or (`descending`) its reverse.
 */
export async function partitionPage(
  ddb: DynamoDBDocumentClient,
  table: string,
  pk: string,
  options: { limit: number; descending?: boolean; startKey?: Item },
): Promise<{ items: Item[]; next?: Item }> {
  const result = await ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
      ScanIndexForward: !options.descending,
      Limit: options.limit,
      ExclusiveStartKey: options.startKey,
    }),
  );
  return { items: result.Items ?? [], next: result.LastEvaluatedKey };
}

/** The key of an item read from the table. */
export const keyOf = (item: Item): ItemKey => ({ pk: item.pk as string, sk: item.sk as string });
