/**
 * The route table: the single source for the CDK REST API (one Lambda per route) and the local server.
 * `handler` is the module, relative to the repository root, whose `handler` export serves the route.
 */
// @ts-nocheck

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * A DynamoDB action, as IAM names it. A transaction needs the action of each of its parts (there is no
 * `TransactWriteItems` permission): `ConditionCheckItem`, `PutItem`, `UpdateItem`, `DeleteItem`.
 */
export type DynamoAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** The kinds of partition (`shared/store/keys.ts`): a partition key is `<kind>#…`. */
export type Partition = 'ACCOUNT' | 'APIKEY' | 'SERVICE' | 'ENTITY' | 'CREDENTIAL' | 'ACCESSTOKEN';

/**
 * What a route's function does with the data; its role allows exactly that (`infra/cdk/access.ts`).
 * - `table`: every DynamoDB action its code calls, authentication included (account credentials read the
 *   `ACCOUNT#` or `APIKEY#` item, a device the `CREDENTIAL#` item and, in one BatchGetItem, its service
 *   (`ACCOUNT#`) and entity (`SERVICE#`) to check neither is being deleted, an enrollment token its
 *   `ACCESSTOKEN#` item).
 * - `partitions`: when set, the only kinds of partition whose items it may touch (an IAM condition on the
 *   partition keys).
 * - `kms`: whether it seals TOTP secrets (a new data key: `kms:GenerateDataKey`), opens them
 *   (`kms:Decrypt`), or both; a function with `kms` gets the key's ARN as `KMS_KEY_ID`.
 */
export interface Access {
  table: readonly DynamoAction[];
  partitions?: readonly Partition[];
  kms?: 'seal' | 'open' | 'seal+open';
}

export interface Route {
  name: string;
  method: HttpMethod;
  path: string;
  handler: string;
  access: Access;
}

/** Whether the route's function seals or opens TOTP secrets, and so gets the KMS key. */
export const usesSecretsKey = (route: Route) => route.access.kms !== undefined;

const SERVICE = '/v2/Services/{ServiceSid}';
const ENTITY = `${SERVICE}/Entities/{Identity}`;
/** Deleting a service or an entity with everything below it, resumably (see DeleteService). */
const TREE_DELETION: readonly DynamoAction[] = [
  'GetItem',
  'Query',
  'BatchWriteItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
];

const CREDENTIALS = '/v1/Credentials';

