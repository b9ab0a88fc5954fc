import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createSocket } from 'node:dgram';
import type { Context } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { observeRequests } from '../../../shared/http/observe';
import { instrumentClient } from '../../../shared/observability/aws-sdk';
import { observedBatchHandler } from '../../../shared/observability/handler';
import { appendKeys, runInvocation } from '../../../shared/observability/invocation';
import { log } from '../../../shared/observability/log';
import { count, emfRecords, METRIC } from '../../../shared/observability/metrics';
import { daemonAddress, parseTraceHeader, traceHttp } from '../../../shared/observability/xray';
import { apiEvent } from '../../support/events';
import { captureLogs } from '../../support/logs';

const SETTINGS = { namespace: 'TestNs', perAccount: true };
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

let capture: ReturnType<typeof captureLogs> | undefined;
afterEach(() => {
  capture?.stop();
  capture = undefined;
  delete process.env._X_AMZN_TRACE_ID;
  delete process.env.AWS_XRAY_DAEMON_ADDRESS;
});

describe('log lines', () => {
  it("have Powertools' field names, the invocation's context and appended keys, redacted", async () => {
    capture = captureLogs();
    process.env._X_AMZN_TRACE_ID = TRACE;
    await runInvocation('Fn', { functionName: 'verify-Fn', awsRequestId: 'req-1' }, SETTINGS, async () => {
      appendKeys({ route: 'GET /x', account_sid: ACCOUNT });
      log.warn('Something', { attempt: 2, auth_token: 'abc', note: 'Basic QUM6dG9rZW4=' });
    });
    const [entry] = capture.entries();
    expect(entry).toEqual({
      level: 'WARN',
      message: 'Something',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'verify-push-totp',
      cold_start: true,
      function_name: 'verify-Fn',
      function_request_id: 'req-1',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      route: 'GET /x',
      account_sid: ACCOUNT,
      attempt: 2,
      auth_token: '[REDACTED]',
      note: 'Basic [REDACTED]',
    });
    expect(capture.lines[0]!.kind).toBe('WARN');
  });

  it('mark only the first invocation of a function as its cold start, and keep keys per invocation', async () => {
    capture = captureLogs();
    const run = (id: string) =>
      runInvocation('Cold', { functionName: 'cold-test', awsRequestId: id }, SETTINGS, async () => {
        appendKeys({ mine: id });
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.info('done');
      });
    await run('a');
    await Promise.all([run('b'), run('c')]);
    const entries = capture.entries();
    expect(entries.map((e) => [e.function_request_id, e.mine, e.cold_start])).toEqual([
      ['a', 'a', true],
      ['b', 'b', false],
      ['c', 'c', false],
    ]);
  });
});

describe('metrics (CloudWatch Embedded Metric Format)', () => {
  it('writes one record per account, with the total and per-account dimension sets', () => {
    const counts = new Map([
      [
        ACCOUNT,
        new Map([
          ['Lockouts', 2],
          ['WrongCodes', 1],
        ]),
      ],
      ['', new Map([['AuthFailures', 3]])],
    ]);
    expect(emfRecords(counts, SETTINGS, 1700000000000)).toEqual([
      {
        _aws: {
          Timestamp: 1700000000000,
          CloudWatchMetrics: [
            {
              Namespace: 'TestNs',
              Dimensions: [['service'], ['service', 'account_sid']],
              Metrics: [
                { Name: 'Lockouts', Unit: 'Count' },
                { Name: 'WrongCodes', Unit: 'Count' },
              ],
            },
          ],
        },
        service: 'verify-push-totp',
        account_sid: ACCOUNT,
        Lockouts: 2,
        WrongCodes: 1,
      },
      {
        _aws: {
          Timestamp: 1700000000000,
          CloudWatchMetrics: [
            {
              Namespace: 'TestNs',
              Dimensions: [['service']],
              Metrics: [{ Name: 'AuthFailures', Unit: 'Count' }],
            },
          ],
        },
        service: 'verify-push-totp',
        AuthFailures: 3,
      },
    ]);
  });

  it('leaves the account dimension out when per-account metrics are off', () => {
    const [record] = emfRecords(new Map([[ACCOUNT, new Map([['Lockouts', 1]])]]), {
      ...SETTINGS,
      perAccount: false,
    });
    expect(record).not.toHaveProperty('account_sid');
    expect(JSON.stringify(record)).toContain('"Dimensions":[["service"]]');
  });

  it('sums counts within an invocation and publishes them when it ends, after its log lines', async () => {
    capture = captureLogs();
    const handler = observedBatchHandler(
      'Batch',
      { metricsNamespace: 'TestNs', metricsPerAccount: true },
      async () => {
        count(METRIC.challengesCreated, ACCOUNT);
        count(METRIC.challengesCreated, ACCOUNT);
        count(METRIC.eventsPublishFailed, undefined, 3);
        return { batchItemFailures: [{ itemIdentifier: '1' }] };
      },
    );
    await handler({ Records: [{}, {}] }, { functionName: 'batch-fn', awsRequestId: 'r' });
    const entries = capture.entries();
    expect(entries[0]).toMatchObject({ level: 'WARN', message: 'Batch processed', records: 2, failed: 1 });
    expect(entries[0]!.latency_ms).toEqual(expect.any(Number));
    expect(capture.lines.slice(1).map((l) => l.kind)).toEqual(['METRICS', 'METRICS']);
    expect(entries[1]).toMatchObject({ account_sid: ACCOUNT, ChallengesCreated: 2 });
    expect(entries[2]).toMatchObject({ EventsPublishFailed: 3 });
  });
});

