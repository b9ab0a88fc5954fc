// @ts-nocheck
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { loadConfig, toEnvironment } from '../../shared/config';
import { EVENT_SOURCE } from '../../shared/domain/events';
import { PUSH_REQUEST_EVENT, PUSH_SENDER_HANDLER } from '../../shared/events/filters';
import type { Access } from '../../shared/http/routes';
import { grantAccess } from './access';
import { ApiFunction } from './api-function';
import { secureQueue } from './event-pipeline';

/**
 * The sender reads the challenge (GetItem), its factor with the service and entity (BatchGetItem) and the
 * service's push credential (GetItem), opens the credential's secret, and records a dead token on the
 * factor (UpdateItem).
 */
export const PUSH_SENDER_ACCESS: Access = {
  table: ['GetItem', 'BatchGetItem', 'UpdateItem'],
  partitions: ['ACCOUNT', 'SERVICE', 'ENTITY'],
  kms: 'open',
};

export interface PushSenderProps {
  table: ITable;
  eventBus: IEventBus;
  secretsKey: IKey;
  logRetention: RetentionDays;
  /** Where APNs and FCM are reached; Apple's and Google's hosts by default. */
  apnsBaseUrl?: string;
  fcmBaseUrl?: string;
}

/**
 * A send takes at most a few seconds (5 s per provider request, a couple of quick retries): 20 s is
 * plenty. A message that still failed is delivered again after the visibility timeout, 60 s, so the
 * default 5 deliveries span the 5 minutes a challenge lives by default; then the dead-letter queue.
 */
const SENDER_TIMEOUT = Duration.seconds(20);
const VISIBILITY_TIMEOUT = Duration.seconds(60);

/**
 * Push delivery: an EventBridge rule on `notification.requested` → an SQS queue (with a dead-letter
 * queue) → the sender, which delivers through APNs or FCM and reports partial batch failures.
 */
export class PushSender extends Construct {
  readonly function: ApiFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: PushSenderProps) {
    super(scope, id);
    const { table, eventBus, secretsKey } = props;
    const maxAttempts = loadConfig({}).pushMaxAttempts;

    this.deadLetters = new Queue(this, 'DeadLetters', {
      ...secureQueue,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...secureQueue,
      visibilityTimeout: VISIBILITY_TIMEOUT,
      // A notification is worth nothing after its challenge has expired (at most an hour after creation).
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: maxAttempts },
    });

    const ruleDeadLetters = new Queue(this, 'RuleDeadLetters', {
      ...secureQueue,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(ruleDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue itself: the push rule target's DeadLetterConfig, where " +
        'EventBridge puts the requests it could not deliver to the push queue (cdk-nag only recognises ' +
        'SQS redrive policies).',
    });
    new Rule(this, 'Rule', {
      eventBus,
      description: 'Push notification requests, for the push sender',
      eventPattern: { source: [EVENT_SOURCE], detailType: [PUSH_REQUEST_EVENT] },
      targets: [
        new SqsQueue(this.queue, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: ruleDeadLetters,
        }),
      ],
    });

    this.function = new ApiFunction(this, 'Function', {
      module: PUSH_SENDER_HANDLER,
      logRetention: props.logRetention,
      timeout: SENDER_TIMEOUT,
      environment: toEnvironment({
        tableName: table.tableName,
        eventBusName: eventBus.eventBusName,
        kmsKeyId: secretsKey.keyArn,
        pushMaxAttempts: maxAttempts,
        apnsBaseUrl: props.apnsBaseUrl,
        fcmBaseUrl: props.fcmBaseUrl,
      }),
    });
    grantAccess(this.function, PUSH_SENDER_ACCESS, table, secretsKey);
    eventBus.grantPutEventsTo(this.function);
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }
}
