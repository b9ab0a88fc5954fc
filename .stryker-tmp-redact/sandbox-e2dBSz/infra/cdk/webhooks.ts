// @ts-nocheck
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { loadConfig, toEnvironment } from '../../shared/config';
import { ACCOUNT_TOKEN_CONTEXT } from '../../shared/crypto/key-providers';
import { EVENT_SOURCE } from '../../shared/domain/events';
import {
  WEBHOOK_DELIVERY_HANDLER,
  WEBHOOK_DISPATCHER_HANDLER,
  WEBHOOK_EVENTS,
} from '../../shared/events/filters';
import type { Access } from '../../shared/http/routes';
import { grantAccess } from './access';
import { ApiFunction } from './api-function';
import { secureQueue } from './event-pipeline';

/** The dispatcher lists a service's webhooks (Query of the service's partition), nothing else. */
export const WEBHOOK_DISPATCHER_ACCESS: Access = { table: ['Query'], partitions: ['SERVICE'] };
/** The delivery reads the webhook (SERVICE#) and the account's sealed auth token (ACCOUNT#). */
export const WEBHOOK_DELIVERY_ACCESS: Access = { table: ['GetItem'], partitions: ['ACCOUNT', 'SERVICE'] };

export interface WebhooksProps {
  table: ITable;
  eventBus: IEventBus;
  secretsKey: IKey;
  logRetention: RetentionDays;
  /** How long a delivery is retried (`WEBHOOK_RETRY_WINDOW_SECONDS`); 24 hours by default. */
  retryWindowSeconds?: number;
}

const FOURTEEN_DAYS = Duration.days(14);

/**
 * A request takes at most 15 s (Twilio's total timeout), and a batch's requests run in parallel: 30 s is
 * the delivery's timeout, and the queue's visibility timeout six times that, as AWS advises for SQS event
 * sources. The dispatcher only queries and sends: 20 s.
 */
const DELIVERY_TIMEOUT = Duration.seconds(30);
const DISPATCHER_TIMEOUT = Duration.seconds(20);

/**
 * Verify webhooks: an EventBridge rule on the five webhook event types → the events queue → the
 * dispatcher, which sends one message per matching webhook to the delivery queue → the delivery, which
 * POSTs it signed and puts failed ones back on its queue with a delay, until the retry window has passed;
 * then into the dead-letter queue (the delivery sends it there itself; the redrive policy catches messages
 * whose handling keeps crashing).
 */
export class Webhooks extends Construct {
  readonly dispatcher: ApiFunction;
  readonly delivery: ApiFunction;
  readonly eventsQueue: Queue;
  readonly deliveryQueue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const { table, eventBus, secretsKey } = props;
    const defaults = loadConfig({});

    const eventsDeadLetters = new Queue(this, 'EventsDeadLetters', {
      ...secureQueue,
      retentionPeriod: FOURTEEN_DAYS,
    });
    this.eventsQueue = new Queue(this, 'EventsQueue', {
      ...secureQueue,
      visibilityTimeout: Duration.seconds(120),
      retentionPeriod: FOURTEEN_DAYS,
      deadLetterQueue: { queue: eventsDeadLetters, maxReceiveCount: 5 },
    });
    this.deadLetters = new Queue(this, 'DeadLetters', { ...secureQueue, retentionPeriod: FOURTEEN_DAYS });
    this.deliveryQueue = new Queue(this, 'DeliveryQueue', {
      ...secureQueue,
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: FOURTEEN_DAYS,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });

    const ruleDeadLetters = new Queue(this, 'RuleDeadLetters', {
      ...secureQueue,
      retentionPeriod: FOURTEEN_DAYS,
    });
    Validations.of(ruleDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue itself: the webhook rule target's DeadLetterConfig, where " +
        'EventBridge puts the events it could not deliver to the webhook events queue (cdk-nag only ' +
        'recognises SQS redrive policies).',
    });
    new Rule(this, 'Rule', {
      eventBus,
      description: 'Factor and challenge events that Verify webhooks receive, for the webhook dispatcher',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...WEBHOOK_EVENTS] },
      targets: [
        new SqsQueue(this.eventsQueue, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: ruleDeadLetters,
        }),
      ],
    });

    const queues = {
      webhookQueueUrl: this.deliveryQueue.queueUrl,
      webhookDeadLetterQueueUrl: this.deadLetters.queueUrl,
    };
    this.dispatcher = new ApiFunction(this, 'Dispatcher', {
      module: WEBHOOK_DISPATCHER_HANDLER,
      logRetention: props.logRetention,
      timeout: DISPATCHER_TIMEOUT,
      environment: toEnvironment({ tableName: table.tableName, ...queues }),
    });
    grantAccess(this.dispatcher, WEBHOOK_DISPATCHER_ACCESS, table);
    this.deliveryQueue.grantSendMessages(this.dispatcher);
    this.dispatcher.addEventSource(
      new SqsEventSource(this.eventsQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    this.delivery = new ApiFunction(this, 'Delivery', {
      module: WEBHOOK_DELIVERY_HANDLER,
      logRetention: props.logRetention,
      timeout: DELIVERY_TIMEOUT,
      environment: toEnvironment({
        tableName: table.tableName,
        eventBusName: eventBus.eventBusName,
        kmsKeyId: secretsKey.keyArn,
        webhookRetryWindowSeconds: props.retryWindowSeconds ?? defaults.webhookRetryWindowSeconds,
        ...queues,
      }),
    });
    grantAccess(this.delivery, WEBHOOK_DELIVERY_ACCESS, table);
    // Opens auth tokens only: the account-token purpose, never TOTP secrets or push credentials.
    this.delivery.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [secretsKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': ACCOUNT_TOKEN_CONTEXT.purpose } },
      }),
    );
    this.deliveryQueue.grantSendMessages(this.delivery);
    this.deadLetters.grantSendMessages(this.delivery);
    eventBus.grantPutEventsTo(this.delivery);
    this.delivery.addEventSource(
      new SqsEventSource(this.deliveryQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }
}
