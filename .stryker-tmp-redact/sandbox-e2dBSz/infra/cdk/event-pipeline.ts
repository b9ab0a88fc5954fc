// @ts-nocheck
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type CfnArchive, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEnvironment } from '../../shared/config';
import { EVENT_SOURCE } from '../../shared/domain/events';
import { STREAM_FILTER_PATTERNS, STREAM_HANDLER } from '../../shared/events/filters';
import type { Access } from '../../shared/http/routes';
import { grantAccess } from './access';
import { ApiFunction } from './api-function';

export interface EventPipelineProps {
  /** The table whose stream is the outbox: every event comes from one of its changes. */
  table: ITable;
  eventBus: IEventBus;
  logRetention: RetentionDays;
  /** Whether events carry identities, details and metadata. Default: true. */
  includePii?: boolean;
  /** How long the bus archive keeps events for replay. */
  archiveRetentionDays: number;
}

/**
 * The stream handler writes expiry timers (PutItem) and marks challenges expired (UpdateItem), conditionally
 * on other items (ConditionCheckItem).
 */
export const STREAM_HANDLER_ACCESS: Access = { table: ['PutItem', 'UpdateItem', 'ConditionCheckItem'] };

/** What every queue of the stack is: encrypted and TLS-only. */
export const secureQueue: QueueProps = { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED };

/** A secure queue that keeps messages for the longest SQS allows. */
export const queueDefaults: QueueProps = { ...secureQueue, retentionPeriod: Duration.days(14) };

/**
 * Table stream → stream handler → EventBridge, plus an example consumer: billing events into an SQS queue.
 * The bus is archived so events can be replayed.
 */
export class EventPipeline extends Construct {
  readonly streamHandler: ApiFunction;
  /** Where Lambda records the stream batches it gave up on (shard and sequence numbers, not the records). */
  readonly streamFailures: Queue;
  readonly billingQueue: Queue;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { table, eventBus } = props;

    this.streamHandler = new ApiFunction(this, 'StreamHandler', {
      module: STREAM_HANDLER,
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      environment: {
        ...toEnvironment({
          tableName: table.tableName,
          eventBusName: eventBus.eventBusName,
          eventsIncludePii: props.includePii ?? true,
        }),
      },
    });
    eventBus.grantPutEventsTo(this.streamHandler);
    // Stream read permissions come with the event source.
    grantAccess(this.streamHandler, STREAM_HANDLER_ACCESS, table);

    this.streamFailures = new Queue(this, 'StreamFailures', queueDefaults);
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter destination itself: the event source mapping's on-failure " +
        'destination for stream batches that kept failing (cdk-nag only recognises redrive policies). ' +
        'A queue behind it would only move the same records one step further.',
    });
    this.streamHandler.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        // Without these limits one bad record would block its shard until the stream drops it (24 h).
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        // One batch per shard at a time: a challenge's or factor's events go out in order.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.streamFailures),
        filters: STREAM_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );

    this.billingQueue = new Queue(this, 'BillingQueue', {
      ...queueDefaults,
      deadLetterQueue: {
        queue: new Queue(this, 'BillingQueueDlq', queueDefaults),
        maxReceiveCount: 5,
      },
    });
    const billingTargetDlq = new Queue(this, 'BillingTargetDlq', queueDefaults);
    Validations.of(billingTargetDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue itself: the billing rule target's DeadLetterConfig, where " +
        'EventBridge puts the events it could not deliver (cdk-nag only recognises SQS redrive policies).',
    });
    new Rule(this, 'BillingRule', {
      eventBus,
      description: 'Billable verifications, for metering',
      eventPattern: { source: [EVENT_SOURCE], detailType: ['billing.verification'] },
      targets: [
        new SqsQueue(this.billingQueue, {
          // EventBridge's own maximum; what still fails lands here instead of being dropped.
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: billingTargetDlq,
        }),
      ],
    });

    const archive = eventBus.archive('Archive', {
      description: 'Every event this service publishes, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    // Without a key the construct writes KmsKeyIdentifier: "", which some regions reject (aws/aws-cdk#37847);
    // leaving it out means the AWS-owned key.
    (archive.node.defaultChild as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
  }
}
