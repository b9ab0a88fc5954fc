import { Aspects, Duration, Stack, type IAspect } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnEventSourceMapping, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { toEnvironment } from '../../shared/config';
import { SERVICE_NAME } from '../../shared/observability/log';
import { METRIC } from '../../shared/observability/metrics';

/** The alarms' thresholds that a deployer may change (CDK context, README "Runbook"). */
export interface AlarmThresholds {
  /** API 5xx answers, in percent of requests over 5 minutes (once at least 20 requests came). */
  api5xxPercent: number;
  /** The oldest stream record a stream consumer has not processed yet, in seconds. */
  iteratorAgeSeconds: number;
  /** Requests WAF blocked in 5 minutes. */
  wafBlocks: number;
}

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  api5xxPercent: 1,
  iteratorAgeSeconds: 300,
  wafBlocks: 1000,
};

/** Below this many requests in 5 minutes the 5xx rate is not judged (one failure in 3 is not an outage). */
export const API_5XX_MIN_REQUESTS = 20;

export interface MonitoringProps {
  api: RestApi;
  /** The web ACL's metric name (`visibilityConfig.metricName`), when the stack has one. */
  webAclMetricName?: string;
  /** Where alarm notifications are emailed (a subscription to confirm); none by default. */
  alarmEmail?: string;
  thresholds?: Partial<AlarmThresholds>;
  /** Whether the functions' metrics get the per-account dimension too (`METRICS_PER_ACCOUNT`). */
  metricsPerAccount?: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms, their SNS topic, and a dashboard. Alarms on what the stack is built of are made by an aspect
 * that visits the whole stack at synthesis: every Lambda function (errors, throttles), every stream
 * consumer (iterator age) and every dead-letter queue (a queue named as another queue's dead-letter
 * queue, an EventBridge target's, or an event source mapping's on-failure destination) gets its alarms,
 * including those that later changes add, without naming them here. The aspect also sets the metric
 * settings on every function.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly namespace: string;
  readonly thresholds: AlarmThresholds;
  /** Graphs the aspect adds to as it finds functions, consumers and queues. */
  readonly functionErrors: GraphWidget;
  readonly iteratorAge: GraphWidget;
  readonly deadLetters: GraphWidget;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namespace = stack.stackName;
    this.thresholds = { ...DEFAULT_ALARM_THRESHOLDS, ...props.thresholds };

