import { App, Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Monitoring } from '../../infra/cdk/monitoring';
import { VerifyStack } from '../../infra/cdk/stack';
import { ROUTES } from '../../shared/http/routes';
import { SERVICE_NAME } from '../../shared/observability/log';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const stack = new VerifyStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
  alarmEmail: 'ops@example.com',
  alarmThresholds: { iteratorAgeSeconds: 120 },
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (path: string) => {
  const construct = path.split('/').reduce<IConstruct>((node, id) => node.node.findChild(id), stack);
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
};
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
const topicRef = { Ref: logicalId('Monitoring/AlarmTopic') };
/** The alarms on one metric of one resource (by the dimension that names it). */
const alarmsOn = (metricName: string, dimension: string, ref: unknown) =>
  alarms.filter(
    (alarm) =>
      alarm.MetricName === metricName &&
      alarm.Dimensions?.some(
        (d: { Name: string; Value: unknown }) =>
          d.Name === dimension && JSON.stringify(d.Value) === JSON.stringify(ref),
      ),
  );

/** The alarms on a metric math expression over `metricName` (with `dimension` = `ref`). */
const mathAlarmsOn = (metricName: string, dimension: string, ref: unknown) =>
  alarms.filter((alarm) =>
    (alarm.Metrics ?? []).some(
      (m: {
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } };
      }) =>
        m.MetricStat?.Metric.MetricName === metricName &&
        m.MetricStat.Metric.Dimensions.some(
          (d) => d.Name === dimension && JSON.stringify(d.Value) === JSON.stringify(ref),
        ),
    ),
  );

const DEAD_LETTER_QUEUES = [
  'EventPipeline/StreamFailures',
  'EventPipeline/BillingQueueDlq',
  'EventPipeline/BillingTargetDlq',
  'PushSender/DeadLetters',
  'PushSender/RuleDeadLetters',
  'Webhooks/EventsDeadLetters',
  'Webhooks/DeadLetters',
  'Webhooks/RuleDeadLetters',
];
const WORK_QUEUES = [
  'EventPipeline/BillingQueue',
  'PushSender/Queue',
  'Webhooks/EventsQueue',
  'Webhooks/DeliveryQueue',
];