describe('X-Ray', () => {
  it('reads trace headers and daemon addresses', () => {
    expect(parseTraceHeader(TRACE)).toEqual({
      root: '1-5759e988-bd862e3fe1be46a994272793',
      parent: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(parseTraceHeader('Root=1-a;Parent=b;Sampled=0')?.sampled).toBe(false);
    expect(parseTraceHeader('Root=1-a')).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
    expect(daemonAddress('169.254.79.129:2000')).toEqual({ host: '169.254.79.129', port: 2000 });
    expect(daemonAddress('tcp:127.0.0.1:2000 udp:127.0.0.2:2001')).toEqual({ host: '127.0.0.2', port: 2001 });
    expect(daemonAddress(undefined)).toBeUndefined();
  });

  /** A UDP "daemon" on a free port, and a fake DynamoDB answering a GetItem, then a throttle. */
  async function harness() {
    const daemon = createSocket('udp4');
    const documents: Record<string, unknown>[] = [];
    daemon.on('message', (message) => {
      const [header, body] = message.toString().split('\n');
      expect(JSON.parse(header!)).toEqual({ format: 'json', version: 1 });
      documents.push(JSON.parse(body!) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
    const traceHeaders: string[] = [];
    let calls = 0;
    const server: Server = createServer((request, response) => {
      traceHeaders.push(String(request.headers['x-amzn-trace-id']));
      request.resume();
      request.on('end', () => {
        calls++;
        if (calls === 1) {
          response.writeHead(200, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-requestid': 'REQ1',
          });
          response.end('{}');
        } else {
          response.writeHead(400, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-requestid': `REQ${calls}`,
          });
          response.end(
            '{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}',
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = instrumentClient(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 2,
      }),
    );
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && documents.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      return documents;
    };
    const close = () => {
      daemon.close();
      server.close();
      client.destroy();
    };
    return { client, documents, traceHeaders, waitFor, close };
  }

  it('sends a subsegment per AWS SDK attempt, passes the trace on, and counts throttles', async () => {
    const h = await harness();
    capture = captureLogs();
    process.env._X_AMZN_TRACE_ID = TRACE;
    try {
      const counts = await runInvocation(
        'Traced',
        { functionName: 'traced', awsRequestId: 'r' },
        SETTINGS,
        async (invocation) => {
          const input = { TableName: 'verify', Key: { pk: { S: 'SECRET-KEY-VALUE' } } };
          await h.client.send(new GetItemCommand(input));
          await expect(h.client.send(new GetItemCommand(input))).rejects.toThrow('Rate exceeded');
          return invocation.counts;
        },
      );
      // Both throttled attempts (the SDK's retry included) are counted, in total (no account).
      expect(counts.get('')?.get('DynamoDBThrottles')).toBe(2);
      const documents = await h.waitFor(3);
      expect(documents).toHaveLength(3);
      const [ok, throttled] = documents;
      expect(ok).toMatchObject({
        type: 'subsegment',
        name: 'DynamoDB',
        namespace: 'aws',
        trace_id: '1-5759e988-bd862e3fe1be46a994272793',
        parent_id: '53995c3f42cd8ad8',
        aws: { operation: 'GetItem', table_name: 'verify', request_id: 'REQ1' },
        http: { response: { status: 200 } },
      });
      expect(ok!.id).toMatch(/^[0-9a-f]{16}$/);
      expect(ok!.end_time as number).toBeGreaterThanOrEqual(ok!.start_time as number);
      expect(throttled).toMatchObject({
        throttle: true,
        error: true,
        http: { response: { status: 400 } },
        cause: { exceptions: [{ type: 'ThrottlingException' }] },
      });
      // Keys and values of items never reach a trace.
      expect(JSON.stringify(documents)).not.toContain('SECRET-KEY-VALUE');
      // Each request carried the trace with its own subsegment as parent.
      expect(h.traceHeaders[0]).toBe(
        `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${ok!.id as string};Sampled=1`,
      );
    } finally {
      h.close();
    }
  });

  it('sends nothing when the invocation is not sampled or not traced', async () => {
    const h = await harness();
    try {
      process.env._X_AMZN_TRACE_ID = TRACE.replace('Sampled=1', 'Sampled=0');
      await runInvocation('NotSampled', undefined, SETTINGS, () =>
        h.client.send(new GetItemCommand({ TableName: 't', Key: {} })),
      );
      delete process.env._X_AMZN_TRACE_ID;
      await runInvocation('Untraced', undefined, SETTINGS, () =>
        traceHttp(
          'https://example.com/x',
          'POST',
          async () => 1,
          () => 200,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(h.documents).toEqual([]);
      expect(h.traceHeaders).toEqual(['undefined']);
    } finally {
      h.close();
    }
  });

  it('records outgoing HTTP calls by origin only, with their status or failure', async () => {
    const h = await harness();
    process.env._X_AMZN_TRACE_ID = TRACE;
    try {
      await runInvocation('Http', undefined, SETTINGS, async () => {
        await traceHttp(
          'https://hooks.example.com/services/T0/B0/SECRETPATH?key=SECRETQUERY',
          'POST',
          async () => ({ status: 503 }),
          (r) => r.status,
        );
        await expect(
          traceHttp(
            'https://api.push.apple.com/3/device/DEVICETOKEN',
            'POST',
            () => Promise.reject(new RangeError('boom')),
            () => undefined,
          ),
        ).rejects.toThrow('boom');
      });
      const documents = await h.waitFor(2);
      expect(documents[0]).toMatchObject({
        name: 'hooks.example.com',
        namespace: 'remote',
        http: { request: { method: 'POST', url: 'https://hooks.example.com' }, response: { status: 503 } },
        fault: true,
      });
      expect(documents[1]).toMatchObject({
        name: 'api.push.apple.com',
        fault: true,
        cause: { exceptions: [{ type: 'RangeError' }] },
      });
      expect(JSON.stringify(documents)).not.toMatch(/SECRETPATH|SECRETQUERY|DEVICETOKEN/);
    } finally {
      h.close();
    }
  });
});

describe('API requests', () => {
  const answering = (statusCode: number) =>
    observeRequests({ metricsNamespace: 'TestNs', metricsPerAccount: true }, async () => ({
      statusCode,
      body: JSON.stringify({ code: statusCode * 10 + 1, message: 'm', more_info: 'x', status: statusCode }),
    }));
  const handled = (entries: Record<string, unknown>[]) =>
    entries.find((e) => e.message === 'Request handled');

  it('log a 501 (a Twilio path not implemented here) as a warning and count it apart; a 500 is an error', async () => {
    const event = apiEvent({ method: 'POST', path: '/v2/Services/VA1/Verifications' });
    const context = { functionName: 'api-fn', awsRequestId: 'r' } as Context;

    capture = captureLogs();
    await answering(501)(event, context);
    let entries = capture.entries();
    expect(handled(entries)).toMatchObject({ level: 'WARN', status: 501, error_code: 5011 });
    expect(entries.find((e) => e.NotImplementedRequests !== undefined)).toMatchObject({
      NotImplementedRequests: 1,
    });
    capture.stop();

    capture = captureLogs();
    await answering(500)(event, context);
    entries = capture.entries();
    expect(handled(entries)).toMatchObject({ level: 'ERROR', status: 500 });
    expect(entries.some((e) => e.NotImplementedRequests !== undefined)).toBe(false);
  });
});
