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
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { EVENT_SOURCE } from '../../shared/domain/events';

/** An event in the envelope EventBridge delivers to its targets (and the local sink writes). */
export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  detail: Record<string, unknown>;
}

/**
 * Where the smoke test sees the events of its account: on AWS a temporary rule → SQS queue, locally the
 * event sink's JSONL file. `start` before the first write; `stop` always (also after a failed `start`).
 */
export interface EventWatch {
  /** What is being watched, for the report. */
  readonly description: string;
  /** Sets the watch up; events of the account published after it returns are seen. */
  start(): Promise<void>;
  /** The account's events that arrived since the last call, waiting up to `waitMs` for some to come. */
  poll(waitMs: number): Promise<BusEvent[]>;
  /** Removes whatever `start` created; throws naming what could not be removed. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isBusEvent = (value: unknown): value is BusEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as BusEvent).id === 'string' &&
  typeof (value as BusEvent)['detail-type'] === 'string' &&
  typeof (value as BusEvent).detail === 'object' &&
  (value as BusEvent).detail !== null;

function parseEvent(text: string): BusEvent | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isBusEvent(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const ofAccount = (accountSid: string) => (event: BusEvent) =>
  event.source === EVENT_SOURCE && event.detail.account_sid === accountSid;

/**
 * The local bus: `npm start`'s event sink appends every event to a JSONL file (`LOCAL_EVENTS_FILE`). The
 * watch reads what is appended after `start`, as a rule on the bus would see it; it creates nothing.
 */
export class FileEventWatch implements EventWatch {
  private offset = 0;
  private partial = '';

  constructor(
    private readonly file: string,
    private readonly accountSid: string,
  ) {}

  get description() {
    return `events file ${this.file}`;
  }

  async start() {
    this.offset = existsSync(this.file) ? statSync(this.file).size : 0;
  }

  private readNew(): BusEvent[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    // A file that shrank was replaced (a restarted sink): read it from its start.
    if (size < this.offset) [this.offset, this.partial] = [0, ''];
    if (size === this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    // A line the sink is still writing stays for the next read.
    const lines = (this.partial + buffer.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map(parseEvent).filter((e): e is BusEvent => e !== undefined);
  }

  async poll(waitMs: number) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const events = this.readNew().filter(ofAccount(this.accountSid));
      if (events.length > 0 || Date.now() >= deadline) return events;
      await sleep(Math.min(100, deadline - Date.now()));
    }
  }

  async stop() {}
}

/** An AWS call that failed, said as what the smoke test was doing and the permission it needs. */
export class AwsStepError extends Error {
  constructor(what: string, permission: string, cause: unknown) {
    const name = (cause as { name?: string }).name ?? 'Error';
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`Could not ${what} (${permission}): ${name}: ${message}`);
  }
}

async function step<T>(what: string, permission: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsStepError(what, permission, error);
  }
}

/** Deleting what is already gone is not a failure. */
const alreadyGone = (error: unknown) =>
  /ResourceNotFound|NonExistentQueue|QueueDoesNotExist/.test((error as { name?: string }).name ?? '');

/** The id of the queue target on the temporary rule. */
export const TARGET_ID = 'smoke-queue';

/** The rule's pattern: every event this service publishes for the account under test. */
export const watchPattern = (accountSid: string) => ({
  source: [EVENT_SOURCE],
  detail: { account_sid: [accountSid] },
});

