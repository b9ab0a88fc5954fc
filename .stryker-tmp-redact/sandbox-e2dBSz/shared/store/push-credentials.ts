// @ts-nocheck
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { PageRequest, PushCredentialStore } from '../app/ports';
import type { PushCredential } from '../domain/push-credential';
import type { Service } from '../domain/service';
import { formatDate } from '../domain/time';
import { Condition, isConditionFailure } from './conditions';
import { Keys } from './keys';
import { queryAll, queryPage, record } from './paging';

/**
 * A credential as a table item (keys included). `type` is the item kind in this table, so the credential's
 * own type is stored as `credentialType`.
 */
export const pushCredentialItem = (credential: PushCredential) => ({
  ...Keys.pushCredential(credential.accountSid, credential.sid),
  ...credential,
  type: 'push-credential',
  credentialType: credential.type,
});

/** The credential a table item holds. */
export function pushCredentialRecord(item: Record<string, unknown>): PushCredential {
  const { credentialType, ...rest } = record<Record<string, unknown>>(item);
  return { ...rest, type: credentialType } as PushCredential;
}

/** Whether a service names the credential, for either platform. */
const names = (service: Service, sid: string) =>
  service.push.apnCredentialSid === sid || service.push.fcmCredentialSid === sid;

export class DynamoPushCredentialStore implements PushCredentialStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(credential: PushCredential) {
    await this.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: pushCredentialItem(credential),
        ConditionExpression: Condition.absent,
      }),
    );
  }

  async get(accountSid: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: Keys.pushCredential(accountSid, sid),
        ConsistentRead: true,
      }),
    );
    return Item && Item.deleting === undefined ? pushCredentialRecord(Item) : undefined;
  }

  async list(accountSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.pushCredentialsOf(accountSid), page, {
      keep: (item) => item.deleting === undefined,
    });
    return { ...result, items: result.items.map(pushCredentialRecord) };
  }

  async update(credential: PushCredential) {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: pushCredentialItem(credential),
          ConditionExpression: Condition.live,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Marks the credential `deleting` (also when an earlier, interrupted delete marked it), so that no service
   * write can start naming it; then reads the account's services, strongly consistent: one that names it
   * takes the mark back, else the credential goes. A service write that named it before the mark is seen
   * by the read; one after the mark fails its condition.
   */
  async delete(accountSid: string, sid: string, now: Date) {
    const key = Keys.pushCredential(accountSid, sid);
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET deleting = :now',
          ConditionExpression: Condition.exists,
          ExpressionAttributeValues: { ':now': formatDate(now) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return 'missing' as const;
      throw error;
    }
    if (await this.namedByLiveService(accountSid, sid)) {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'REMOVE deleting',
          ConditionExpression: Condition.exists,
        }),
      );
      return 'in-use' as const;
    }
    await this.ddb.send(new DeleteCommand({ TableName: this.table, Key: key }));
    return 'deleted' as const;
  }

  private async namedByLiveService(accountSid: string, sid: string) {
    const services = await queryAll(this.ddb, this.table, Keys.servicesOf(accountSid), 'push, deleting');
    return services.some((item) => item.deleting === undefined && names(item as unknown as Service, sid));
  }
}

/**
 * What a service write requires of the credentials it names, as condition checks for its transaction:
 * each exists, is live and is of the platform it is named for.
 */
export function credentialChecks(service: Service, table: string) {
  const named = [
    ['apn', service.push.apnCredentialSid],
    ['fcm', service.push.fcmCredentialSid],
  ] as const;
  return named.flatMap(([type, sid]) =>
    sid
      ? [
          {
            label: `credential-${type}` as const,
            ConditionCheck: {
              TableName: table,
              Key: Keys.pushCredential(service.accountSid, sid),
              ConditionExpression: `${Condition.live} AND credentialType = :type`,
              ExpressionAttributeValues: { ':type': type },
            },
          },
        ]
      : [],
  );
}
