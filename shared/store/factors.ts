import {
  BatchGetCommand,
  GetCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { DeviceKey, FactorStore, PageRequest } from '../app/ports';
import type { Entity } from '../domain/entity';
import { MAX_PUSH_FACTORS_PER_ENTITY, type Factor, type PushFactor } from '../domain/factor';
import type { LockState } from '../domain/lockout';
import type { Service } from '../domain/service';
import { formatDate } from '../domain/time';
import { retry } from '../retry';
import { deleteKeys } from './batch';
import { Condition, isConditionFailure, transact, type Labelled } from './conditions';
import { entityItem } from './entities';
import { factorChangeUpdate } from './factor-attempts';
import { Keys, type ItemKey } from './keys';
import { queryPage, record } from './paging';

/** BatchGetItem's unprocessed keys are asked for again, with backoff. */
const UNPROCESSED_RETRY = { attempts: 5, baseDelayMs: 20 };

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
          ConditionExpression: Condition.exists,
        },
      },
      entityIsNew
        ? {
            label: 'entity',
            Put: {
              TableName,
              Item: { ...entityItem(entity), pushFactorCount: isPush ? 1 : 0 },
              ConditionExpression: Condition.absent,
            },
          }
        : {
            label: 'entity',
            Update: {
              TableName,
              Key: entityKey,
              UpdateExpression: isPush ? 'ADD pushFactorCount :one' : 'SET sid = :sid',
              ConditionExpression: isPush
                ? 'sid = :sid AND (attribute_not_exists(pushFactorCount) OR pushFactorCount < :max)'
                : 'sid = :sid',
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
      // The limit is the reason only if the entity we read is still the one there.
      const current = outcome.current.entity;
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
            ConditionExpression: Condition.exists,
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
    let keys: Record<string, unknown>[] = [factorKey, Keys.service(accountSid, serviceSid)];
    const found: { factor?: Factor; service?: Service } = {};
    const done = await retry(UNPROCESSED_RETRY, async () => {
      const result = await this.ddb.send(
        new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[this.table] ?? []) {
        if (item.sk === factorKey.sk) found.factor = record<Factor>(item);
        else found.service = record<Service>(item);
      }
      keys = result.UnprocessedKeys?.[this.table]?.Keys ?? [];
      return keys.length === 0;
    });
    if (!done) throw new Error('DynamoDB left keys unprocessed five times');
    return found;
  }

  async getDeviceKey(credentialSid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.credential(credentialSid) }),
    );
    return Item && record<DeviceKey>(Item);
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
