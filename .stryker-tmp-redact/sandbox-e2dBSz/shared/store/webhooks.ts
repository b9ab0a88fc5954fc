// @ts-nocheck
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PageRequest, WebhookStore } from '../app/ports';
import type { Webhook } from '../domain/webhook';
import { Condition, transact } from './conditions';
import { Keys } from './keys';
import { queryAll, queryPage, record } from './paging';

const webhookItem = (webhook: Webhook) => ({
  ...Keys.webhook(webhook.accountSid, webhook.serviceSid, webhook.sid),
  type: 'webhook',
  ...webhook,
});

/**
 * Webhooks live in their service's partition (so a service's deletion removes them with its entities),
 * beside a count item (`#WEBHOOKS`) that creation and deletion move in their transactions: the limit holds
 * under concurrent creations.
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(webhook: Webhook, max: number) {
    const outcome = await transact(this.ddb, [
      {
        label: 'service',
        ConditionCheck: {
          TableName: this.table,
          Key: Keys.service(webhook.accountSid, webhook.serviceSid),
          ConditionExpression: Condition.live,
        },
      },
      {
        label: 'count',
        Update: {
          TableName: this.table,
          Key: Keys.webhookCount(webhook.accountSid, webhook.serviceSid),
          UpdateExpression: 'SET #type = :type ADD webhooks :one',
          ConditionExpression: 'attribute_not_exists(webhooks) OR webhooks < :max',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'webhook-count', ':one': 1, ':max': max },
        },
      },
      {
        label: 'webhook',
        Put: { TableName: this.table, Item: webhookItem(webhook), ConditionExpression: Condition.absent },
      },
    ]);
    if (outcome.ok) return 'created' as const;
    return outcome.failed.has('service') ? ('no-service' as const) : ('limit' as const);
  }

  async get(accountSid: string, serviceSid: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: Keys.webhook(accountSid, serviceSid, sid),
        ConsistentRead: true,
      }),
    );
    return Item ? record<Webhook>(Item) : undefined;
  }

  async list(accountSid: string, serviceSid: string, page: PageRequest) {
    const result = await queryPage(this.ddb, this.table, Keys.webhooksOf(accountSid, serviceSid), page);
    return { ...result, items: result.items.map((item) => record<Webhook>(item)) };
  }

  async all(accountSid: string, serviceSid: string) {
    const items = await queryAll(this.ddb, this.table, Keys.webhooksOf(accountSid, serviceSid));
    return items.map((item) => record<Webhook>(item));
  }

  async update(webhook: Webhook) {
    const outcome = await transact(this.ddb, [
      {
        label: 'service',
        ConditionCheck: {
          TableName: this.table,
          Key: Keys.service(webhook.accountSid, webhook.serviceSid),
          ConditionExpression: Condition.live,
        },
      },
      {
        label: 'webhook',
        Put: { TableName: this.table, Item: webhookItem(webhook), ConditionExpression: Condition.exists },
      },
    ]);
    return outcome.ok;
  }

  async delete(accountSid: string, serviceSid: string, sid: string) {
    const outcome = await transact(this.ddb, [
      {
        label: 'webhook',
        Delete: {
          TableName: this.table,
          Key: Keys.webhook(accountSid, serviceSid, sid),
          ConditionExpression: Condition.exists,
        },
      },
      {
        label: 'count',
        Update: {
          TableName: this.table,
          Key: Keys.webhookCount(accountSid, serviceSid),
          UpdateExpression: 'ADD webhooks :minusOne',
          ConditionExpression: 'webhooks > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        },
      },
    ]);
    return outcome.ok;
  }
}
