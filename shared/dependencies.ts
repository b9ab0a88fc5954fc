import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AccessTokenStore,
  AccountStore,
  ChallengeStore,
  EntityStore,
  FactorStore,
  PasskeyStore,
  PushCredentialStore,
  SecretSealer,
  ServiceStore,
  WebhookQueue,
  WebhookStore,
  WebhookTransport,
} from './app/ports';
import type { PushDelivery } from './app/notifications';
import { ConfigError, loadConfig, required, type Config } from './config';
import { DynamoAccessTokenStore } from './store/access-tokens';
import { DynamoAccountStore } from './store/accounts';
import { DynamoChallengeStore } from './store/challenges';
import { DynamoEntityStore } from './store/entities';
import { DynamoFactorStore } from './store/factors';
import { DynamoPasskeyStore } from './store/passkeys';
import { DynamoPushCredentialStore } from './store/push-credentials';
import { DynamoServiceStore } from './store/services';
import { DynamoWebhookStore } from './store/webhooks';
import { instrumentClient } from './observability/aws-sdk';

/**
 * Everything a function works with, built in this one place from the configuration. Members are created on
 * first use, so a function that never touches a store or the sealer never builds it (nor its clients).
 * Handlers get it as an argument: on Lambda from `fromEnvironment`, locally from the runtime, in tests with
 * whatever overrides a test needs (another clock, an in-memory store).
 */
export interface Dependencies {
  readonly config: Config;
  readonly now: () => Date;
  readonly db: DynamoDBDocumentClient;
  readonly accounts: AccountStore;
  readonly services: ServiceStore;
  readonly entities: EntityStore;
  readonly factors: FactorStore;
  readonly challenges: ChallengeStore;
  readonly accessTokens: AccessTokenStore;
  readonly pushCredentials: PushCredentialStore;
  readonly webhooks: WebhookStore;
  readonly passkeys: PasskeyStore;
  readonly sealer: SecretSealer;
  readonly tokenSealer: SecretSealer;
  readonly push: PushDelivery;
  readonly webhookQueue: WebhookQueue;
  readonly webhookTransport: WebhookTransport;
}

export function documentClient(config: Config): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    instrumentClient(
      new DynamoDBClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

const withoutProviders = {
  send: () => Promise.reject(new ConfigError('This function was built without push providers')),
  close: () => Promise.resolve(),
};

/** How each member is made from the others. */
export type Factories = { [K in keyof Dependencies]: (deps: Dependencies) => Dependencies[K] };

const FACTORIES: Omit<Factories, 'config'> = {
  now: () => () => new Date(),
  db: ({ config }) => documentClient(config),
  accounts: ({ db, config }) => new DynamoAccountStore(db, required(config, 'tableName')),
  services: ({ db, config }) => new DynamoServiceStore(db, required(config, 'tableName')),
  entities: ({ db, config }) => new DynamoEntityStore(db, required(config, 'tableName')),
  factors: ({ db, config }) => new DynamoFactorStore(db, required(config, 'tableName')),
  challenges: ({ db, config }) =>
    new DynamoChallengeStore(db, required(config, 'tableName'), config.challengeRetentionDays),
  accessTokens: ({ db, config }) => new DynamoAccessTokenStore(db, required(config, 'tableName')),
  pushCredentials: ({ db, config }) => new DynamoPushCredentialStore(db, required(config, 'tableName')),
  webhooks: ({ db, config }) => new DynamoWebhookStore(db, required(config, 'tableName')),
  passkeys: ({ db, config }) =>
    new DynamoPasskeyStore(db, required(config, 'tableName'), config.challengeRetentionDays),
  // Only the functions that seal or open secrets bring the sealer (and the KMS client's code) into their
  // bundle: they pass `secretSealer` from shared/crypto as an extra factory.
  sealer: () => {
    throw new ConfigError('This function was built without a secret sealer');
  },
  // Auth tokens have their own sealer (KMS purpose `verify-account-token`): `accountTokenSealer` from
  // shared/crypto, for the webhook delivery, the admin command and the local runtime.
  tokenSealer: () => ({
    seal: () => Promise.reject(new ConfigError('This function was built without an account token sealer')),
    open: () => Promise.reject(new ConfigError('This function was built without an account token sealer')),
  }),
  // Likewise only the sender brings the push providers (`pushDelivery` from shared/push); elsewhere a
  // send fails loudly.
  push: () => ({ providers: { apn: withoutProviders, fcm: withoutProviders } }),
  // Only the webhook functions bring the SQS client and the HTTP sender (`sqsWebhookQueue` from
  // shared/events/sqs, `webhookTransport` from shared/webhooks).
  // Their stand-ins fail when used, not when made (tests spread `deps`, which makes every member).
  webhookQueue: () => ({
    send: () => Promise.reject(new ConfigError('This function was built without the webhook queue')),
    deadLetter: () => Promise.reject(new ConfigError('This function was built without the webhook queue')),
  }),
  webhookTransport: () => ({
    post: () => Promise.reject(new ConfigError('This function was built without the webhook sender')),
  }),
};

/**
 * The dependencies for `config`. `overrides` replace members (tests: a fixed clock, a fake store);
 * `factories` add or replace how members are made (the sealer, for the functions that need one).
 */
export function dependencies(
  config: Config,
  overrides: Partial<Omit<Dependencies, 'config'>> = {},
  factories: Partial<Omit<Factories, 'config'>> = {},
) {
  const built: { -readonly [K in keyof Dependencies]?: Dependencies[K] } = { ...overrides, config };
  const make = { ...FACTORIES, ...factories };
  const deps = {} as Dependencies;
  for (const name of Object.keys(make) as (keyof typeof make)[]) {
    Object.defineProperty(deps, name, {
      enumerable: true,
      get: () => (built[name] ??= make[name](deps) as never),
    });
  }
  Object.defineProperty(deps, 'config', { enumerable: true, value: config });
  return deps;
}

/**
 * A Lambda handler from a function's `build`: the configuration is read from the environment and the
 * dependencies built once per instance. On Lambda that happens during the init phase, so a bad setting
 * fails the cold start with a clear message; elsewhere (tests importing `handler`) on first call.
 */
export function fromEnvironment<E, C, R>(
  build: (deps: Dependencies) => (event: E, context: C) => Promise<R>,
  factories: Partial<Omit<Factories, 'config'>> = {},
) {
  let handler: ((event: E, context: C) => Promise<R>) | undefined;
  const get = () => (handler ??= build(dependencies(loadConfig(), {}, factories)));
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) get();
  return (event: E, context: C) => get()(event, context);
}
