import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../infra/smoke/cli';
import { AwsEventWatch, TARGET_ID } from '../../../infra/smoke/events';

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);

const ACCOUNT = `AC${'a'.repeat(32)}`;
const RULE_ARN = 'arn:aws:events:eu-west-1:123456789012:rule/verify-bus/verify-smoke-test';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/verify-smoke-test';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:verify-smoke-test';

const accessDenied = (action: string) =>
  Object.assign(
    new Error(`User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ${action}`),
    {
      name: 'AccessDeniedException',
    },
  );

/** Every call succeeds, as with the permissions the README lists. */
function allowEverything() {
  eventBridge.on(PutRuleCommand).resolves({ RuleArn: RULE_ARN });
  eventBridge.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  eventBridge.on(RemoveTargetsCommand).resolves({ FailedEntryCount: 0 });
  eventBridge.on(DeleteRuleCommand).resolves({});
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
  sqs.on(SetQueueAttributesCommand).resolves({});
  sqs.on(DeleteQueueCommand).resolves({});
}

const watch = () => new AwsEventWatch({ bus: 'verify-bus', accountSid: ACCOUNT, name: 'verify-smoke-test' });

/** The AWS calls made, in order, by command name. */
const calls = () =>
  [...eventBridge.calls(), ...sqs.calls()]
    .map((call) => ({
      name: call.args[0].constructor.name,
      order: (call as unknown as { callId: number }).callId /* sinon's global call order */,
    }))
    .sort((a, b) => a.order - b.order)
    .map((call) => call.name.replace(/Command$/, ''));

beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
});

