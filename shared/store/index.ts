import { DynamoAccountStore } from './accounts';
import { dynamoDocumentClient, tableName } from './client';
import { DynamoEntityStore } from './entities';
import { DynamoFactorStore } from './factors';
import { DynamoServiceStore } from './services';

let cached: ReturnType<typeof createStores> | undefined;

function createStores() {
  const ddb = dynamoDocumentClient();
  const table = tableName();
  return {
    accounts: new DynamoAccountStore(ddb, table),
    services: new DynamoServiceStore(ddb, table),
    entities: new DynamoEntityStore(ddb, table),
    factors: new DynamoFactorStore(ddb, table),
  };
}

/** The DynamoDB-backed stores, created once per process. */
export const stores = () => (cached ??= createStores());
