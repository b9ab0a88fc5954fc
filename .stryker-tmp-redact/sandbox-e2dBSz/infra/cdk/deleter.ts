// @ts-nocheck
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEnvironment } from '../../shared/config';
import { DELETER_FILTER_PATTERNS, DELETER_HANDLER } from '../../shared/events/filters';
import { ApiFunction } from './api-function';

export interface DeleterProps {
  table: ITable;
  logRetention: RetentionDays;
  /** Where Lambda records the batches it gave up on (a DELETE retried picks such a deletion up again). */
  onFailure: IQueue;
}

/**
 * The deleter: finishes the deletions of services and entities that a DELETE request left unfinished. It
 * reads the table's stream through a mapping of its own, filtered to marked (`deleting`) service and
 * entity items; each invocation works for `DELETER_BUDGET_MS` (40 s of its 60 s) and, when work is left,
 * writes to the marked item, whose stream record invokes it again.
 */
export class Deleter extends Construct {
  readonly function: ApiFunction;

  constructor(scope: Construct, id: string, props: DeleterProps) {
    super(scope, id);
    const { table } = props;
    this.function = new ApiFunction(this, 'Function', {
      module: DELETER_HANDLER,
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      environment: toEnvironment({ tableName: table.tableName }),
    });
    // Reads the marked item, queries partitions, batch-deletes their items, deletes the marked item last,
    // and writes to it to hand over; stream read permissions come with the event source.
    table.grant(
      this.function,
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    );
    this.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        // One invocation per shard at a time: a deletion is never continued by two invocations at once.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(props.onFailure),
        filters: DELETER_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
  }
}
