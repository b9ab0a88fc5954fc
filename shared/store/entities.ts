import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EntityStore, PageRequest } from '../app/ports';
import type { Entity } from '../domain/entity';
import { deleteKeys, partitionItems } from './batch';
import { Condition, isConditionFailure, transact } from './conditions';
import { Keys, type ItemKey } from './keys';
import { queryPage, record } from './paging';

export const entityItem = (entity: Entity) => ({
  ...Keys.entity(entity.accountSid, entity.serviceSid, entity.identity),
  type: 'entity',
  ...entity,
});

export class DynamoEntityStore implements EntityStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(entity: Entity) {
    const outcome = await transact(this.ddb, [
      {
        label: 'service',
        ConditionCheck: {
          TableName: this.table,
          Key: Keys.service(entity.accountSid, entity.serviceSid),
          ConditionExpression: Condition.exists,
        },
      },
      {
        label: 'entity',
        Put: { TableName: this.table, Item: entityItem(entity), ConditionExpression: Condition.absent },
      },
    ]);
    if (outcome.ok) return 'created' as const;
    return outcome.failed.has('service') ? ('no-service' as const) : ('exists' as const);
  }

  async get(accountSid: string, serviceSid: string, identity: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.entity(accountSid, serviceSid, identity) }),
    );
    return Item && record<Entity>(Item);
  }

  async list(accountSid: string, serviceSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.entitiesOf(accountSid, serviceSid), page);
    return { ...result, items: result.items.map((item) => record<Entity>(item)) };
  }

  async delete(accountSid: string, serviceSid: string, identity: string) {
    return deleteEntityTree(this.ddb, this.table, accountSid, serviceSid, identity);
  }
}

/**
 * Deletes an entity's factors (with their device-key records) and challenges, then the entity itself, so
 * that an interrupted delete leaves the entity in place to be deleted again. True when anything existed.
 */
export async function deleteEntityTree(
  ddb: DynamoDBDocumentClient,
  table: string,
  accountSid: string,
  serviceSid: string,
  identity: string,
): Promise<boolean> {
  const children = await partitionItems(ddb, table, Keys.entityPartition(accountSid, serviceSid, identity));
  const keys: ItemKey[] = children.map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
  for (const item of children) {
    const credentialSid = (item.config as { credentialSid?: string } | undefined)?.credentialSid;
    if (item.type === 'factor' && credentialSid) keys.push(Keys.credential(credentialSid));
  }
  await deleteKeys(ddb, table, keys);
  try {
    await ddb.send(
      new DeleteCommand({
        TableName: table,
        Key: Keys.entity(accountSid, serviceSid, identity),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return children.length > 0;
    throw error;
  }
}
