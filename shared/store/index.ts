import { DynamoAccessTokenStore } from './access-tokens';
import { DynamoAccountStore } from './accounts';
import { DynamoChallengeStore } from './challenges';
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

// `@__PURE__` lets esbuild drop the accessors (and their store classes) that a function does not use.
export const accountStore = /* @__PURE__ */ once(
  () => new DynamoAccountStore(dynamoDocumentClient(), tableName()),
);
export const serviceStore = /* @__PURE__ */ once(
  () => new DynamoServiceStore(dynamoDocumentClient(), tableName()),
);
export const entityStore = /* @__PURE__ */ once(
  () => new DynamoEntityStore(dynamoDocumentClient(), tableName()),
);
export const factorStore = /* @__PURE__ */ once(
  () => new DynamoFactorStore(dynamoDocumentClient(), tableName()),
);
export const challengeStore = /* @__PURE__ */ once(
  () => new DynamoChallengeStore(dynamoDocumentClient(), tableName()),
);
export const accessTokenStore = /* @__PURE__ */ once(
  () => new DynamoAccessTokenStore(dynamoDocumentClient(), tableName()),
);