describe('Monitoring', () => {
  it('notifies an encrypted, TLS-only SNS topic with the email subscription from alarmEmail', () => {
    const [[, topic]] = ofType('AWS::SNS::Topic') as [[string, Resource]];
    expect(topic.Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [logicalId('Monitoring/AlarmTopicKey'), 'Arn'],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef,
    });
    // CloudWatch may use the key, or it could not publish to the encrypted topic.
    const keyPolicy = resources[logicalId('Monitoring/AlarmTopicKey')]!.Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    expect(ofType('AWS::SNS::TopicPolicy').map(([, p]) => JSON.stringify(p.Properties))).toEqual([
      expect.stringContaining('"aws:SecureTransport":"false"'),
    ]);
  });

  it('sends every alarm, when it fires and when it recovers, to the topic', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmDescription).toEqual([topicRef]);
      expect(alarm.OKActions, alarm.AlarmDescription).toEqual([topicRef]);
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.AlarmDescription).toMatch(/README, "Runbook"/);
    }
  });

  it('alarms on errors and throttles of every function, with the metric settings on each', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ROUTES.length + 7);
    for (const [id, fn] of functions) {
      // One alarm per function on errors + throttles, each summed over 5 minutes.
      const found = mathAlarmsOn('Errors', 'FunctionName', { Ref: id });
      expect(found, id).toHaveLength(1);
      expect(mathAlarmsOn('Throttles', 'FunctionName', { Ref: id })).toEqual(found);
      expect(found[0]).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
      const metrics = found[0]!.Metrics as { Id: string; Expression?: string; MetricStat?: object }[];
      expect(metrics.find((m) => m.Expression)).toMatchObject({ Expression: 'errors + throttles' });
      for (const stat of metrics.filter((m) => m.MetricStat))
        expect(stat.MetricStat).toMatchObject({ Period: 300, Stat: 'Sum' });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        METRICS_NAMESPACE: 'Test',
        METRICS_PER_ACCOUNT: 'true',
      });
    }
  });

  it('alarms when any dead-letter queue or the stream-failure queue holds a message, and not on work queues', () => {
    for (const path of DEAD_LETTER_QUEUES) {
      const found = alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', {
        'Fn::GetAtt': [logicalId(path), 'QueueName'],
      });
      expect(found, path).toHaveLength(1);
      expect(found[0]).toMatchObject({ Threshold: 1, Statistic: 'Maximum' });
    }
    for (const path of WORK_QUEUES) {
      expect(
        alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', {
          'Fn::GetAtt': [logicalId(path), 'QueueName'],
        }),
        path,
      ).toEqual([]);
    }
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(
      DEAD_LETTER_QUEUES.length,
    );
  });

  it("alarms on both stream consumers' iterator age at the configured threshold", () => {
    for (const path of ['EventPipeline/StreamHandler', 'Deleter/Function']) {
      const found = alarmsOn('IteratorAge', 'FunctionName', { Ref: logicalId(path) });
      expect(found, path).toHaveLength(1);
      expect(found[0]).toMatchObject({ Threshold: 120_000, Statistic: 'Maximum' });
    }
  });

  it('alarms on the API 5xx rate, PutEvents failures, KMS throttling and WAF blocks', () => {
    const rate = alarms.find((a) =>
      a.Metrics?.some((m: { Expression?: string }) => m.Expression?.includes('100 * (errors')),
    );
    expect(rate).toMatchObject({ Threshold: 1, EvaluationPeriods: 2 });
    expect(JSON.stringify(rate!.Metrics)).toContain('"MetricName":"5XXError"');
    // 501s (Twilio paths this service does not implement) are a client's choice, not a fault: left out.
    expect(rate!.Metrics[0].Expression).toBe(
      'IF(requests >= 20, 100 * (errors - FILL(notImplemented, 0)) / requests, 0)',
    );
    const notImplemented = rate!.Metrics.find((m: { Id: string }) => m.Id === 'notImplemented');
    expect(notImplemented.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'Test',
        MetricName: 'NotImplementedRequests',
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      },
      Stat: 'Sum',
    });
    const own = (name: string) => alarms.filter((a) => a.MetricName === name && a.Namespace === 'Test');
    expect(own('EventsPublishFailed')).toEqual([expect.objectContaining({ Threshold: 1, Statistic: 'Sum' })]);
    expect(own('KMSThrottles')).toEqual([expect.objectContaining({ Threshold: 1, Statistic: 'Sum' })]);
    const waf = alarms.filter((a) => a.Namespace === 'AWS/WAFV2');
    expect(waf).toEqual([
      expect.objectContaining({ MetricName: 'BlockedRequests', Threshold: 1000, Statistic: 'Sum' }),
    ]);
    expect(waf[0]!.Dimensions).toContainEqual({ Name: 'WebACL', Value: 'Test-Api' });
  });

  it('has a dashboard with the API, security, business and pipeline metrics', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      '5XXError',
      'Latency',
      'AuthFailures',
      'Lockouts',
      'WrongCodes',
      'BadPushSignatures',
      'ThrottledRequests',
      'BlockedRequests',
      'ChallengesCreated',
      'ChallengesExpired',
      'NotificationsFailed',
      'WebhookDeliveriesFailed',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
      'EventsPublishFailed',
      'KMSThrottles',
      'account_sid',
    ]) {
      expect(body, text).toContain(text);
    }
  });
});

describe('Monitoring of what is added later', () => {
  it('covers a function and a dead-letter queue created after it, and subscribes nobody without alarmEmail', () => {
    const small = new Stack(new App(), 'Small');
    const api = new RestApi(small, 'Api');
    api.root.addMethod('GET', new MockIntegration());
    new Monitoring(small, 'Monitoring', { api });
    // As a later change would: a new function, a queue with a dead-letter queue.
    const fn = new LambdaFunction(small, 'Sweeper', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler=()=>{}'),
    });
    const dlq = new Queue(small, 'SweeperDlq');
    new Queue(small, 'SweeperQueue', {
      deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
      visibilityTimeout: Duration.seconds(30),
    });
    const t = Template.fromStack(small);
    const id = (c: IConstruct) => small.getLogicalId(c.node.defaultChild as CfnElement);
    for (const metricName of ['Errors', 'Throttles']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: {
                MetricName: metricName,
                Namespace: 'AWS/Lambda',
                Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn) } }],
              },
            }),
          }),
        ]),
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(dlq), 'QueueName'] } }],
    });
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    // No web ACL given: no WAF alarm.
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).not.toContain('AWS/WAFV2');
  });
});
