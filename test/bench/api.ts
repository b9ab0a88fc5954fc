/**
 * `npm run bench:api`: warm p50 latency of create, fetch, list and update (challenges) through the local
 * server, each as a ratio to a floor measured in the same run: a bare `node:http` server that makes one
 * DynamoDB Local `GetItem` per request. Two more bare servers make one `TransactWriteItems` per request, of
 * the two sizes the operations use: two items (a put and a condition check, what create, a push answer and
 * VerifyFactor write) and three (a put and two conditional updates, what ApproveChallenge writes). Each one's
 * p50 over the floor's is what such a transaction costs in floor units. Target: ≤ 1.25× the bare cost of the
 * DynamoDB calls the operation makes, in floor units (a read 1, a transaction its size's ratio). Requests go
 * one at a time, interleaved round-robin (floor, transaction floors, fetch, create, list, update, …), so load
 * that hits one round hits every operation; all go through Node's `fetch` (keep-alive). BENCH_ITERATIONS
 * (default 300) timed rounds follow 30 warm-up rounds. Exits 0 whether or not the targets are met.
 *
 * Passkeys: `pk-verify` (VerifyFactor: 2 reads and a two-item transaction) and `pk-approve` (ApproveChallenge
 * of a usernameless challenge: 1 BatchGetItem and a three-item transaction), JSON bodies made by a software
 * authenticator before they are timed. Their targets add the signature check, measured in process on this
 * machine (p50 of the verifier alone over the same bodies), in floor units.
 *
 * The last column, `db p50`, is how long the server waited on DynamoDB Local per request (wall time with a
 * call in flight, p50): the rest of an operation's time is HTTP, this service's code and the verifier. Set
 * beside the floors, it tells the cost of the items an operation really reads and writes from its own.
 *
 * BENCH_PIPELINE says where the event pipeline (stream pumps, stream handler, event sink, sweeper) runs
 * meanwhile, as `npm start` runs it: `process` (default: a child process, as `npm start` does), `in-process`
 * (on the API server's event loop, as `npm start` did before), or `none`.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { TOTP } from 'otpauth';
import twilio from 'twilio';
import { Device, newDeviceKey } from '../../infra/device/client';
import { ensureTable, freePort, LOCAL_AWS_ENV, startDynamoDbLocal } from '../../infra/local/dynamodb';
import { createLocalServer, listen } from '../../infra/local/server';
import { localDependencies } from '../../infra/local/dependencies';
import { startPipeline, type Pipeline } from '../../infra/local/pipeline';
import { startPipelineProcess } from '../../infra/local/pipeline-process';
import { newAccount } from '../../shared/domain/credentials';
import { Keys } from '../../shared/store/keys';
import { parseClientData } from '../../shared/domain/webauthn/parse';
import { verifyAssertion, verifyRegistration } from '../../shared/domain/webauthn/verify';
import { SoftwareAuthenticator } from '../support/webauthn';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const PIPELINE = process.env.BENCH_PIPELINE ?? 'process';
if (!['process', 'in-process', 'none'].includes(PIPELINE))
  throw new Error('BENCH_PIPELINE must be process, in-process or none');
const WARMUP = 30;
const TARGET_PER_CALL = 1.25;
const TABLE = 'verify-bench';

type Json = Record<string, unknown>;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'Content-Type': 'application/json' };
const ORIGIN = 'http://localhost:3001';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Sends a request and reads the whole answer; throws unless it succeeded. */
async function send(url: string, init: RequestInit = {}) {
  const start = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - start;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${text}`);
  return { ms, body: JSON.parse(text) as Json, headers: response.headers };
}
const timed = async (url: string, init?: RequestInit) => (await send(url, init)).ms;

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

Object.assign(process.env, LOCAL_AWS_ENV);
const keyDir = mkdtempSync(join(tmpdir(), 'verify-bench-'));
const dynamo = await startDynamoDbLocal();
const floorClient = new DynamoDBClient({ endpoint: dynamo.endpoint });
const servers: Server[] = [];
let pipeline: Pipeline | undefined;
try {
  writeFileSync(join(keyDir, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
  await ensureTable(dynamo.endpoint, TABLE);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const deps = localDependencies({
    TABLE_NAME: TABLE,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOCAL_MASTER_KEY_FILE: join(keyDir, 'master.key'),
    PUBLIC_BASE_URL: url,
  });
  const { account, authToken } = newAccount(new Date());
  await deps.accounts.putAccount(account);

  if (PIPELINE !== 'none') {
    const options = {
      config: { ...deps.config, eventBusName: 'local' },
      tableName: TABLE,
      eventsFile: join(keyDir, 'events.jsonl'),
      sweepIntervalMs: 5_000,
      log: () => {},
      onError: (what: string, error: unknown) => console.error(what, error),
      onEvent: () => {},
    };
    pipeline = PIPELINE === 'process' ? await startPipelineProcess(options) : await startPipeline(options);
  }

  // How long each request of the server spends waiting on DynamoDB (wall time with a call in flight), so
  // that the table can show what is the server's own: requests go one at a time.
  let [inFlight, busySince, dbMs] = [0, 0, 0];
  deps.db.middlewareStack.add(
    (next) => async (args) => {
      if (inFlight++ === 0) busySince = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) dbMs += performance.now() - busySince;
      }
    },
    { step: 'initialize', name: 'benchDynamoDbTime' },
  );
  const api = createLocalServer(deps);
  servers.push(api);
  await api.ready();
  await listen(api, port);

  // The floor: one GetItem (of the account item) per request, with a client made once.
  const accountKey = Object.fromEntries(
    Object.entries(Keys.account(account.sid)).map(([k, v]) => [k, { S: v }]),
  );
  const floor = createServer((_request, response) => {
    floorClient.send(new GetItemCommand({ TableName: TABLE, Key: accountKey })).then(
      ({ Item }) =>
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ found: !!Item })),
      () => response.writeHead(500).end(),
    );
  });
  servers.push(floor);
  const floorUrl = await listen(floor, await freePort());
  // The transaction floor: a put of a scratch item with a check that the account item exists.
  let scratch = 0;
  const floorTx = createServer((_request, response) => {
    const item = { pk: { S: 'BENCH#scratch' }, sk: { S: `ITEM#${scratch++}` } };
    floorClient
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: accountKey,
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      )
      .then(
        () => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'),
        () => response.writeHead(500).end(),
      );
  });
  servers.push(floorTx);
  const floorTxUrl = await listen(floorTx, await freePort());
  // The three-item floor: a put of a scratch item and conditional updates of two others.
  const counters = ['BENCH#counter-1', 'BENCH#counter-2'].map((pk) => ({ pk: { S: pk }, sk: { S: 'n' } }));
  for (const Item of counters) await floorClient.send(new PutItemCommand({ TableName: TABLE, Item }));
  const floorTx3 = createServer((_request, response) => {
    const n = scratch++;
    const item = { pk: { S: 'BENCH#scratch' }, sk: { S: `ITEM#${n}` } };
    const update = (Key: (typeof counters)[number]) => ({
      Update: {
        TableName: TABLE,
        Key,
        UpdateExpression: 'SET n = :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': { N: String(n) } },
      },
    });
    floorClient
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...counters.map(update),
          ],
        }),
      )
      .then(
        () => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'),
        () => response.writeHead(500).end(),
      );
  });
  servers.push(floorTx3);
  const floorTx3Url = await listen(floorTx3, await freePort());

  // A service; a device with a verified push factor; a verified TOTP factor whose entity has 20 challenges.
  const client = twilio(account.sid, authToken);
  client.verify.baseUrl = url;
  const service = await client.verify.v2.services.create({
    friendlyName: 'Bench Bank',
    'passkeys.relyingParty.id': 'localhost',
    'passkeys.relyingParty.origins': ORIGIN,
    'passkeys.authenticatorAttachment': 'platform',
    'passkeys.discoverableCredentials': 'preferred',
    'passkeys.userVerification': 'preferred',
  } as never);
  const [pushIdentity, totpIdentity] = ['bench-push-user', 'bench-totp-user'];
  const { token } = await client.verify.v2
    .services(service.sid)
    .accessTokens.create({ identity: pushIdentity, factorType: 'push' });
  const device = new Device({
    baseUrl: url,
    serviceSid: service.sid,
    identity: pushIdentity,
    privateKey: newDeviceKey(),
  });
  await device.createFactor(token, 'Bench Pixel');
  await device.verifyFactor();
  const factorSid = device.state.factorSid!;
  const totpEntity = client.verify.v2.services(service.sid).entities(totpIdentity);
  const totpFactor = await totpEntity.newFactors.create({ friendlyName: 'Bench', factorType: 'totp' });
  const totp = new TOTP({ secret: (totpFactor.binding as { secret: string }).secret });
  await totpEntity.factors(totpFactor.sid).update({ authPayload: totp.generate() });
  for (let i = 0; i < 20; i++) await totpEntity.challenges.create({ factorSid: totpFactor.sid });

  const accountAuth = { Authorization: basic(account.sid, authToken) };
  const entityUrl = (identity: string) => `${url}/v2/Services/${service.sid}/Entities/${identity}`;
  const challengesUrl = `${entityUrl(pushIdentity)}/Challenges`;
  const createPush = (expires?: Date) =>
    send(challengesUrl, {
      method: 'POST',
      headers: { ...accountAuth, ...FORM },
      body: new URLSearchParams({
        FactorSid: factorSid,
        'Details.Message': 'Log in?',
        ...(expires ? { ExpirationDate: expires.toISOString() } : {}),
      }),
    });
  // Pending challenges for the whole run: one to fetch, one to answer per round.
  const expires = new Date(Date.now() + 55 * 60_000);
  const fetchUrl = `${challengesUrl}/${(await createPush(expires)).body.sid as string}`;
  const toAnswer: Json[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) toAnswer.push((await createPush(expires)).body);

  // A device makes its token once a minute (valid for 10) and reuses it. It signs the fields one fetch
  // advertises in `Twilio-Verify-Signature-Fields` plus `status`, as `Device.answer`, without its fetches.
  let deviceToken = { value: await device.deviceToken(), made: Date.now() };
  const deviceAuth = async () => {
    if (Date.now() - deviceToken.made > 60_000)
      deviceToken = { value: await device.deviceToken(), made: Date.now() };
    return { Authorization: basic('token', deviceToken.value) };
  };
  const probe = await send(fetchUrl, { headers: await deviceAuth() });
  const signatureFields = probe.headers.get('Twilio-Verify-Signature-Fields')!.split(',');
  const answer = async (challenge: Json) => {
    const payload = {
      ...Object.fromEntries(signatureFields.map((f) => [f, challenge[f]])),
      status: 'approved',
    };
    const body = new URLSearchParams({ AuthPayload: await device.signJwt({ typ: 'JWT' }, payload) });
    const headers = { ...(await deviceAuth()), ...FORM };
    return timed(`${challengesUrl}/${challenge.sid as string}`, { method: 'POST', headers, body });
  };

  // Passkeys: one unverified factor (with its registration response) per round, and one registered
  // passkey with one usernameless challenge per round.
  const v2 = client.verify.v2.services(service.sid);
  const passkeysUrl = `${url}/v2/Services/${service.sid}/Passkeys`;
  type Creation = Parameters<SoftwareAuthenticator['register']>[0];
  const registrations: Json[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const identity = `bench-passkeys-${i}`;
    const factor = await v2.newFactors.create({ friendly_name: 'Bench', identity } as never);
    const options = (factor.options as { publicKey: Creation }).publicKey;
    registrations.push(new SoftwareAuthenticator(ORIGIN).register(options));
  }
  const signer = new SoftwareAuthenticator(ORIGIN);
  const signUp = await v2.newFactors.create({
    friendly_name: 'Bench',
    identity: 'bench-passkeys-user',
  } as never);
  const signUpOptions = (signUp.options as { publicKey: Creation }).publicKey;
  await v2.newVerifyFactors.update(signer.register(signUpOptions) as never);
  // Signed here, in round order (the authenticator's sign count rises by one each), so that no signing
  // happens between timed requests.
  const assertions: Json[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const challenge = await v2.newChallenge().create({});
    const options = (challenge.options as { publicKey: { challenge: string; rpId: string } }).publicKey;
    assertions.push(signer.assert(options));
  }
  const postJson = (path: string, body: unknown) =>
    timed(`${passkeysUrl}/${path}`, {
      method: 'POST',
      headers: { ...accountAuth, ...JSON_BODY },
      body: JSON.stringify(body),
    });

  /** The verifier alone, in process: p50 ms of a registration and of an assertion check. */
  const verifierMs = (() => {
    const runs = 300;
    const lone = new SoftwareAuthenticator(ORIGIN);
    const creation = { challenge: 'WUYx', rp: { id: 'localhost' }, user: { id: 'WUUx' } };
    const body = lone.register(creation);
    const expectations = {
      challenge: 'WUYx',
      origins: [ORIGIN],
      rpId: 'localhost',
      userVerification: 'preferred' as const,
    };
    const median = (run: () => void) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        run();
        samples.push(performance.now() - start);
      }
      return percentile(
        samples.sort((a, b) => a - b),
        0.5,
      );
    };
    const registration = verifyRegistration(
      {
        ...body,
        clientData: parseClientData(body.response.clientDataJSON),
        attestationObject: body.response.attestationObject,
      },
      { ...expectations, algorithms: [-7] },
    );
    const assertion = lone.assert({ challenge: 'WUYx', rpId: 'localhost' });
    const stored = { ...registration, signCount: 0 };
    return {
      register: median(() =>
        verifyRegistration(
          {
            ...body,
            clientData: parseClientData(body.response.clientDataJSON),
            attestationObject: body.response.attestationObject,
          },
          { ...expectations, algorithms: [-7] },
        ),
      ),
      assert: median(() =>
        verifyAssertion(
          { clientData: parseClientData(assertion.response.clientDataJSON), ...assertion.response },
          stored,
          expectations,
        ),
      ),
    };
  })();

  /**
   * The DynamoDB calls each operation makes: reads (GetItem, BatchGetItem, Query) and at most one
   * transaction, by how many items it writes (2 or 3).
   */
  const ops: {
    name: string;
    calls: { reads: number; transaction?: 2 | 3; verifierMs?: number };
    run: (round: number) => Promise<number>;
  }[] = [
    { name: 'floor', calls: { reads: 1 }, run: () => timed(floorUrl) },
    { name: 'floor-tx', calls: { reads: 0, transaction: 2 }, run: () => timed(floorTxUrl) },
    { name: 'floor-tx3', calls: { reads: 0, transaction: 3 }, run: () => timed(floorTx3Url) },
    { name: 'fetch', calls: { reads: 1 }, run: () => timed(fetchUrl, { headers: accountAuth }) },
    { name: 'create', calls: { reads: 1, transaction: 2 }, run: async () => (await createPush()).ms },
    {
      name: 'list',
      calls: { reads: 2 },
      run: () => timed(`${entityUrl(totpIdentity)}/Challenges?PageSize=20`, { headers: accountAuth }),
    },
    { name: 'update', calls: { reads: 2, transaction: 2 }, run: (round) => answer(toAnswer[round]!) },
    {
      name: 'pk-verify',
      calls: { reads: 2, transaction: 2, verifierMs: verifierMs.register },
      run: (round) => postJson('VerifyFactor', registrations[round]),
    },
    {
      name: 'pk-approve',
      calls: { reads: 1, transaction: 3, verifierMs: verifierMs.assert },
      run: (round) => postJson('ApproveChallenge', assertions[round]),
    },
  ];

  const times = ops.map(() => [] as number[]);
  const dbTimes = ops.map(() => [] as number[]);
  const loadBefore = loadavg();
  for (let round = 0; round < WARMUP + ITERATIONS; round++) {
    for (const [i, op] of ops.entries()) {
      dbMs = 0;
      const ms = await op.run(round);
      if (round >= WARMUP) {
        times[i]!.push(ms);
        dbTimes[i]!.push(dbMs);
      }
    }
  }
  const loads = [loadBefore, loadavg()].map((l) => l.map((x) => x.toFixed(2)).join(' '));

  const cpu = cpus();
  console.log(
    `Node ${process.version} ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model}`,
  );
  console.log(
    `Memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average 1/5/15 min: ${loads.join(' → ')}`,
  );
  console.log(`${ITERATIONS} timed rounds after ${WARMUP} warm-up, round-robin, one request at a time`);
  console.log(`Event pipeline: ${PIPELINE}\n`);
  const stats = ops.map(({ name, calls }, i) => {
    const sorted = times[i]!.sort((a, b) => a - b);
    const db = percentile(
      dbTimes[i]!.sort((a, b) => a - b),
      0.5,
    );
    return { name, calls, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), db };
  });
  const floorP50 = stats[0]!.p50;
  const transactionCost = { 2: stats[1]!.p50 / floorP50, 3: stats[2]!.p50 / floorP50 };
  console.log(
    `A two-item transaction costs ${transactionCost[2].toFixed(2)}× a GetItem here, ` +
      `a three-item one ${transactionCost[3].toFixed(2)}×.`,
  );
  console.log(
    `The WebAuthn verifier alone (p50, in process): registration ${verifierMs.register.toFixed(3)} ms, ` +
      `assertion ${verifierMs.assert.toFixed(3)} ms; added to the passkeys targets in floor units.\n`,
  );
  const row = (cells: (string | number)[]) =>
    console.log(cells.map((c, i) => (i ? String(c).padStart(11) : String(c).padEnd(9))).join(''));
  row(['op', 'calls', 'p50 ms', 'p99 ms', 'p50/floor', 'target', 'result', 'db p50']);
  for (const { name, calls, p50, p99, db } of stats) {
    const transaction = calls.transaction ? transactionCost[calls.transaction] : 0;
    const bare = calls.reads + transaction + (calls.verifierMs ?? 0) / floorP50;
    const [ratio, target] = [p50 / floorP50, TARGET_PER_CALL * bare];
    const verdict = name.startsWith('floor')
      ? ['', '']
      : [`≤ ${target.toFixed(2)}`, ratio <= target ? 'pass' : 'FAIL'];
    const shape = `${calls.reads}${calls.transaction ? `+tx${calls.transaction}` : ''}`;
    const waited = name.startsWith('floor') ? '' : db.toFixed(2);
    row([name, shape, p50.toFixed(2), p99.toFixed(2), ratio.toFixed(2), ...verdict, waited]);
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
  floorClient.destroy();
  await pipeline?.stop({ drain: false });
  await dynamo.stop();
  rmSync(keyDir, { recursive: true, force: true });
}
