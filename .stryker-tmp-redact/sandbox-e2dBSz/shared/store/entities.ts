// @ts-nocheck
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeletionWork, EntityStore, PageRequest } from '../app/ports';
import type { Entity } from '../domain/entity';
import { formatDate } from '../domain/time';
import { Condition, transact } from './conditions';
import { markedItem, purgeEntityPartition, touch } from './deletion';
import { Keys } from './keys';
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
          ConditionExpression: Condition.live,
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
    return Item && Item.deleting === undefined ? record<Entity>(Item) : undefined;
  }

  async list(accountSid: string, serviceSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.entitiesOf(accountSid, serviceSid), page, {
      keep: (item) => item.deleting === undefined,
    });
    return { ...result, items: result.items.map((item) => record<Entity>(item)) };
  }

  async markDeleting(accountSid: string, serviceSid: string, identity: string, now: Date) {
    const outcome = await transact(this.ddb, [
      {
        label: 'service',
        ConditionCheck: {
          TableName: this.table,
          Key: Keys.service(accountSid, serviceSid),
          ConditionExpression: Condition.live,
        },
      },
      {
        label: 'entity',
        Update: {
          TableName: this.table,
          Key: Keys.entity(accountSid, serviceSid, identity),
          UpdateExpression: 'SET deleting = :now, deletionRound = :zero',
          ConditionExpression: Condition.live,
          ExpressionAttributeValues: { ':now': formatDate(now), ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ]);
    if (outcome.ok) return 'marked' as const;
    if (outcome.failed.has('service')) return 'missing' as const;
    return outcome.current.entity?.deleting === undefined ? ('missing' as const) : ('deleting' as const);
  }

  async purge(accountSid: string, serviceSid: string, identity: string, work: DeletionWork) {
    const marked = await markedItem(this.ddb, this.table, Keys.entity(accountSid, serviceSid, identity));
    if (!marked) return 'done' as const;
    const entity = { accountSid, serviceSid, identity };
    return purgeEntityPartition(this.ddb, this.table, entity, marked.sid as string, work);
  }

  continueLater(accountSid: string, serviceSid: string, identity: string) {
    return touch(this.ddb, this.table, Keys.entity(accountSid, serviceSid, identity));
  }
}
