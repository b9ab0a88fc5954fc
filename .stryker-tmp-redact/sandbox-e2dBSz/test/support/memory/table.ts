// @ts-nocheck
import type { Page, PageRequest } from '../../../shared/app/ports';
import { decodeToken, encodeToken } from '../../../shared/store/paging';
import type { Collection, ItemKey } from '../../../shared/store/keys';

export type Item = Record<string, unknown>;

/** What DynamoDB hands back is never the object that was written: a JSON copy (undefined values dropped). */
export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The single table, in memory: items under the same keys (`shared/store/keys.ts`) and with the same
 * attributes as the DynamoDB stores write, so that the records read back (`record()`) and the page tokens
 * (`encodeToken`/`decodeToken`) are exactly theirs. A store method is one synchronous step over it, so each
 * is atomic, as a conditional write or a transaction is.
 */
export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();

  get(key: ItemKey): Item | undefined {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item && copy(item);
  }

  put(key: ItemKey, attributes: Item): void {
    const partition = this.partitions.get(key.pk) ?? new Map<string, Item>();
    partition.set(key.sk, copy({ ...attributes, ...key }));
    this.partitions.set(key.pk, partition);
  }

  /** Sets attributes on an existing item (an UpdateItem whose condition required the item). */
  update(key: ItemKey, attributes: Item): Item {
    const current = this.get(key);
    if (!current) throw new Error(`No item ${key.pk} ${key.sk} to update`);
    this.put(key, { ...current, ...attributes });
    return this.get(key)!;
  }

  delete(key: ItemKey): void {
    this.partitions.get(key.pk)?.delete(key.sk);
  }

  /** A partition's items in sort-key order. */
  partition(pk: string): Item[] {
    const partition = this.partitions.get(pk) ?? new Map<string, Item>();
    return [...partition.keys()].sort().map((sk) => copy(partition.get(sk)!));
  }

  /** Every item, for tests that check what is left. */
  items(): Item[] {
    return [...this.partitions.keys()].flatMap((pk) => this.partition(pk));
  }

  /** One page of a collection, with the tokens and edge rules of `queryPage` (shared/store/paging.ts). */
  page(
    collection: Collection,
    request: PageRequest,
    options: { ascending?: boolean; keep?: (item: Item) => boolean } = {},
  ): Page<Item> {
    const position = request.token === undefined ? {} : decodeToken(request.token, collection);
    const backwards = position.before !== undefined;
    const start = position.before ?? position.after;
    const forwards = (options.ascending ?? true) !== backwards;
    const sk = (item: Item) => item.sk as string;
    const inOrder = this.partition(collection.pk).filter((item) => sk(item).startsWith(collection.skPrefix));
    if (!forwards) inOrder.reverse();
    const found = inOrder
      .filter((item) => start === undefined || (forwards ? sk(item) > start : sk(item) < start))
      .filter((item) => !options.keep || options.keep(item))
      .slice(0, request.pageSize + 1);
    const more = found.length > request.pageSize;
    const items = found.slice(0, request.pageSize);
    if (backwards) items.reverse();
    const first = items[0] && sk(items[0]);
    const last = items.at(-1) && sk(items.at(-1)!);
    const hasNext = backwards ? true : more;
    const hasPrevious = backwards ? more : start !== undefined;
    return {
      items,
      next: hasNext && last ? encodeToken({ after: last }) : undefined,
      previous: hasPrevious && first ? encodeToken({ before: first }) : undefined,
    };
  }
}
