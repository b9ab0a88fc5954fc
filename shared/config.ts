import * as z from 'zod/mini';

/**
 * Every setting a function or `npm start` reads, with its environment variable. The CDK stack sets the
 * variables by these names, so a name is written once. Parsed once per process (`loadConfig`): a bad value
 * fails the cold start with a message naming the variable, instead of becoming `NaN` somewhere later.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  kmsKeyId: 'KMS_KEY_ID',
  localMasterKeyFile: 'LOCAL_MASTER_KEY_FILE',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  allowedOrigins: 'ALLOWED_ORIGINS',
  challengeRetentionDays: 'CHALLENGE_RETENTION_DAYS',
  credentialCacheTtlMs: 'CREDENTIAL_CACHE_TTL_MS',
  accountRateLimit: 'ACCOUNT_RATE_LIMIT',
  eventsIncludePii: 'EVENTS_INCLUDE_PII',
  eventBusName: 'EVENT_BUS_NAME',
  eventBridgeEndpoint: 'EVENTBRIDGE_ENDPOINT',
  deleteBudgetMs: 'DELETE_BUDGET_MS',
  deleterBudgetMs: 'DELETER_BUDGET_MS',
  apnsBaseUrl: 'APNS_BASE_URL',
  fcmBaseUrl: 'FCM_BASE_URL',
  pushMaxAttempts: 'PUSH_MAX_ATTEMPTS',
  webhookAllowHttp: 'WEBHOOK_ALLOW_HTTP',
  webhookAllowPrivateAddresses: 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES',
  webhookConnectTimeoutMs: 'WEBHOOK_CONNECT_TIMEOUT_MS',
  webhookTimeoutMs: 'WEBHOOK_TIMEOUT_MS',
  webhookRetryBaseMs: 'WEBHOOK_RETRY_BASE_MS',
  webhookRetryWindowSeconds: 'WEBHOOK_RETRY_WINDOW_SECONDS',
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  webhookDeadLetterQueueUrl: 'WEBHOOK_DEAD_LETTER_QUEUE_URL',
  metricsNamespace: 'METRICS_NAMESPACE',
  metricsPerAccount: 'METRICS_PER_ACCOUNT',
} as const;

export type Setting = keyof typeof ENV;

const optionalText = () => z.optional(z.string().check(z.minLength(1, 'must not be empty')));

const wholeNumber = (min: number, max: number, fallback: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .pipe(z._default(z.string().check(z.regex(/^\d{1,9}$/, message)), String(fallback)), z.transform(Number))
    .check(z.refine((n: number) => n >= min && n <= max, message));
};

const flag = (fallback: 'true' | 'false') =>
  z.pipe(
    z._default(z.string().check(z.regex(/^(true|false)$/, 'must be true or false')), fallback),
    z.transform((value: string) => value === 'true'),
  );

const url = () =>
  z.optional(
    z.string().check(
      z.refine((value: string) => {
        try {
          return ['http:', 'https:'].includes(new URL(value).protocol);
        } catch {
          return false;
        }
      }, 'must be an absolute http(s) URL'),
    ),
  );

/** Where the functions' metrics go when `METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'VerifyPushTotp';

/** How long an ended challenge stays readable by default (Twilio's PII SLA); the bus archive matches it. */
export const DEFAULT_CHALLENGE_RETENTION_DAYS = 30;

const schema = z.object({
  tableName: optionalText(),
  dynamodbEndpoint: url(),
  kmsKeyId: optionalText(),
  localMasterKeyFile: optionalText(),
  /** Base of every URL in responses; by default derived from each request. */
  publicBaseUrl: z.pipe(
    url(),
    z.transform((value: string | undefined) => value?.replace(/\/+$/, '')),
  ),
  /** CORS: a comma-separated list of origins, or `*`. */
  allowedOrigins: z.pipe(
    z._default(z.string(), '*'),
    z.transform((value: string) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  ),
  challengeRetentionDays: wholeNumber(1, 3650, DEFAULT_CHALLENGE_RETENTION_DAYS),
  /** How long a warm function trusts a verified credential (account, API key or device) without a read. */
  credentialCacheTtlMs: wholeNumber(0, 60_000, 5_000),
  /** Requests per second one warm function instance accepts per account (0: no limit). */
  accountRateLimit: wholeNumber(0, 100_000, 100),
  eventsIncludePii: z.pipe(
    z._default(z.string().check(z.regex(/^(true|false)$/, 'must be true or false')), 'true'),
    z.transform((value: string) => value === 'true'),
  ),
  eventBusName: optionalText(),
  eventBridgeEndpoint: url(),
  /** How long a DELETE of a service or entity works before it leaves the rest to the deleter. */
  deleteBudgetMs: wholeNumber(0, 8_000, 3_000),
  /** How long one invocation of the deleter works before it hands over to the next (within its timeout). */
  deleterBudgetMs: wholeNumber(1, 840_000, 40_000),
  /** Where push notifications go: Apple's hosts (by the credential's sandbox flag) unless set. */
  apnsBaseUrl: url(),
  /** FCM HTTP v1's host, `https://fcm.googleapis.com` unless set. */
  fcmBaseUrl: url(),
  /** Deliveries of a notification (SQS receives) before it goes to the dead-letter queue. */
  pushMaxAttempts: wholeNumber(1, 20, 5),
  /** Webhook URLs may be http (not only https): for development (`npm start` sets it). */
  webhookAllowHttp: flag('false'),
  /** Webhooks may go to loopback, private and other non-public addresses (`npm start` sets it). */
  webhookAllowPrivateAddresses: flag('false'),
  /** A webhook request's connect timeout, and its whole time (Twilio's defaults: 5 s and 15 s). */
  webhookConnectTimeoutMs: wholeNumber(100, 10_000, 5_000),
  webhookTimeoutMs: wholeNumber(100, 15_000, 15_000),
  /** The first retry's delay (doubling from there, with jitter, up to SQS's 900 s). */
  webhookRetryBaseMs: wholeNumber(100, 900_000, 30_000),
  /** How long a webhook delivery is retried, from its first attempt, before the dead-letter queue. */
  webhookRetryWindowSeconds: wholeNumber(0, 1_209_600, 86_400),
  /** The delivery queue (dispatcher → delivery, and the delivery's own retries) and its dead-letter queue. */
  webhookQueueUrl: url(),
  webhookDeadLetterQueueUrl: url(),
  /** The CloudWatch namespace of the functions' metrics (the stack sets its own name). */
  metricsNamespace: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'must be a CloudWatch namespace')),
    DEFAULT_METRICS_NAMESPACE,
  ),
  /** Whether metrics are also published per account (an `account_sid` dimension), not only in total. */
  metricsPerAccount: flag('true'),
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the settings from an environment (`process.env` by default); throws a ConfigError naming each bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [field, variable] of Object.entries(ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') input[field] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = ENV[String(issue.path[0]) as Setting] ?? String(issue.path[0]);
    return `${variable} ${issue.message} (got ${JSON.stringify(input[String(issue.path[0])])})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** A setting a component cannot work without. */
export function required<K extends Setting>(config: Config, setting: K): NonNullable<Config[K]> {
  const value = config[setting];
  if (value === undefined || value === null) throw new ConfigError(`${ENV[setting]} is not set`);
  return value as NonNullable<Config[K]>;
}

/** Settings as environment variables, for the CDK stack and child processes. */
export function toEnvironment(settings: Partial<Record<Setting, string | number | boolean | string[]>>) {
  const environment: Record<string, string> = {};
  for (const [setting, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    environment[ENV[setting as Setting]] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return environment;
}