export const ROUTES: readonly Route[] = [
  {
    name: 'CreateService',
    method: 'POST',
    path: '/v2/Services',
    handler: 'functions/services/create.ts',
    // Reads the push credentials it names (GetItem), and puts the service in a transaction that checks them.
    access: { table: ['GetItem', 'PutItem', 'ConditionCheckItem'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'ListServices',
    method: 'GET',
    path: '/v2/Services',
    handler: 'functions/services/list.ts',
    access: { table: ['GetItem', 'Query'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'FetchService',
    method: 'GET',
    path: SERVICE,
    handler: 'functions/services/fetch.ts',
    access: { table: ['GetItem'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'UpdateService',
    method: 'POST',
    path: SERVICE,
    handler: 'functions/services/update.ts',
    // A conditional PutItem replaces the service, in a transaction that checks the push credentials it names.
    access: { table: ['GetItem', 'PutItem', 'ConditionCheckItem'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'DeleteService',
    method: 'DELETE',
    path: SERVICE,
    handler: 'functions/services/delete.ts',
    // Deletes the service, then each entity's tree (Query, BatchWriteItem); a resumable deletion also marks
    // progress (UpdateItem) and checks what it deletes (ConditionCheckItem). It reaches every kind of
    // partition but access tokens, so no partition condition.
    access: { table: TREE_DELETION },
  },
  {
    name: 'CreateEntity',
    method: 'POST',
    path: `${SERVICE}/Entities`,
    handler: 'functions/entities/create.ts',
    // A transaction: the service exists (ConditionCheckItem), the entity does not (PutItem).
    access: {
      table: ['GetItem', 'ConditionCheckItem', 'PutItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'],
    },
  },
  {
    name: 'ListEntities',
    method: 'GET',
    path: `${SERVICE}/Entities`,
    handler: 'functions/entities/list.ts',
    access: { table: ['GetItem', 'Query'], partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'] },
  },
  {
    name: 'FetchEntity',
    method: 'GET',
    path: ENTITY,
    handler: 'functions/entities/fetch.ts',
    access: { table: ['GetItem'], partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'] },
  },
  {
    name: 'DeleteEntity',
    method: 'DELETE',
    path: ENTITY,
    handler: 'functions/entities/delete.ts',
    access: { table: TREE_DELETION },
  },
  {
    name: 'CreateFactor',
    method: 'POST',
    path: `${ENTITY}/Factors`,
    handler: 'functions/factors/create.ts',
    // Reads the service and entity; a transaction checks the service, puts or updates the entity, puts the
    // factor (and a push factor's credential) and spends the enrollment token (UpdateItem). It reaches every
    // kind of partition, so no partition condition. TOTP secrets are sealed, never opened.
    access: { table: ['GetItem', 'ConditionCheckItem', 'PutItem', 'UpdateItem'], kms: 'seal' },
  },
  {
    name: 'ListFactors',
    method: 'GET',
    path: `${ENTITY}/Factors`,
    handler: 'functions/factors/list.ts',
    access: { table: ['GetItem', 'Query'], partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'ENTITY'] },
  },
  {
    name: 'FetchFactor',
    method: 'GET',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/fetch.ts',
    access: {
      table: ['GetItem', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'CREDENTIAL', 'ENTITY'],
    },
  },
  {
    name: 'UpdateFactor',
    method: 'POST',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/update.ts',
    // Conditional updates of the factor (settings, verification, failed attempts), which may become a
    // transaction that also checks it (ConditionCheckItem). Verifying a TOTP factor opens its secret.
    access: {
      table: ['GetItem', 'UpdateItem', 'ConditionCheckItem', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'CREDENTIAL', 'ENTITY'],
      kms: 'open',
    },
  },
  {
    name: 'DeleteFactor',
    method: 'DELETE',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/delete.ts',
    // A transaction deletes the factor and its credential and counts it off the entity (UpdateItem); when
    // the entity is already gone, a BatchWriteItem deletes the two.
    access: {
      table: ['GetItem', 'DeleteItem', 'UpdateItem', 'BatchWriteItem', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'CREDENTIAL', 'SERVICE', 'ENTITY'],
    },
  },
  {
    name: 'CreateChallenge',
    method: 'POST',
    path: `${ENTITY}/Challenges`,
    handler: 'functions/challenges/create.ts',
    // BatchGetItem of the factor and its service; the challenge is put in a transaction that checks the
    // factor (ConditionCheckItem) or, for an accepted TOTP code, moves its replay guard (UpdateItem).
    access: {
      table: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'ENTITY'],
      kms: 'open',
    },
  },
  {
    name: 'ListChallenges',
    method: 'GET',
    path: `${ENTITY}/Challenges`,
    handler: 'functions/challenges/list.ts',
    access: {
      table: ['GetItem', 'Query', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'CREDENTIAL', 'SERVICE', 'ENTITY'],
    },
  },
  {
    name: 'FetchChallenge',
    method: 'GET',
    path: `${ENTITY}/Challenges/{Sid}`,
    handler: 'functions/challenges/fetch.ts',
    access: {
      table: ['GetItem', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'CREDENTIAL', 'ENTITY'],
    },
  },
  {
    name: 'UpdateChallenge',
    method: 'POST',
    path: `${ENTITY}/Challenges/{Sid}`,
    handler: 'functions/challenges/update.ts',
    // Reads the challenge and its factor; the answer is a conditional update, or a transaction that also
    // updates (TOTP replay guard) or checks (push) the factor. A TOTP answer opens the factor's secret.
    access: {
      table: ['GetItem', 'UpdateItem', 'ConditionCheckItem', 'BatchGetItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE', 'CREDENTIAL', 'ENTITY'],
      kms: 'open',
    },
  },
  {
    name: 'CreateNotification',
    method: 'POST',
    path: `${ENTITY}/Challenges/{ChallengeSid}/Notifications`,
    handler: 'functions/notifications/create.ts',
    // Reads the challenge and its factor; adds the resend to the challenge with a conditional update.
    access: { table: ['GetItem', 'UpdateItem'], partitions: ['ACCOUNT', 'APIKEY', 'ENTITY'] },
  },
  {
    name: 'CreateAccessToken',
    method: 'POST',
    path: `${SERVICE}/AccessTokens`,
    handler: 'functions/access-tokens/create.ts',
    access: { table: ['GetItem', 'PutItem'], partitions: ['ACCOUNT', 'APIKEY', 'ACCESSTOKEN'] },
  },
  {
    name: 'FetchAccessToken',
    method: 'GET',
    path: `${SERVICE}/AccessTokens/{Sid}`,
    handler: 'functions/access-tokens/fetch.ts',
    access: { table: ['GetItem'], partitions: ['ACCOUNT', 'APIKEY', 'ACCESSTOKEN'] },
  },
  // Verify webhooks: items of the service's partition, beside a count item that holds their limit.
  {
    name: 'CreateWebhook',
    method: 'POST',
    path: `${SERVICE}/Webhooks`,
    handler: 'functions/webhooks/create.ts',
    // A transaction: the service is live (ConditionCheckItem), the count is below the limit (UpdateItem),
    // the webhook is new (PutItem).
    access: {
      table: ['GetItem', 'ConditionCheckItem', 'UpdateItem', 'PutItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'],
    },
  },
  {
    name: 'ListWebhooks',
    method: 'GET',
    path: `${SERVICE}/Webhooks`,
    handler: 'functions/webhooks/list.ts',
    access: { table: ['GetItem', 'Query'], partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'] },
  },
  {
    name: 'FetchWebhook',
    method: 'GET',
    path: `${SERVICE}/Webhooks/{Sid}`,
    handler: 'functions/webhooks/fetch.ts',
    access: { table: ['GetItem'], partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'] },
  },
  {
    name: 'UpdateWebhook',
    method: 'POST',
    path: `${SERVICE}/Webhooks/{Sid}`,
    handler: 'functions/webhooks/update.ts',
    // A transaction: the service is live, the webhook exists and is replaced.
    access: {
      table: ['GetItem', 'ConditionCheckItem', 'PutItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'],
    },
  },
  {
    name: 'DeleteWebhook',
    method: 'DELETE',
    path: `${SERVICE}/Webhooks/{Sid}`,
    handler: 'functions/webhooks/delete.ts',
    // A transaction deletes the webhook and counts it off (UpdateItem).
    access: {
      table: ['GetItem', 'DeleteItem', 'UpdateItem'],
      partitions: ['ACCOUNT', 'APIKEY', 'SERVICE'],
    },
  },
  // Notify v1 push credentials (twilio-node's `client.notify`): items of the account's partition.
  {
    name: 'CreatePushCredential',
    method: 'POST',
    path: CREDENTIALS,
    handler: 'functions/credentials/create.ts',
    access: { table: ['GetItem', 'PutItem'], partitions: ['ACCOUNT', 'APIKEY'], kms: 'seal' },
  },
  {
    name: 'ListPushCredentials',
    method: 'GET',
    path: CREDENTIALS,
    handler: 'functions/credentials/list.ts',
    access: { table: ['GetItem', 'Query'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'FetchPushCredential',
    method: 'GET',
    path: `${CREDENTIALS}/{Sid}`,
    handler: 'functions/credentials/fetch.ts',
    access: { table: ['GetItem'], partitions: ['ACCOUNT', 'APIKEY'] },
  },
  {
    name: 'UpdatePushCredential',
    method: 'POST',
    path: `${CREDENTIALS}/{Sid}`,
    handler: 'functions/credentials/update.ts',
    access: { table: ['GetItem', 'PutItem'], partitions: ['ACCOUNT', 'APIKEY'], kms: 'seal' },
  },
  {
    name: 'DeletePushCredential',
    method: 'DELETE',
    path: `${CREDENTIALS}/{Sid}`,
    handler: 'functions/credentials/delete.ts',
    // Marks it (UpdateItem), reads the account's services (Query), then deletes it or takes the mark back.
    access: {
      table: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'],
      partitions: ['ACCOUNT', 'APIKEY'],
    },
  },
];

/** Answers every request no route serves: 404 for an unknown path, 405 for a known path's other methods. */
export const FALLBACK_HANDLER = 'functions/fallback.ts';

const SLASH = 0x2f;

/** Path parameters when `path` fits the `{Name}` placeholders of `template`, else undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  // Trailing slashes are trimmed by hand: `/\/+$/` backtracks quadratically over a long run of slashes.
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  // A path with more segments than the template stops splitting at one more.
  const actual = path.slice(0, end).split('/', expected.length + 1);
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    const segment = actual[i]!;
    const name = part.match(/^\{(\w+)\}$/)?.[1];
    if (name) {
      if (segment === '') return undefined;
      params[name] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}

export type Resolution =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: HttpMethod[] }
  | { kind: 'unknown-path' };

export function resolveRoute(method: string, path: string): Resolution {
  const matching = ROUTES.flatMap((route) => {
    const params = matchPath(route.path, path);
    return params ? [{ route, params }] : [];
  });
  const hit = matching.find(({ route }) => route.method === method);
  if (hit) return { kind: 'route', ...hit };
  if (matching.length > 0)
    return { kind: 'wrong-method', allowed: matching.map(({ route }) => route.method) };
  return { kind: 'unknown-path' };
}
