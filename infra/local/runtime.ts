import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newAccount, newAuthToken } from '../../shared/domain/credentials';
import { newSid, sidPattern, SidPrefix } from '../../shared/domain/sid';
import { accountStore } from '../../shared/store';
import { ensureTable, LOCAL_AWS_ENV, startDynamoDbLocal } from './dynamodb';
import { createLocalServer, listen, loadAllHandlers } from './server';

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
  stop(): Promise<void>;
}

/** `LOCAL_ACCOUNT_SID` + `LOCAL_AUTH_TOKEN` when both are set, else the account generated once in `dir`. */
function localAccount(dir: string): LocalAccount {
  const { LOCAL_ACCOUNT_SID: sid, LOCAL_AUTH_TOKEN: authToken } = process.env;
  if (sid && authToken) {
    if (!sidPattern('AC').test(sid))
      throw new Error('LOCAL_ACCOUNT_SID must be AC followed by 32 hex digits');
    if (authToken.length < 16) throw new Error('LOCAL_AUTH_TOKEN must be at least 16 characters');
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

/**
 * Everything `npm start` runs: DynamoDB Local with the shared table definition, the account, and the HTTP
 * server in front of the handler modules. Data persists in `<dir>/dynamodb` unless `inMemory`.
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
  try {
    Object.assign(process.env, {
      TABLE_NAME: LOCAL_TABLE_NAME,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LOCAL_MASTER_KEY_FILE: masterKeyFile(dir),
    });
    await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
    await accountStore().putAccount(newAccount(new Date(), account.authToken, account.sid).account);
    const server = createLocalServer();
    const url = await listen(server, options.port);
    process.env.PUBLIC_BASE_URL ||= url;
    await loadAllHandlers();
    return {
      url,
      publicBaseUrl: process.env.PUBLIC_BASE_URL,
      account,
      dynamoPid: dynamo.pid,
      stop: async () => {
        await new Promise<void>((done) => server.close(() => done()));
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
