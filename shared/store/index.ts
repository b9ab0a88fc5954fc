import { DynamoAccountStore } from './accounts';
import { dynamoDocumentClient, tableName } from './client';
import { DynamoEntityStore } from './entities';
import { DynamoFactorStore } from './factors';
import { DynamoServiceStore } from './services';

/**
 * The DynamoDB-backed stores, each created once per process on first use. Separate accessors let a
 * function's bundle carry only the stores it uses.
 */
const once = <T>(create: () => T) => {
  let instance: T | undefined;
  return () => (instance ??= create());
};

export const accountStore = once(() => new DynamoAccountStore(dynamoDocumentClient(), tableName()));
export const serviceStore = once(() => new DynamoServiceStore(dynamoDocumentClient(), tableName()));
export const entityStore = once(() => new DynamoEntityStore(dynamoDocumentClient(), tableName()));
export const factorStore = once(() => new DynamoFactorStore(dynamoDocumentClient(), tableName()));
