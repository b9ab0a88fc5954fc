import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../shared/config';
import { localDependencies } from './dependencies';
import { saveAccount } from '../../shared/app/accounts';
import { newAccount, newAuthToken } from '../../shared/domain/credentials';
import { newSid, sidPattern, SidPrefix } from '../../shared/domain/sid';
import { build as buildPushSender } from '../../functions/push-sender/handler';
import { build as buildWebhookDelivery } from '../../functions/webhook-delivery/handler';
import { build as buildWebhookDispatcher } from '../../functions/webhook-dispatcher/handler';
import { PUSH_REQUEST_EVENT, WEBHOOK_EVENTS } from '../../shared/events/filters';
import { startLocalWebhooks, type LocalWebhooks } from './webhooks';
import { ensureTable, freePort, LOCAL_AWS_ENV, startDynamoDbLocal } from './dynamodb';
import type { LocalEvent } from './event-sink';
import { startPipelineProcess } from './pipeline-process';
import { startLocalPush, type LocalPush } from './push';
import { createLocalServer, listen } from './server';
import { writeRuntimeInfo } from './runtime-info';

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
  /** DynamoDB Local's address (a free port each start) and the table on it. */
  dynamoEndpoint: string;
  tableName: string;
  /** Where the events the stream handler publishes land, one JSON line each. */
  eventsFile: string;
  /** The local APNs and FCM, the push queue, and the file every delivered notification lands in. */
  push: LocalPush;
  /** Webhook dispatch and delivery (real HTTP), with their in-process queues. */
  webhooks: LocalWebhooks;
  /**
   * Settles when DynamoDB Local or the pipeline process ends on its own (it crashed or was killed), with
   * what happened; the runtime cannot serve without them.
   */
  died: Promise<string>;
  /**
   * Stops everything: the server, then the pipeline (draining the stream first unless `drain: false`:
   * every write made before gets its events), then DynamoDB Local.
   */
  stop(options?: { drain?: boolean }): Promise<void>;
}

/** How often the expiry sweeper runs locally by default (`LOCAL_EXPIRY_SWEEP_SECONDS`); AWS: every minute. */
export const DEFAULT_EXPIRY_SWEEP_SECONDS = 5;

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
  /** How often the expiry sweeper runs, in seconds (default `DEFAULT_EXPIRY_SWEEP_SECONDS`). */
  expirySweepSeconds?: number;
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
  const stops: ((options: { drain?: boolean }) => Promise<void>)[] = [dynamo.stop];
  let stopping = false;
  const stop = async ({ drain = true }: { drain?: boolean } = {}) => {
    stopping = true;
    for (const stopOne of [...stops].reverse()) await stopOne({ drain });
  };
  let died: (reason: string) => void = () => {};
  const diedPromise = new Promise<string>((resolve) => (died = resolve));
  void dynamo.exited.then((how) => !stopping && died(`DynamoDB Local (pid ${dynamo.pid}) exited (${how})`));
  try {
    const log = options.log ?? console.log;
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
    await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
    const port = options.port || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const tableConfig: Config = {
      ...base,
      tableName: LOCAL_TABLE_NAME,
      dynamodbEndpoint: dynamo.endpoint,
      localMasterKeyFile: masterKeyFile(dir),
      kmsKeyId: undefined,
      eventBusName: 'local',
      publicBaseUrl: base.publicBaseUrl ?? url,
    };
    // The pipeline (stream pumps, stream handler, deleter, event sink, expiry sweeper) runs in a process of
    // its own. Its events reach the local rules here: notification requests go to the push queue, as the
    // PushSender rule does on AWS, and the webhook events to the webhook dispatcher's queue.
    const onEvent = (event: LocalEvent) => {
      if (event['detail-type'] === PUSH_REQUEST_EVENT) push.queue?.send(event);
      if (WEBHOOK_EVENTS.includes(event['detail-type'])) webhooks.events?.send(event);
    };
    const pipeline = await startPipelineProcess({
      config: tableConfig,
      tableName: LOCAL_TABLE_NAME,
      eventsFile,
      // In memory, the table (and its stream) is new at each start: nothing to resume.
      checkpointDir: options.inMemory ? undefined : join(dir, 'stream-checkpoints'),
      sweepIntervalMs: (options.expirySweepSeconds ?? DEFAULT_EXPIRY_SWEEP_SECONDS) * 1000,
      log,
      onError: (what, error) => console.error(`${what}:`, error instanceof Error ? error.message : error),
      onEvent,
    });
    stops.push(pipeline.stop);
    void pipeline.died.then((reason) => !stopping && died(reason));
    const config: Config = { ...tableConfig, eventBridgeEndpoint: pipeline.eventBridgeEndpoint };
    const deps = localDependencies(config, {
      push: push.delivery,
      webhookQueue: webhooks.queue,
      webhookTransport: webhooks.http,
    });
    push.startQueue(buildPushSender(deps));
    webhooks.start(
      buildWebhookDispatcher(deps),
      buildWebhookDelivery(deps, ({ message, outcome, next }) =>
        log(
          `webhook ${message.webhookSid} ${message.eventType} attempt ${message.attempt}: ${
            outcome.kind === 'delivered' ? outcome.status : (outcome.status ?? outcome.reason)
          } → ${next}`,
        ),
      ),
    );
    await saveAccount(
      deps,
      newAccount(new Date(), account.authToken, account.sid).account,
      account.authToken,
    );
    const server = createLocalServer(deps);
    await server.ready();
    await listen(server, port);
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    // For `npm run admin -- … --local`: where this run's table is.
    const forget = writeRuntimeInfo(dir, {
      tableName: LOCAL_TABLE_NAME,
      dynamodbEndpoint: dynamo.endpoint,
      masterKeyFile: config.localMasterKeyFile!,
      pid: process.pid,
    });
    stops.push(async () => forget());
    return {
      url,
      publicBaseUrl: config.publicBaseUrl!,
      account,
      dynamoPid: dynamo.pid,
      dynamoEndpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE_NAME,
      eventsFile,
      push,
      webhooks,
      died: diedPromise,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
