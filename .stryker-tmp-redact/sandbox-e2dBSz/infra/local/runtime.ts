// @ts-nocheck
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../shared/config';
import { localDependencies } from './dependencies';
import { saveAccount } from '../../shared/app/accounts';
import { newAccount, newAuthToken } from '../../shared/domain/credentials';
import { newSid, sidPattern, SidPrefix } from '../../shared/domain/sid';
import { build as buildDeleter } from '../../functions/deleter/handler';
import { build as buildPushSender } from '../../functions/push-sender/handler';
import { build as buildStreamHandler } from '../../functions/stream/handler';
import { build as buildWebhookDelivery } from '../../functions/webhook-delivery/handler';
import { build as buildWebhookDispatcher } from '../../functions/webhook-dispatcher/handler';
import { DELETER_FILTER_PATTERNS, PUSH_REQUEST_EVENT, WEBHOOK_EVENTS } from '../../shared/events/filters';
import { startLocalWebhooks, type LocalWebhooks } from './webhooks';
import { ensureTable, freePort, LOCAL_AWS_ENV, localDynamoClient, startDynamoDbLocal } from './dynamodb';
import { startEventSink } from './event-sink';
import { startLocalPush, type LocalPush } from './push';
import { createLocalServer, listen } from './server';
import { startStreamPump } from './stream-pump';

export const LOCAL_TABLE_NAME = 'verify-local';

export interface LocalAccount {
  sid: string;
  authToken: string;
}

export interface LocalRuntime {
  url: string;
  publicBaseUrl: string;
  account: LocalAccount;
  dynamoPid: number;
  /** Where the events the stream handler publishes land, one JSON line each. */
  eventsFile: string;
  /** The local APNs and FCM, the push queue, and the file every delivered notification lands in. */
  push: LocalPush;
  /** Webhook dispatch and delivery (real HTTP), with their in-process queues. */
  webhooks: LocalWebhooks;
  stop(): Promise<void>;
}

/**
 * What `npm start` changes from the deployed defaults, each overridable by its variable: webhooks may go
 * to http URLs and to private addresses (a receiver on 127.0.0.1), and retries come quickly (the first
 * within a second) so a developer sees them.
 */
export const LOCAL_DEFAULTS: Record<string, string> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
  WEBHOOK_RETRY_BASE_MS: '1000',
};

