import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toEnvironment } from '../../shared/config';
import { EXPIRY_SWEEPER_HANDLER } from '../../shared/events/filters';
import type { Access } from '../../shared/http/routes';
import { TABLE } from '../../shared/store/table';
import { grantAccess } from './access';
import { ApiFunction } from './api-function';

/** Marks due challenges expired: a conditional UpdateItem on challenge items (entity partitions) only. */
export const EXPIRY_SWEEPER_ACCESS: Access = { table: ['UpdateItem'], partitions: ['ENTITY'] };

export interface ExpirySweeperProps {
  table: ITable;
  logRetention: RetentionDays;
}

/**
 * The expiry sweeper, run every minute by an EventBridge schedule: queries the due buckets of the table's
 * expiry index and marks those challenges expired (see `shared/app/expiry.ts`). It may query that index
 * and update entity-partition items, nothing else.
 */
export class ExpirySweeper extends Construct {
  readonly function: ApiFunction;

  constructor(scope: Construct, id: string, props: ExpirySweeperProps) {
    super(scope, id);
    const { table } = props;
    this.function = new ApiFunction(this, 'Function', {
      module: EXPIRY_SWEEPER_HANDLER,
      logRetention: props.logRetention,
      timeout: Duration.seconds(50),
      environment: toEnvironment({ tableName: table.tableName }),
    });
    grantAccess(this.function, EXPIRY_SWEEPER_ACCESS, table);
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${TABLE.expiryIndex.name}`],
      }),
    );
    // A failed or late sweep is not retried: the next one, a minute later, reads the same buckets.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new Rule(this, 'Schedule', {
      description: 'Marks expired challenges every minute, so challenge.expired is on time',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(1) })],
    });
  }
}
