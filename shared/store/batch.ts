import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retry } from '../retry';
import type { ItemKey } from './keys';

const BATCH_LIMIT = 25;
/** BatchWriteItem's unprocessed items are sent again, with backoff. */
const UNPROCESSED_RETRY = { attempts: 8, baseDelayMs: 25 };

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

/** Every item of a partition. */
export async function partitionItems(
  ddb: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}