/** Only this rule may send to the queue, and only over TLS. */
export const queuePolicy = (queueArn: string, ruleArn: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'FromTheSmokeRuleOnly',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    },
    {
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sqs:*',
      Resource: queueArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

/**
 * The deployed bus, watched through a temporary rule (the account's events) whose target is a temporary
 * SQS queue, both named `verify-smoke-<random>`, created with the caller's AWS credentials and removed by
 * `stop`. Messages are not deleted (the queue goes as a whole); a long visibility timeout keeps them from
 * coming back during the run, and events are deduplicated by id anyway.
 */
export class AwsEventWatch implements EventWatch {
  readonly name: string;
  private readonly eventBridge: EventBridgeClient;
  private readonly sqs: SQSClient;
  private ruleCreated = false;
  private targetCreated = false;
  private queueUrl?: string;
  private readonly seen = new Set<string>();

  constructor(
    private readonly options: {
      bus: string;
      accountSid: string;
      region?: string;
      name?: string;
      /** Clients of its own (tests); by default new ones for `region`, with the caller's credentials. */
      clients?: { eventBridge: EventBridgeClient; sqs: SQSClient };
    },
  ) {
    this.name = options.name ?? `verify-smoke-${randomBytes(4).toString('hex')}`;
    this.eventBridge = options.clients?.eventBridge ?? new EventBridgeClient({ region: options.region });
    this.sqs = options.clients?.sqs ?? new SQSClient({ region: options.region });
  }

  get description() {
    return `rule ${this.name} on bus ${this.options.bus} → SQS queue ${this.name}`;
  }

  async start() {
    const { bus, accountSid } = this.options;
    const { RuleArn: ruleArn } = await step('create the EventBridge rule', 'events:PutRule', () =>
      this.eventBridge.send(
        new PutRuleCommand({
          Name: this.name,
          EventBusName: bus,
          EventPattern: JSON.stringify(watchPattern(accountSid)),
          State: 'ENABLED',
          Description: 'Temporary: npm run smoke watches its events here; it deletes this rule when done',
        }),
      ),
    );
    this.ruleCreated = true;
    const { QueueUrl: queueUrl } = await step('create the SQS queue', 'sqs:CreateQueue', () =>
      this.sqs.send(
        new CreateQueueCommand({
          QueueName: this.name,
          Attributes: {
            SqsManagedSseEnabled: 'true',
            MessageRetentionPeriod: '3600',
            VisibilityTimeout: '3600',
          },
        }),
      ),
    );
    this.queueUrl = queueUrl;
    const { Attributes } = await step('read the queue ARN', 'sqs:GetQueueAttributes', () =>
      this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })),
    );
    const queueArn = Attributes?.QueueArn;
    if (!ruleArn || !queueArn) throw new Error('AWS answered without the rule or queue ARN');
    await step('set the queue policy', 'sqs:SetQueueAttributes', () =>
      this.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: { Policy: JSON.stringify(queuePolicy(queueArn, ruleArn)) },
        }),
      ),
    );
    const targets = await step('add the queue as the rule target', 'events:PutTargets', () =>
      this.eventBridge.send(
        new PutTargetsCommand({
          Rule: this.name,
          EventBusName: bus,
          Targets: [{ Id: TARGET_ID, Arn: queueArn }],
        }),
      ),
    );
    if (targets.FailedEntryCount) {
      const entry = targets.FailedEntries?.[0];
      throw new Error(
        `Could not add the queue as the rule target (events:PutTargets): ${entry?.ErrorCode}: ${entry?.ErrorMessage}`,
      );
    }
    this.targetCreated = true;
  }

  async poll(waitMs: number) {
    const { Messages = [] } = await step('receive from the SQS queue', 'sqs:ReceiveMessage', () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: Math.max(0, Math.min(20, Math.ceil(waitMs / 1000))),
        }),
      ),
    );
    const events: BusEvent[] = [];
    for (const message of Messages) {
      const event = parseEvent(message.Body ?? '');
      if (!event || this.seen.has(event.id)) continue;
      this.seen.add(event.id);
      if (ofAccount(this.options.accountSid)(event)) events.push(event);
    }
    return events;
  }

  /** Each removal is tried whatever happened to the others; the error lists what is left. */
  async stop() {
    const { bus } = this.options;
    const left: string[] = [];
    const remove = async (what: string, permission: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        if (!alreadyGone(error)) left.push(new AwsStepError(`remove ${what}`, permission, error).message);
      }
    };
    if (this.targetCreated) {
      await remove(`the target of rule ${this.name}`, 'events:RemoveTargets', () =>
        this.eventBridge.send(
          new RemoveTargetsCommand({ Rule: this.name, EventBusName: bus, Ids: [TARGET_ID] }),
        ),
      );
    }
    if (this.ruleCreated) {
      await remove(`the rule ${this.name} on bus ${bus}`, 'events:DeleteRule', () =>
        this.eventBridge.send(new DeleteRuleCommand({ Name: this.name, EventBusName: bus })),
      );
    }
    if (this.queueUrl) {
      const queueUrl = this.queueUrl;
      await remove(`the queue ${queueUrl}`, 'sqs:DeleteQueue', () =>
        this.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })),
      );
    }
    this.eventBridge.destroy();
    this.sqs.destroy();
    if (left.length > 0) throw new Error(`${left.join('; ')}. Remove what is left by hand.`);
  }
}
