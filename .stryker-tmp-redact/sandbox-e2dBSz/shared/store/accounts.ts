// @ts-nocheck
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountStore } from '../app/ports';
import type { Account, ApiKey } from '../domain/credentials';
import { Keys } from './keys';
import { record } from './paging';

export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getAccount(sid: string) {
    const { Item } = await this.ddb.send(new GetCommand({ TableName: this.table, Key: Keys.account(sid) }));
    return Item && record<Account>(Item);
  }

  async getApiKey(sid: string) {
    const { Item } = await this.ddb.send(new GetCommand({ TableName: this.table, Key: Keys.apiKey(sid) }));
    return Item && record<ApiKey>(Item);
  }

  async putAccount(account: Account) {
    const item = { ...Keys.account(account.sid), type: 'account', ...account };
    await this.ddb.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  async putApiKey(apiKey: ApiKey) {
    const item = { ...Keys.apiKey(apiKey.sid), type: 'apiKey', ...apiKey };
    await this.ddb.send(new PutCommand({ TableName: this.table, Item: item }));
  }
}