describe('the AWS event watch', () => {
  it('creates a rule for the account’s events whose only target is a queue only that rule may send to', async () => {
    allowEverything();
    await watch().start();
    expect(calls()).toEqual([
      'PutRule',
      'CreateQueue',
      'GetQueueAttributes',
      'SetQueueAttributes',
      'PutTargets',
    ]);

    const rule = eventBridge.commandCalls(PutRuleCommand)[0]!.args[0].input;
    expect(rule).toMatchObject({ Name: 'verify-smoke-test', EventBusName: 'verify-bus', State: 'ENABLED' });
    expect(JSON.parse(rule.EventPattern!)).toEqual({
      source: ['verify-push-totp'],
      detail: { account_sid: [ACCOUNT] },
    });

    const queue = sqs.commandCalls(CreateQueueCommand)[0]!.args[0].input;
    expect(queue.QueueName).toBe('verify-smoke-test');
    expect(queue.Attributes).toMatchObject({ SqsManagedSseEnabled: 'true', MessageRetentionPeriod: '3600' });

    const attributes = sqs.commandCalls(SetQueueAttributesCommand)[0]!.args[0].input;
    expect(attributes.QueueUrl).toBe(QUEUE_URL);
    const policy = JSON.parse(attributes.Attributes!.Policy!);
    const allows = policy.Statement.filter((s: { Effect: string }) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'FromTheSmokeRuleOnly',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: QUEUE_ARN,
        Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
      },
    ]);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );

    expect(eventBridge.commandCalls(PutTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: 'verify-smoke-test',
      EventBusName: 'verify-bus',
      Targets: [{ Id: TARGET_ID, Arn: QUEUE_ARN }],
    });
  });

  it('removes the target, the rule and the queue', async () => {
    allowEverything();
    const w = watch();
    await w.start();
    eventBridge.resetHistory();
    sqs.resetHistory();
    await w.stop();
    expect(calls()).toEqual(['RemoveTargets', 'DeleteRule', 'DeleteQueue']);
    expect(eventBridge.commandCalls(RemoveTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: 'verify-smoke-test',
      EventBusName: 'verify-bus',
      Ids: [TARGET_ID],
    });
    expect(eventBridge.commandCalls(DeleteRuleCommand)[0]!.args[0].input).toEqual({
      Name: 'verify-smoke-test',
      EventBusName: 'verify-bus',
    });
    expect(sqs.commandCalls(DeleteQueueCommand)[0]!.args[0].input).toEqual({ QueueUrl: QUEUE_URL });
  });

  it('when setting it up fails half way, says which step and permission, and removes what it created', async () => {
    allowEverything();
    sqs.on(SetQueueAttributesCommand).rejects(accessDenied('sqs:SetQueueAttributes'));
    const w = watch();
    await expect(w.start()).rejects.toThrow(
      /^Could not set the queue policy \(sqs:SetQueueAttributes\): AccessDeniedException: User: .* not authorized/,
    );
    eventBridge.resetHistory();
    sqs.resetHistory();
    await w.stop();
    // No target was added, so none is removed.
    expect(calls()).toEqual(['DeleteRule', 'DeleteQueue']);
  });

  it('a refused target counts as a failure, and the rule and queue are still removed', async () => {
    allowEverything();
    eventBridge.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [
        { TargetId: TARGET_ID, ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'busy' },
      ],
    });
    const w = watch();
    await expect(w.start()).rejects.toThrow(
      'Could not add the queue as the rule target (events:PutTargets): ConcurrentModificationException: busy',
    );
    eventBridge.resetHistory();
    sqs.resetHistory();
    await w.stop();
    expect(calls()).toEqual(['DeleteRule', 'DeleteQueue']);
  });

  it('creates nothing and removes nothing when the rule cannot be created', async () => {
    allowEverything();
    eventBridge.on(PutRuleCommand).rejects(accessDenied('events:PutRule'));
    const w = watch();
    await expect(w.start()).rejects.toThrow(/^Could not create the EventBridge rule \(events:PutRule\)/);
    await w.stop();
    expect(calls()).toEqual(['PutRule']);
  });

  it('tries every removal when one fails, treats what is gone as removed, and names what is left', async () => {
    allowEverything();
    const w = watch();
    await w.start();
    eventBridge.on(RemoveTargetsCommand).rejects(accessDenied('events:RemoveTargets'));
    eventBridge
      .on(DeleteRuleCommand)
      .rejects(new ResourceNotFoundException({ message: 'Rule does not exist', $metadata: {} }));
    sqs.on(DeleteQueueCommand).rejects(new QueueDoesNotExist({ message: 'gone', $metadata: {} }));
    eventBridge.resetHistory();
    sqs.resetHistory();
    const stopping = w.stop();
    await expect(stopping).rejects.toThrow(
      /^Could not remove the target of rule verify-smoke-test \(events:RemoveTargets\): AccessDeniedException: .*\. Remove what is left by hand\.$/,
    );
    expect(calls()).toEqual(['RemoveTargets', 'DeleteRule', 'DeleteQueue']);
  });

  it('long-polls the queue and hands over each of the account’s events once', async () => {
    allowEverything();
    const event = (id: string, account = ACCOUNT) =>
      JSON.stringify({
        version: '0',
        id,
        'detail-type': 'factor.created',
        source: 'verify-push-totp',
        detail: { account_sid: account, factor_sid: `YF${id}` },
      });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { Body: event('1') },
          { Body: 'not json' },
          { Body: event('2', `AC${'b'.repeat(32)}`) },
          { Body: event('1') },
        ],
      })
      .resolvesOnce({ Messages: [{ Body: event('1') }, { Body: event('3') }] })
      .resolves({});
    const w = watch();
    await w.start();
    expect((await w.poll(60_000)).map((e) => e.id)).toEqual(['1']);
    expect((await w.poll(1_500)).map((e) => e.id)).toEqual(['3']);
    expect(await w.poll(0)).toEqual([]);
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
    expect(receives[0]).toEqual({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 });
    expect(receives.map((r) => r.WaitTimeSeconds)).toEqual([20, 2, 0]);
  });

  it('a failed receive says what it needs', async () => {
    allowEverything();
    sqs.on(ReceiveMessageCommand).rejects(accessDenied('sqs:ReceiveMessage'));
    const w = watch();
    await w.start();
    await expect(w.poll(1000)).rejects.toThrow(
      /^Could not receive from the SQS queue \(sqs:ReceiveMessage\)/,
    );
  });
});

describe('npm run smoke --bus', () => {
  it('reports an AWS failure as a failed check with its message, not a stack trace, and exits 1', async () => {
    allowEverything();
    eventBridge.on(PutRuleCommand).rejects(accessDenied('events:PutRule'));
    const lines: string[] = [];
    const status = await main(
      ['--url', 'http://127.0.0.1:9', '--account', ACCOUNT, '--bus', 'verify-bus', '--settle', '0'],
      { print: (line) => lines.push(line), env: { AUTH_TOKEN: 'f'.repeat(32) } },
    );
    const output = lines.join('\n');
    expect(status).toBe(1);
    expect(output).toMatch(
      /FAIL +event watch set up +Could not create the EventBridge rule \(events:PutRule\): AccessDeniedException: User: .* events:PutRule/,
    );
    expect(output).toMatch(/PASS +cleanup: event watch removed/);
    // Nothing was attempted against the API (nothing listens on port 9), and no stack trace was printed.
    expect(output).not.toContain('service created');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
