import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '../app/ports';
import type { Collection } from './keys';

type Item = Record<string, unknown>;

/**
 * One page of a collection in sort-key order. It reads one item more than the page holds to learn whether
 * another page follows; `keep` filters items in code (a page is then filled from as many reads as it takes).
 */
export async function queryPage(
  ddb: DynamoDBDocumentClient,
  table: string,
  collection: Collection,
  request: PageRequest,
  options: { ascending?: boolean; keep?: (item: Item) => boolean } = {},
): Promise<Page<Item>> {
  const ascending = options.ascending ?? true;
  const backwards = request.before !== undefined;
  const start = request.before ?? request.after;
  const found: Item[] = [];
  let startKey: Item | undefined = start ? { pk: collection.pk, sk: start } : undefined;
  do {
    const result = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': collection.pk, ':prefix': collection.skPrefix },
        ScanIndexForward: ascending !== backwards,
        ExclusiveStartKey: startKey,
        Limit: request.pageSize + 1 - found.length,
      }),
    );
    for (const item of result.Items ?? []) {
      if (found.length <= request.pageSize && (!options.keep || options.keep(item))) found.push(item);
    }
    startKey = result.LastEvaluatedKey;
  } while (found.length <= request.pageSize && startKey);

  const more = found.length > request.pageSize;
  const items = found.slice(0, request.pageSize);
  if (backwards) items.reverse();
  const first = items[0]?.sk as string | undefined;
  const last = items.at(-1)?.sk as string | undefined;
  const hasNext = backwards ? true : more;
  const hasPrevious = backwards ? more : start !== undefined;
  return {
    items,
    next: hasNext && last ? { after: last } : undefined,
    previous: hasPrevious && first ? { before: first } : undefined,
  };
}

/** Removes the storage attributes from an item, leaving the domain record. */
const STORAGE_ATTRIBUTES = new Set(['pk', 'sk', 'type', 'expiresAt']);

export function record<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !STORAGE_ATTRIBUTES.has(name))) as T;
}
