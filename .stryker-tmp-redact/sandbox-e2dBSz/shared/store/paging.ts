// @ts-nocheck
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '../app/ports';
import { invalidParameter } from '../domain/errors';
import type { Collection } from './keys';

type Item = Record<string, unknown>;
type Position = { after: string } | { before: string };

/** A page token: the sort key to continue from, Base64url-encoded. Opaque to everything but this module. */
export const encodeToken = (position: Position) =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

const foreignToken = () => invalidParameter('PageToken', 'is not a token this list issued');

/** The position a token names, which must lie in the collection being listed. */
export function decodeToken(token: string, collection: Collection): { after?: string; before?: string } {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw foreignToken();
  }
  if (typeof position !== 'object' || position === null || Array.isArray(position)) throw foreignToken();
  const { after, before } = position as Record<string, unknown>;
  const keys = Object.keys(position);
  const sortKey = keys.length === 1 ? (typeof after === 'string' ? after : before) : undefined;
  if (typeof sortKey !== 'string' || !sortKey.startsWith(collection.skPrefix)) throw foreignToken();
  return typeof after === 'string' ? { after } : { before: sortKey };
}

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
  const position = request.token === undefined ? {} : decodeToken(request.token, collection);
  const ascending = options.ascending ?? true;
  const backwards = position.before !== undefined;
  const start = position.before ?? position.after;
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
    next: hasNext && last ? encodeToken({ after: last }) : undefined,
    previous: hasPrevious && first ? encodeToken({ before: first }) : undefined,
  };
}

/**
 * Every item of a collection, strongly consistent, page after page: for the few small collections read
 * whole (a service's webhooks, an account's services when a push credential is deleted).
 */
export async function queryAll(
  ddb: DynamoDBDocumentClient,
  table: string,
  collection: Collection,
  projection?: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': collection.pk, ':prefix': collection.skPrefix },
        ProjectionExpression: projection,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Removes the storage attributes from an item, leaving the domain record. */
const STORAGE_ATTRIBUTES = new Set(['pk', 'sk', 'type', 'expiresAt', 'deleting', 'deletionRound']);

export function record<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !STORAGE_ATTRIBUTES.has(name))) as T;
}
