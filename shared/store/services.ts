import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PageRequest, ServiceStore } from '../app/ports';
import type { Service } from '../domain/service';
import { partitionItems } from './batch';
import { isConditionFailure } from './conditions';
import { deleteEntityTree } from './entities';
import { Keys } from './keys';
import { queryPage, record } from './paging';

export class DynamoServiceStore implements ServiceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(service: Service) {
    return { ...Keys.service(service.accountSid, service.sid), type: 'service', ...service };
  }

  async create(service: Service) {
    await this.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: this.item(service),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(accountSid: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.service(accountSid, sid) }),
    );
    return Item && record<Service>(Item);
  }

  async list(accountSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.servicesOf(accountSid), page);
    return { ...result, items: result.items.map((item) => record<Service>(item)) };
  }

  async update(service: Service) {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(service),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(accountSid: string, sid: string) {
    try {
      await this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: Keys.service(accountSid, sid),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    const { pk } = Keys.entitiesOf(accountSid, sid);
    for (const entity of await partitionItems(this.ddb, this.table, pk)) {
      await deleteEntityTree(this.ddb, this.table, accountSid, sid, entity.identity as string);
    }
    return true;
  }
}
