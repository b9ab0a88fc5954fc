// @ts-nocheck
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeletionWork, PageRequest, ServiceStore } from '../app/ports';
import type { Service } from '../domain/service';
import { Condition, isConditionFailure, transact } from './conditions';
import { deleteMarked, markDeleting, markedItem, purgeServicePartition, touch } from './deletion';
import { Keys } from './keys';
import { queryPage, record } from './paging';
import { credentialChecks } from './push-credentials';

export class DynamoServiceStore implements ServiceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(service: Service) {
    return { ...Keys.service(service.accountSid, service.sid), type: 'service', ...service };
  }

  async create(service: Service) {
    const outcome = await this.put(service, Condition.absent);
    if (outcome === 'missing') throw new Error(`Service ${service.sid} exists already`);
    return outcome === 'written' ? ('created' as const) : outcome;
  }

  async get(accountSid: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.service(accountSid, sid) }),
    );
    return Item && Item.deleting === undefined ? record<Service>(Item) : undefined;
  }

  async list(accountSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.servicesOf(accountSid), page, {
      keep: (item) => item.deleting === undefined,
    });
    return { ...result, items: result.items.map((item) => record<Service>(item)) };
  }

  async update(service: Service) {
    const outcome = await this.put(service, Condition.live);
    return outcome === 'written' ? ('updated' as const) : outcome;
  }

  /**
   * Puts the service under `condition`; when it names push credentials, in a transaction that checks them
   * (live, of this account, of the right type), so a service never names a credential being deleted.
   */
  private async put(service: Service, condition: string) {
    const checks = credentialChecks(service, this.table);
    if (checks.length === 0) {
      try {
        await this.ddb.send(
          new PutCommand({ TableName: this.table, Item: this.item(service), ConditionExpression: condition }),
        );
        return 'written' as const;
      } catch (error) {
        if (isConditionFailure(error)) return 'missing' as const;
        throw error;
      }
    }
    const outcome = await transact(this.ddb, [
      {
        label: 'service' as const,
        Put: { TableName: this.table, Item: this.item(service), ConditionExpression: condition },
      },
      ...checks,
    ]);
    if (outcome.ok) return 'written' as const;
    return outcome.failed.has('service') ? ('missing' as const) : ('credential-missing' as const);
  }

  markDeleting(accountSid: string, sid: string, now: Date) {
    return markDeleting(this.ddb, this.table, Keys.service(accountSid, sid), now);
  }

  async purge(accountSid: string, sid: string, work: DeletionWork) {
    const key = Keys.service(accountSid, sid);
    if (!(await markedItem(this.ddb, this.table, key))) return 'done' as const;
    if ((await purgeServicePartition(this.ddb, this.table, accountSid, sid, work)) === 'more') {
      return 'more' as const;
    }
    await deleteMarked(this.ddb, this.table, key);
    return 'done' as const;
  }

  continueLater(accountSid: string, sid: string) {
    return touch(this.ddb, this.table, Keys.service(accountSid, sid));
  }
}
