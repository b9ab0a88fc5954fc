// @ts-nocheck
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccessTokenStore } from '../app/ports';
import type { AccessToken } from '../domain/access-token';
import { Keys } from './keys';
import { record } from './paging';

export class DynamoAccessTokenStore implements AccessTokenStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(token: AccessToken) {
    // DynamoDB's TTL removes the record some time after the token has expired; reads check expiry anyway.
    const expiresAt = Math.floor(Date.parse(token.dateCreated) / 1000) + token.ttl;
    await this.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...Keys.accessToken(token.sid), type: 'accessToken', ...token, expiresAt },
      }),
    );
  }

  async get(sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.accessToken(sid) }),
    );
    return Item && record<AccessToken>(Item);
  }
}
