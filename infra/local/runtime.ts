import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isWellFormedSecret, newAccount, newAuthToken } from '../../shared/domain/credentials';
import { newSid, sidPattern, SidPrefix } from '../../shared/domain/sid';
import { accountStore } from '../../shared/store';
import { ensureTable, LOCAL_AWS_ENV, localDynamoClient, startDynamoDbLocal } from './dynamodb';
import { startEventSink } from './event-sink';
import { createLocalServer, listen, loadAllHandlers } from './server';
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
  stop(): Promise<void>;
}

/** `LOCAL_ACCOUNT_SID` + `LOCAL_AUTH_TOKEN` when both are set, else the account generated once in `dir`. */
function localAccount(dir: string): LocalAccount {
  const { LOCAL_ACCOUNT_SID: sid, LOCAL_AUTH_TOKEN: authToken } = process.env;
  if (sid && authToken) {
    if (!sidPattern('AC').test(sid))
      throw new Error('LOCAL_ACCOUNT_SID must be AC followed by 32 hex digits');
    if (!isWellFormedSecret(authToken)) throw new Error('LOCAL_AUTH_TOKEN must be 32 hex digits');
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

/**
 * Everything `npm start` runs: DynamoDB Local with the shared table definition, the account, the HTTP
 * server in front of the handler modules, and the event pipeline: a stream pump feeding the table's
 * stream to the stream handler, which publishes to a local EventBridge sink writing `<dir>/events.jsonl`
 * (or `LOCAL_EVENTS_FILE`). Data persists in `<dir>/dynamodb` unless `inMemory`.
 */
export async function startLocalRuntime(options: {
  port: number;
  dir?: string;
  inMemory?: boolean;
}): Promise<LocalRuntime> {
  const dir = resolve(options.dir ?? '.local');
  mkdirSync(join(dir, 'dynamodb'), { recursive: true });
  const account = localAccount(dir);
  Object.assign(process.env, LOCAL_AWS_ENV);
  const dynamo = await startDynamoDbLocal({ dbPath: options.inMemory ? undefined : join(dir, 'dynamodb') });
  // Stopped in reverse order, also when starting fails half way.
  const stops: (() => Promise<void>)[] = [dynamo.stop];
  const stop = async () => {
    for (const stopOne of [...stops].reverse()) await stopOne();
  };
  try {
    const eventsFile = resolve(process.env.LOCAL_EVENTS_FILE || join(dir, 'events.jsonl'));
    const sink = await startEventSink({ file: eventsFile });
    stops.push(sink.stop);
    Object.assign(process.env, {
      TABLE_NAME: LOCAL_TABLE_NAME,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LOCAL_MASTER_KEY_FILE: masterKeyFile(dir),
      EVENT_BUS_NAME: 'local',
      EVENTBRIDGE_ENDPOINT: sink.endpoint,
      LOCAL_EVENTS_FILE: eventsFile,
    });
    // A table persisted by an earlier run had its stream delivered then: pick up from now (LATEST).
    const persisted = await tableExists(dynamo.endpoint, LOCAL_TABLE_NAME);
    await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
    const pump = await startStreamPump({
      endpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE_NAME,
      fromLatest: persisted,
    });
    stops.push(pump.stop);
    await accountStore().putAccount(newAccount(new Date(), account.authToken, account.sid).account);
    const server = createLocalServer();
    const url = await listen(server, options.port);
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    process.env.PUBLIC_BASE_URL ||= url;
    await loadAllHandlers();
    return {
      url,
      publicBaseUrl: process.env.PUBLIC_BASE_URL,
      account,
      dynamoPid: dynamo.pid,
      eventsFile,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