/** `LOCAL_ACCOUNT_SID` + `LOCAL_AUTH_TOKEN` when both are set, else the account generated once in `dir`. */
function localAccount(dir: string): LocalAccount {
  const { LOCAL_ACCOUNT_SID: sid, LOCAL_AUTH_TOKEN: authToken } = process.env;
  if (sid && authToken) {
    if (!sidPattern('AC').test(sid))
      throw new Error('LOCAL_ACCOUNT_SID must be AC followed by 32 hex digits');
    if (!/^[0-9a-f]{32}$/.test(authToken))
      throw new Error('LOCAL_AUTH_TOKEN must be 32 lowercase hex digits, like a Twilio auth token');
    return { sid, authToken };
  }
  const file = join(dir, 'account.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalAccount;
  const account = { sid: newSid(SidPrefix.account), authToken: newAuthToken() };
  writeFileSync(file, JSON.stringify(account, null, 2), { mode: 0o600 });
  return account;
}

/** The master key that wraps TOTP secret data keys locally (KMS does this on AWS). */
function masterKeyFile(dir: string): string {
  const file = join(dir, 'master.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return file;
}

async function tableExists(endpoint: string, tableName: string): Promise<boolean> {
  const client = localDynamoClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

/** Local data stays the user's: the folder is 0700 and every file in it 0600 (DynamoDB Local's included). */
function ensurePrivateDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Everything `npm start` runs: DynamoDB Local with the shared table definition, the account, the HTTP
 * server in front of the handler modules, and the event pipeline: a stream pump feeding the table's
 * stream to the stream handler, which publishes to a local EventBridge sink writing `<dir>/events.jsonl`
 * (or `LOCAL_EVENTS_FILE`), and a second pump feeding it to the deleter. Data persists in `<dir>/dynamodb` unless `inMemory`. The handlers get their
 * settings as a configuration object (from `settings`, which takes the same variables as on AWS); only the
 * AWS SDK's credentials for DynamoDB Local are set in the environment.
 */
export async function startLocalRuntime(options: {
  port: number;
  dir?: string;
  inMemory?: boolean;
  eventsFile?: string;
  /** Where the local providers append delivered notifications; default `<dir>/pushes.jsonl`. */
  pushFile?: string;
  /** Tests: every credential's pushes go to the local providers (see `startLocalPush`). */
  everythingLocal?: boolean;
  /** How long the local push queue waits before delivering a failed message again (SQS: 60 s). */
  pushRetryDelayMs?: number;
  settings?: Record<string, string | undefined>;
  /** Where the event sink's one-line summaries go (default: the console). */
  log?: (line: string) => void;
}): Promise<LocalRuntime> {
  const dir = resolve(options.dir ?? '.local');
  ensurePrivateDir(dir);
  ensurePrivateDir(join(dir, 'dynamodb'));
  const account = localAccount(dir);
  const settings = options.settings ?? {};
  const base = loadConfig({
    ...LOCAL_DEFAULTS,
    ...Object.fromEntries(
      Object.entries(settings).filter(([, value]) => value !== undefined && value !== ''),
    ),
  });
  Object.assign(process.env, LOCAL_AWS_ENV);
  const dynamo = await startDynamoDbLocal({ dbPath: options.inMemory ? undefined : join(dir, 'dynamodb') });
  // Stopped in reverse order, also when starting fails half way.
  const stops: (() => Promise<void>)[] = [dynamo.stop];
  const stop = async () => {
    for (const stopOne of [...stops].reverse()) await stopOne();
  };
  try {
    const eventsFile = resolve(options.eventsFile || join(dir, 'events.jsonl'));
    const push = await startLocalPush({
      config: base,
      dir,
      file: resolve(options.pushFile || join(dir, 'pushes.jsonl')),
      everythingLocal: options.everythingLocal,
      retryDelayMs: options.pushRetryDelayMs,
    });
    stops.push(push.stop);
    const webhooks = startLocalWebhooks({ config: base, dir, log: options.log });
    stops.push(webhooks.stop);
    // The local rules: notification requests go to the push queue, as the PushSender rule does on AWS, and
    // the webhook events to the webhook dispatcher's queue, as the Webhooks rule does.
    const sink = await startEventSink({
      file: eventsFile,
      log: options.log,
      onEvent: (event) => {
        if (event['detail-type'] === PUSH_REQUEST_EVENT) push.queue?.send(event);
        if (WEBHOOK_EVENTS.includes(event['detail-type'])) webhooks.events?.send(event);
      },
    });
    stops.push(sink.stop);
    const port = options.port || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const config: Config = {
      ...base,
      tableName: LOCAL_TABLE_NAME,
      dynamodbEndpoint: dynamo.endpoint,
      localMasterKeyFile: masterKeyFile(dir),
      kmsKeyId: undefined,
      eventBusName: 'local',
      eventBridgeEndpoint: sink.endpoint,
      publicBaseUrl: base.publicBaseUrl ?? url,
    };
    const deps = localDependencies(config, {
      push: push.delivery,
      webhookQueue: webhooks.queue,
      webhookTransport: webhooks.http,
    });
    push.startQueue(buildPushSender(deps));
    const logAttempt = options.log ?? console.log;
    webhooks.start(
      buildWebhookDispatcher(deps),
      buildWebhookDelivery(deps, ({ message, outcome, next }) =>
        logAttempt(
          `webhook ${message.webhookSid} ${message.eventType} attempt ${message.attempt}: ${
            outcome.kind === 'delivered' ? outcome.status : (outcome.status ?? outcome.reason)
          } → ${next}`,
        ),
      ),
    );
    // A table persisted by an earlier run had its stream delivered then: pick up from now (LATEST).
    const persisted = await tableExists(dynamo.endpoint, LOCAL_TABLE_NAME);
    await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
    const pump = await startStreamPump({
      endpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE_NAME,
      fromLatest: persisted,
      handler: buildStreamHandler(deps),
    });
    stops.push(pump.stop);
    // The deleter reads the stream with its own filters. It starts at the stream's oldest record even for a
    // persisted table: a deletion the last run left unfinished continues, and one that finished is skipped.
    const deleterPump = await startStreamPump({
      endpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE_NAME,
      handler: buildDeleter(deps),
      filters: DELETER_FILTER_PATTERNS,
      onError: (error) => console.error('deleter:', error),
    });
    stops.push(deleterPump.stop);
    await saveAccount(
      deps,
      newAccount(new Date(), account.authToken, account.sid).account,
      account.authToken,
    );
    const server = createLocalServer(deps);
    await server.ready();
    await listen(server, port);
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    return {
      url,
      publicBaseUrl: config.publicBaseUrl!,
      account,
      dynamoPid: dynamo.pid,
      eventsFile,
      push,
      webhooks,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
