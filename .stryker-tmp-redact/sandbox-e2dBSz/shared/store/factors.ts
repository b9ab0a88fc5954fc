// @ts-nocheck
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeviceKey, FactorStore, PageRequest } from '../app/ports';
import type { Entity } from '../domain/entity';
import { MAX_PUSH_FACTORS_PER_ENTITY, type Factor, type PushFactor } from '../domain/factor';
import type { LockState } from '../domain/lockout';
import type { Service } from '../domain/service';
import { formatDate } from '../domain/time';
import { deleteKeys, getKeys } from './batch';
import { Condition, isConditionFailure, transact, type Labelled } from './conditions';
import { entityItem } from './entities';
import { factorChangeUpdate } from './factor-attempts';
import { Keys, type ItemKey } from './keys';
import { queryPage, record } from './paging';

const factorKey = (f: Pick<Factor, 'accountSid' | 'serviceSid' | 'identity' | 'sid'>) =>
  Keys.factor(f.accountSid, f.serviceSid, f.identity, f.sid);

export class DynamoFactorStore implements FactorStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(factor: Factor, entity: Entity, entityIsNew: boolean, accessTokenSid?: string) {
    const TableName = this.table;
    const isPush = factor.factorType === 'push';
    const entityKey = Keys.entity(entity.accountSid, entity.serviceSid, entity.identity);
    const items: Labelled<'service' | 'entity' | 'factor' | 'credential' | 'accessToken'>[] = [
      {
        label: 'service',
        ConditionCheck: {
          TableName,
          Key: Keys.service(entity.accountSid, entity.serviceSid),
          ConditionExpression: Condition.live,
        },
      },
      // A new entity's Put requires that no entity is there (one being deleted included); an existing
      // one's update that it is still the entity read and is not being deleted.
      entityIsNew
        ? {
            label: 'entity',
            Put: {
              TableName,
              Item: { ...entityItem(entity), pushFactorCount: isPush ? 1 : 0 },
              ConditionExpression: Condition.absent,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          }
        : {
            label: 'entity',
            Update: {
              TableName,
              Key: entityKey,
              UpdateExpression: isPush ? 'ADD pushFactorCount :one' : 'SET sid = :sid',
              ConditionExpression: isPush
                ? 'sid = :sid AND attribute_not_exists(deleting) AND (attribute_not_exists(pushFactorCount) OR pushFactorCount < :max)'
                : 'sid = :sid AND attribute_not_exists(deleting)',
              ExpressionAttributeValues: isPush
                ? { ':sid': entity.sid, ':one': 1, ':max': MAX_PUSH_FACTORS_PER_ENTITY }
                : { ':sid': entity.sid },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
      {
        label: 'factor',
        Put: {
          TableName,
          Item: { ...factorKey(factor), type: 'factor', ...factor },
          ConditionExpression: Condition.absent,
        },
      },
    ];
    if (factor.factorType === 'push') {
      items.push({ label: 'credential', Put: { TableName, Item: credentialItem(factor) } });
    }
    // An enrollment token is spent with the factor it creates, in the same transaction: used once, and
    // not at all when the factor is refused.
    if (accessTokenSid) {
      items.push({
        label: 'accessToken',
        Update: {
          TableName,
          Key: Keys.accessToken(accessTokenSid),
          UpdateExpression: 'SET used = :true',
          ConditionExpression: 'used = :false',
          ExpressionAttributeValues: { ':true': true, ':false': false },
        },
      });
    }
    const outcome = await transact(this.ddb, items);
    if (outcome.ok) return 'created' as const;
    if (outcome.failed.has('accessToken')) return 'token-used' as const;
    if (outcome.failed.has('service')) return 'no-service' as const;
    if (outcome.failed.has('entity')) {
      const current = outcome.current.entity;
      if (current?.deleting !== undefined) return 'entity-deleting' as const;
      // The limit is the reason only if the entity we read is still the one there.
      return !entityIsNew && isPush && current?.sid === entity.sid ? 'push-limit' : 'entity-changed';
    }
    throw new Error(`Factor creation refused by ${[...outcome.failed].join(', ')}`);
  }

  async get(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.factor(accountSid, serviceSid, identity, sid) }),
    );
    return Item && record<Factor>(Item);
  }

  async list(accountSid: string, serviceSid: string, identity: string, page: PageRequest) {
    const result = await queryPage(
      this.ddb,
      this.table,
      Keys.factorsOf(accountSid, serviceSid, identity),
      page,
    );
    return { ...result, items: result.items.map((item) => record<Factor>(item)) };
  }

  async saveSettings(factor: Factor) {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: factorKey(factor),
          UpdateExpression:
            'SET friendlyName = :name, metadata = :metadata, config = :config, dateUpdated = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':name': factor.friendlyName,
            ':metadata': factor.metadata,
            ':config': factor.config,
            ':now': factor.dateUpdated,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markTokenDead(factor: Factor, token: string) {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: factorKey(factor),
          UpdateExpression: 'SET deadNotificationToken = :token',
          ConditionExpression: 'attribute_exists(pk) AND config.notificationToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async recordVerified(factor: Factor, acceptedStep: number | null, now: Date) {
    const verified = {
      set: '#status = :verified, dateUpdated = :now',
      names: { '#status': 'status' },
      values: { ':verified': 'verified', ':now': formatDate(now) },
    };
    return this.changeAttempts(
      factorChangeUpdate(this.table, factor, { kind: 'accepted', step: acceptedStep }, verified),
    );
  }

  async recordFailure(factor: Factor, next: LockState) {
    return this.changeAttempts(factorChangeUpdate(this.table, factor, { kind: 'failed', next }));
  }

  /** One conditional update of a factor's brute-force state: the stored factor, or 'factor-changed'. */
  private async changeAttempts(update: ReturnType<typeof factorChangeUpdate>) {
    try {
      const { Attributes } = await this.ddb.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
      return record<Factor>(Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) return 'factor-changed' as const;
      throw error;
    }
  }

  async delete(factor: Factor) {
    const TableName = this.table;
    const entityKey = Keys.entity(factor.accountSid, factor.serviceSid, factor.identity);
    const items: Labelled<'factor' | 'credential' | 'entity'>[] = [
      {
        label: 'factor',
        Delete: { TableName, Key: factorKey(factor), ConditionExpression: Condition.exists },
      },
    ];
    if (factor.factorType === 'push') {
      items.push(
        { label: 'credential', Delete: { TableName, Key: Keys.credential(factor.config.credentialSid) } },
        {
          label: 'entity',
          Update: {
            TableName,
            Key: entityKey,
            UpdateExpression: 'ADD pushFactorCount :minusOne',
            ConditionExpression: Condition.live,
            ExpressionAttributeValues: { ':minusOne': -1 },
          },
        },
      );
    }
    const outcome = await transact(this.ddb, items);
    if (outcome.ok) return true;
    if (outcome.failed.has('factor')) return false;
    if (factor.factorType !== 'push') throw new Error('Factor deletion refused');
    // The entity is being deleted; there is no count to keep, only the factor and its key to remove.
    await deleteKeys(this.ddb, TableName, [factorKey(factor), Keys.credential(factor.config.credentialSid)]);
    return true;
  }

  async getWithService(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const factorKey = Keys.factor(accountSid, serviceSid, identity, sid);
    const serviceKey = Keys.service(accountSid, serviceSid);
    const entityKey = Keys.entity(accountSid, serviceSid, identity);
    const items = await getKeys(this.ddb, this.table, [factorKey, serviceKey, entityKey]);
    const find = (key: ItemKey) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
    const live = (item?: Record<string, unknown>) => item !== undefined && item.deleting === undefined;
    const [factor, service, entity] = [find(factorKey), find(serviceKey), find(entityKey)];
    return {
      factor: factor && live(entity) ? record<Factor>(factor) : undefined,
      service: service && live(service) ? record<Service>(service) : undefined,
    };
  }

  async getDeviceKey(credentialSid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.credential(credentialSid) }),
    );
    if (!Item) return undefined;
    const device = record<DeviceKey>(Item);
    const { accountSid, serviceSid, identity } = device;
    // Only while its service and entity are live: a device of something being deleted is refused.
    const owners = await getKeys(
      this.ddb,
      this.table,
      [Keys.service(accountSid, serviceSid), Keys.entity(accountSid, serviceSid, identity)],
      ['pk', 'deleting'],
    );
    return owners.length === 2 && owners.every((item) => item.deleting === undefined) ? device : undefined;
  }
}

/** What device authentication needs, found by the JWT `kid` in one read; deleted with the factor. */
const credentialItem = (factor: PushFactor): ItemKey & DeviceKey & { type: string } => ({
  ...Keys.credential(factor.config.credentialSid),
  type: 'credential',
  credentialSid: factor.config.credentialSid,
  accountSid: factor.accountSid,
  serviceSid: factor.serviceSid,
  identity: factor.identity,
  factorSid: factor.sid,
  publicKey: factor.binding.publicKey,
});
