import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { main } from '../../infra/smoke/cli';
import { AwsEventWatch, FileEventWatch } from '../../infra/smoke/events';
import { runSmoke } from '../../infra/smoke/run';

/**
 * `npm run smoke` against what `npm start` runs (the local runtime on free ports, with its local bus: the
 * event sink's JSONL file), so that the command a user runs after deploying stays correct.
 */
let runtime: LocalRuntime;
const dir = mkdtempSync(join(tmpdir(), 'smoke-e2e-'));
beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, dir, inMemory: true, log: () => {} });
}, 90_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function smoke(...extra: string[]) {
  const lines: string[] = [];
  const status = await main(['--url', runtime.url, '--account', runtime.account.sid, ...extra], {
    print: (line) => lines.push(line),
    env: { AUTH_TOKEN: runtime.account.authToken },
  });
  const output = lines.join('\n');
  const row = (name: string) => output.split('\n').find((line) => line.slice(8).startsWith(`${name} `));
  const serviceSid = /service created\s+(VA[0-9a-f]{32})/.exec(output)?.[1];
  return { status, output, row, serviceSid };
}

/** The service as the backend sees it after the run: 404 once its deletion has begun. */
async function fetchStatus(serviceSid: string) {
  const client = twilio(runtime.account.sid, runtime.account.authToken);
  client.verify.baseUrl = runtime.url;
  try {
    await client.verify.v2.services(serviceSid).fetch();
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe('npm run smoke', () => {
  it('passes every check against npm start and removes the service it created', async () => {
    const { status, output, row, serviceSid } = await smoke(
      '--events-file',
      runtime.eventsFile,
      '--wait',
      '20',
    );
    expect(output).not.toContain('FAIL');
    expect(status).toBe(0);
    for (const name of [
      'service created',
      'TOTP factor verified with a real code',
      'TOTP challenge approved with a code',
      'push factor created by the device',
      'push factor verified by the device',
      'push challenge approved by the device',
      'CORS preflight (OPTIONS)',
      'CORS headers on a GET with Origin',
      'hostile: malformed form → 4xx',
      'hostile: wrong auth token → 401',
      'events carry no secret',
      'billing events carry no identity',
      'cleanup: service deleted',
      'cleanup: event watch removed',
    ]) {
      expect(row(name), name).toMatch(/^PASS/);
    }
    expect(row('event challenge.approved')).toMatch(/^PASS.* 2 of 2 \(TOTP challenge, push challenge\)/);
    expect(row('event billing.verification')).toMatch(/^PASS.* 2 of 2/);
    expect(row('event factor.created')).toMatch(/^PASS.* 2 of 2/);
    expect(output).toMatch(/All \d+ checks passed\./);
    expect(output).not.toContain(runtime.account.authToken);
    expect(await fetchStatus(serviceSid!)).toBe(404);
  });

  it('through the AWS watch: fails when events are missing or carry a secret, and still removes everything', async () => {
    // The AWS watch, its EventBridge and SQS clients mocked: the queue hands over what the local bus
    // published, losing the billing events and with the auth token slipped into each challenge.approved.
    const eventBridge = new EventBridgeClient({});
    const sqs = new SQSClient({});
    const rules = mockClient(eventBridge);
    const queues = mockClient(sqs);
    rules.on(PutRuleCommand).resolves({ RuleArn: 'arn:aws:events:us-east-1:1:rule/bus/verify-smoke-e2e' });
    rules.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    queues.on(CreateQueueCommand).resolves({ QueueUrl: 'https://sqs/verify-smoke-e2e' });
    queues.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:1:q' } });
    const bus = new FileEventWatch(runtime.eventsFile, runtime.account.sid);
    await bus.start();
    queues.on(ReceiveMessageCommand).callsFake(async ({ WaitTimeSeconds }: { WaitTimeSeconds: number }) => ({
      Messages: (await bus.poll(Math.min(WaitTimeSeconds * 1000, 200)))
        .filter((event) => event['detail-type'] !== 'billing.verification')
        .map((event) =>
          event['detail-type'] === 'challenge.approved'
            ? { ...event, detail: { ...event.detail, note: `token=${runtime.account.authToken}` } }
            : event,
        )
        .map((event) => ({ Body: JSON.stringify(event) })),
    }));
    const faulty = new AwsEventWatch({
      bus: 'bus',
      accountSid: runtime.account.sid,
      name: 'verify-smoke-e2e',
      clients: { eventBridge, sqs },
    });
    const results = await runSmoke({
      url: runtime.url,
      accountSid: runtime.account.sid,
      username: runtime.account.sid,
      password: runtime.account.authToken,
      origin: 'https://app.example',
      watch: faulty,
      eventWaitMs: 2_000,
      settleMs: 0,
    });
    const failed = Object.fromEntries(results.filter((r) => !r.ok).map((r) => [r.name, r.detail]));
    expect(Object.keys(failed)).toEqual(['event billing.verification', 'events carry no secret']);
    expect(failed['event billing.verification']).toMatch(
      /^0 of 2: none for TOTP challenge YC[0-9a-f]{32}, push challenge YC[0-9a-f]{32} within 2 s$/,
    );
    expect(failed['events carry no secret']).toMatch(
      /^challenge\.approved YC[0-9a-f]{32} has the auth token; challenge\.approved YC[0-9a-f]{32} has the auth token$/,
    );
    expect(JSON.stringify(results)).not.toContain(runtime.account.authToken);
    const serviceSid = results.find((r) => r.name === 'service created')!.detail;
    expect(results.find((r) => r.name === 'cleanup: service deleted')!.ok).toBe(true);
    expect(await fetchStatus(serviceSid)).toBe(404);
    expect(rules.commandCalls(RemoveTargetsCommand)).toHaveLength(1);
    expect(rules.commandCalls(DeleteRuleCommand)).toHaveLength(1);
    expect(queues.commandCalls(DeleteQueueCommand)).toHaveLength(1);
  });

  it('prints its usage with --help (status 0), and a usage error with status 2', async () => {
    const help: string[] = [];
    expect(await main(['--help'], { print: (line) => help.push(line), env: {} })).toBe(0);
    expect(help.join('\n')).toContain('Usage: npm run smoke -- --url <ApiUrl>');
    const wrong: string[] = [];
    expect(await main(['--url', runtime.url], { print: (line) => wrong.push(line), env: {} })).toBe(2);
    expect(wrong.join('\n')).toMatch(/^--account must be the account SID/);
  });
});
