// @ts-nocheck
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createFactor } from '../../shared/app/factors';
import type { Dependencies } from '../../shared/dependencies';
import { newChallenge } from '../../shared/domain/challenge';
import type { Factor } from '../../shared/domain/factor';
import type { ItemKey } from '../../shared/store/keys';
import { pushFactorRequest } from './factors';
import { newIdentity } from './fixtures';

type Item = Record<string, unknown>;

export { pushFactorRequest };

/**
 * `count` entities in the service, each with a verified push factor (so a device key too), a pending
 * challenge and its expiry timer: every kind of item a deletion has to find. Ten at a time.
 */
export async function populate(deps: Dependencies, accountSid: string, serviceSid: string, count: number) {
  const identities: string[] = [];
  const factors: Factor[] = [];
  const one = async () => {
    const identity = newIdentity();
    const created = await createFactor(
      deps,
      { kind: 'account', accountSid },
      pushFactorRequest(serviceSid, identity),
    );
    const verified = await deps.factors.recordVerified(created.factor, null, new Date());
    if (verified === 'factor-changed') throw new Error('the new factor changed under the fixture');
    const factor = verified;
    const challenge = newChallenge(
      { factor, includeDate: false, expirationDate: new Date(Date.now() + 300_000), message: 'Log in?' },
      new Date(),
    );
    await deps.challenges.create(challenge);
    await deps.challenges.scheduleExpiry(challenge);
    identities.push(identity);
    factors.push(factor);
  };
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, one));
  }
  return { identities, factors };
}

/**
 * Every item of the table that belongs to the service, found by a scan (consistent): anything whose key
 * names it (the service, its entities, their factors, challenges and timers) or that says it is the
 * service's (device keys, enrollment tokens).
 */
export async function itemsOfService(deps: Dependencies, serviceSid: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await deps.db.send(
      new ScanCommand({
        TableName: deps.config.tableName,
        FilterExpression: 'contains(pk, :sid) OR contains(sk, :sid) OR serviceSid = :sid',
        ExpressionAttributeValues: { ':sid': serviceSid },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * What a deletion of the service must leave: nothing. Enrollment tokens are the exception: they are not
 * below the service (found by their own SID), expire within 5 minutes (then DynamoDB's TTL removes them),
 * and neither authenticate anything nor create a factor once their service is being deleted.
 */
export const leftovers = async (deps: Dependencies, serviceSid: string) =>
  (await itemsOfService(deps, serviceSid)).filter((item) => item.type !== 'accessToken');

/** The item at `key`, read consistently. */
export async function rawItem(deps: Dependencies, key: ItemKey): Promise<Item | undefined> {
  const { Item } = await deps.db.send(
    new GetCommand({ TableName: deps.config.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Sets `deleting` on an item directly: the state a DELETE that was cut off right after its first write leaves. */
export async function markDirectly(deps: Dependencies, key: ItemKey) {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.config.tableName,
      Key: key,
      UpdateExpression: 'SET deleting = :now',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
    }),
  );
}

/**
 * A switch on the document client's calls: once armed, every `BatchWriteItemCommand` after the first
 * `allowed` ones throws, as a function timing out or crashing in the middle of a deletion would stop.
 */
export function failBatchWrites(deps: Dependencies) {
  let allowed = Number.POSITIVE_INFINITY;
  let seen = 0;
  deps.db.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchWriteItemCommand' && ++seen > allowed) {
        throw Object.assign(new Error('Injected failure: the function was cut off'), { name: 'Injected' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failBatchWrites' },
  );
  return {
    after(count: number) {
      seen = 0;
      allowed = count;
    },
    off() {
      allowed = Number.POSITIVE_INFINITY;
    },
  };
}