    // CloudWatch can publish to an encrypted topic only with a customer managed key that lets it.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notifications topic',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const { api } = props;
    const requests = api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    // A 501 answers a Twilio path this service does not implement (a client's choice, not a fault): the API
    // functions count them (`observeRequests`), and the rate leaves them out.
    const notImplemented = this.metric(METRIC.notImplemented);
    const api5xxRate = new MathExpression({
      expression:
        `IF(requests >= ${API_5XX_MIN_REQUESTS}, ` +
        '100 * (errors - FILL(notImplemented, 0)) / requests, 0)',
      usingMetrics: { requests, errors: serverErrors, notImplemented },
      period: FIVE_MINUTES,
      label: 'API 5xx %',
    });
    this.alarm('Api5xxRate', api5xxRate, this.thresholds.api5xxPercent, 'API 5xx rate', 2);
    this.alarm('EventsPublishFailed', this.metric(METRIC.eventsPublishFailed), 1, 'PutEvents failures');
    this.alarm('KmsThrottles', this.metric('KMSThrottles'), 1, 'KMS throttling');
    const wafBlocked = props.webAclMetricName
      ? new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAclMetricName, Rule: 'ALL', Region: stack.region },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        })
      : undefined;
    if (wafBlocked) this.alarm('WafBlocks', wafBlocked, this.thresholds.wafBlocks, 'WAF blocks spiking');

    this.functionErrors = new GraphWidget({ title: 'Function errors and throttles', width: 12 });
    this.iteratorAge = new GraphWidget({ title: 'Stream iterator age (ms)', width: 12 });
    this.deadLetters = new GraphWidget({ title: 'Dead-letter queues: messages', width: 12 });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, metrics: IMetric[], width = 8) =>
      new GraphWidget({ title, left: metrics, width });
    const counts = (names: string[]) => names.map((name) => this.metric(name));
    this.dashboard.addWidgets(new TextWidget({ markdown: '## API', width: 24, height: 1 }));
    this.dashboard.addWidgets(
      graph('Requests', [requests]),
      graph('4xx and 5xx', [
        api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        serverErrors,
        notImplemented,
        api5xxRate,
      ]),
      graph('Latency (ms)', [
        api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
        api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(new TextWidget({ markdown: '## Security', width: 24, height: 1 }));
    this.dashboard.addWidgets(
      graph(
        'Security events',
        counts([
          METRIC.authFailures,
          METRIC.lockouts,
          METRIC.wrongCodes,
          METRIC.badPushSignatures,
          METRIC.throttledRequests,
        ]),
      ),
      graph('WAF blocked requests', wafBlocked ? [wafBlocked] : []),
      graph(
        'Security events per account',
        props.metricsPerAccount === false
          ? []
          : [
              new MathExpression({
                expression:
                  `SEARCH('{${this.namespace},account_sid,service} MetricName=("${METRIC.lockouts}" OR ` +
                  `"${METRIC.wrongCodes}" OR "${METRIC.badPushSignatures}" OR "${METRIC.throttledRequests}")', 'Sum', 300)`,
                usingMetrics: {},
                label: '',
                period: FIVE_MINUTES,
              }),
            ],
      ),
    );
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '## Challenges, pushes, webhooks', width: 24, height: 1 }),
    );
    this.dashboard.addWidgets(
      graph(
        'Challenges',
        counts([
          METRIC.challengesCreated,
          METRIC.challengesApproved,
          METRIC.challengesDenied,
          METRIC.challengesExpired,
        ]),
      ),
      graph('Notifications', counts([METRIC.notificationsSent, METRIC.notificationsFailed])),
      graph(
        'Webhooks',
        counts([METRIC.webhookDeliveries, METRIC.webhookAttemptFailures, METRIC.webhookDeliveriesFailed]),
      ),
    );
    this.dashboard.addWidgets(new TextWidget({ markdown: '## Pipeline', width: 24, height: 1 }));
    this.dashboard.addWidgets(this.iteratorAge, this.deadLetters);
    this.dashboard.addWidgets(
      this.functionErrors,
      graph('PutEvents failures and KMS throttles', counts([METRIC.eventsPublishFailed, 'KMSThrottles']), 12),
    );

    Aspects.of(stack).add(new MonitorEverything(this, props.metricsPerAccount ?? true));
  }

  /** One of the functions' own metrics, in total (the `service` dimension), summed over 5 minutes. */
  metric(name: string): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { service: SERVICE_NAME },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  }

  /** An alarm at `threshold` or above, notifying the topic when it fires and when it recovers. */
  alarm(id: string, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${description}. What to do: README, "Runbook", "${description}".`,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}

/** A construct path as an id: `EventPipeline/StreamHandler` → `EventPipelineStreamHandler`. */
const idOf = (node: IConstruct) =>
  node.node.path
    .split('/')
    .slice(1)
    .join('')
    .replace(/[^A-Za-z0-9]/g, '');

/** The resolved form of a token, to compare references (an ARN's `Fn::GetAtt`) between constructs. */
const resolved = (scope: IConstruct, value: unknown) => JSON.stringify(Stack.of(scope).resolve(value));

/** Every queue ARN the stack names as a dead-letter queue or failure destination, resolved. */
function deadLetterArns(stack: Stack): Set<string> {
  const arns = new Set<string>();
  for (const node of stack.node.findAll()) {
    if (node instanceof Queue && node.deadLetterQueue) {
      arns.add(resolved(node, node.deadLetterQueue.queue.queueArn));
    }
    if (node instanceof CfnRule) {
      // L1 properties resolve with their TypeScript (camelCase) names.
      const targets = (stack.resolve(node.targets) ?? []) as { deadLetterConfig?: { arn?: unknown } }[];
      for (const target of targets) {
        if (target.deadLetterConfig?.arn) arns.add(JSON.stringify(target.deadLetterConfig.arn));
      }
    }
    if (node instanceof CfnEventSourceMapping) {
      const config = stack.resolve(node.destinationConfig) as
        { onFailure?: { destination?: unknown } } | undefined;
      if (config?.onFailure?.destination) arns.add(JSON.stringify(config.onFailure.destination));
    }
  }
  return arns;
}

class MonitorEverything implements IAspect {
  private deadLetterQueues?: Set<string>;

  constructor(
    private readonly monitoring: Monitoring,
    private readonly perAccount: boolean,
  ) {}

  visit(node: IConstruct): void {
    const m = this.monitoring;
    if (node instanceof LambdaFunction) {
      for (const [name, value] of Object.entries(
        toEnvironment({ metricsNamespace: m.namespace, metricsPerAccount: this.perAccount }),
      )) {
        node.addEnvironment(name, value);
      }
      const errors = node.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
      const throttles = node.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' });
      // One alarm per function for both, not two: a CloudFormation stack holds at most 500 resources, and
      // two alarms for each of 40-odd functions would take the stack past it (test/infra/stack.test.ts).
      const failed = new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: { errors, throttles },
        period: FIVE_MINUTES,
        label: 'Errors + throttles',
      });
      m.alarm(`${idOf(node)}ErrorsOrThrottles`, failed, 1, 'Function errors or throttles');
      m.functionErrors.addLeftMetric(errors);
      m.functionErrors.addRightMetric(throttles);
    } else if (node instanceof CfnEventSourceMapping && node.startingPosition !== undefined) {
      // Only stream sources have a starting position: these consumers have an iterator age.
      const age = new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: node.functionName },
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      });
      m.alarm(`${idOf(node)}IteratorAge`, age, m.thresholds.iteratorAgeSeconds * 1000, 'Stream iterator age');
      m.iteratorAge.addLeftMetric(age);
    } else if (node instanceof Queue) {
      this.deadLetterQueues ??= deadLetterArns(Stack.of(node));
      if (!this.deadLetterQueues.has(resolved(node, node.queueArn))) return;
      const visible = node.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      });
      m.alarm(`${idOf(node)}Messages`, visible, 1, 'Dead-letter queue has messages');
      m.deadLetters.addLeftMetric(visible);
    }
  }
}
