import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResourceBase,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FALLBACK_HANDLER, ROUTES, usesSecretsKey } from '../../shared/http/routes';
import { NOT_IMPLEMENTED } from '../../shared/http/not-implemented';
import { DEFAULT_CHALLENGE_RETENTION_DAYS, toEnvironment } from '../../shared/config';
import { TABLE } from '../../shared/store/table';
import { grantAccess } from './access';
import { ApiFirewall } from './api-firewall';
import { ApiFunction } from './api-function';
import { Deleter } from './deleter';
import { EventPipeline } from './event-pipeline';
import { ExpirySweeper } from './expiry-sweeper';
import { Monitoring, type AlarmThresholds } from './monitoring';
import { PushSender } from './push-sender';
import { Webhooks } from './webhooks';

export interface VerifyStackProps extends StackProps {
  /** Base of the URLs in responses (e.g. a custom domain); by default each handler derives it from the request. */
  publicBaseUrl?: string;
  /** Browser origins allowed to call the API (CORS); `*`, the default, allows any origin without credentials. */
  allowedOrigins?: string[];
  /** How long function and access logs are kept. Default: 30 days. */
  logRetentionDays?: RetentionDays;
  /** Whether published events carry identities, details and metadata (as Twilio's webhooks do). Default: true. */
  eventsIncludePii?: boolean;
  /** Days an answered or expired challenge stays readable before DynamoDB's TTL purges it. Default: 30. */
  challengeRetentionDays?: number;
  /** The stage's steady request rate, per second, across all clients. Default: 1,000. */
  throttleRateLimit?: number;
  /** The stage's burst: requests beyond the steady rate it absorbs at once. Default: 2,000. */
  throttleBurstLimit?: number;
  /** Whether an AWS WAF web ACL guards the stage with a rate limit per client IP. Default: true. */
  waf?: boolean;
  /** Requests one client IP address may send per 5-minute window before WAF answers 429. Default: 10,000. */
  wafRateLimit?: number;
  /** How long a webhook delivery is retried before its dead-letter queue, in seconds. Default: 86,400 (24 h). */
  webhookRetryWindowSeconds?: number;
  /** Where alarm notifications are emailed (an SNS email subscription to confirm). Default: none. */
  alarmEmail?: string;
  /** Alarm thresholds (infra/cdk/monitoring.ts has the defaults). */
  alarmThresholds?: Partial<AlarmThresholds>;
  /** Whether metrics are also published per account (a CloudWatch metric per account and name). Default: true. */
  metricsPerAccount?: boolean;
}

/**
 * The stage throttle is the ceiling for everyone together, the WAF limit for one address (README, "Deploying
 * to AWS"). 1,000 requests per second carries real traffic with room to spare (a login is a few requests) and
 * stays well below API Gateway's regional account limit (10,000/s) and what the default Lambda concurrency
 * (1,000) serves at these functions' short durations. 10,000 requests per 5 minutes (about 33/s) lets a busy
 * backend poll from one address, while it takes 30 addresses at that cap to fill the stage throttle.
 */
export const DEFAULT_LIMITS = {
  throttleRateLimit: 1_000,
  throttleBurstLimit: 2_000,
  wafRateLimit: 10_000,
} as const;

const STAGE = 'prod';

/** A Twilio-shaped error body. `message` is a JSON value: a quoted string, or a VTL variable holding one. */
const errorBody = (code: number, status: number, message: string) =>
  `{"code":${code},"message":${message},"more_info":"https://www.twilio.com/docs/errors/${code}","status":${status}}`;

/** What cdk-nag's AwsSolutions checks find on the REST API that this design answers otherwise. */
function acknowledgeApiFindings(api: RestApi) {
  Validations.of(api).acknowledge(
    {
      id: 'AwsSolutions-APIG2',
      reason:
        'Every handler validates its own parameters: the bodies are form-encoded, which API Gateway ' +
        'request models (JSON Schema) cannot describe, and invalid parameters must be answered with ' +
        "Twilio's error codes (e.g. 60200), which API Gateway's validator cannot produce.",
    },
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Every route authenticates in its function, with Twilio credentials over HTTP Basic (auth token, ' +
        'API key, push device JWT or enrollment token; shared/http/auth), tested there; an authorizer ' +
        'would repeat that check at extra latency and cost. The ANY methods only answer 404/405 and CORS ' +
        'preflights, touching no data.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are Twilio-compatible clients holding Twilio credentials (HTTP Basic), not Cognito users; ' +
        'authentication is in the functions (see AwsSolutions-APIG4).',
    },
  );
  Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-wide logging role (cloudWatchRole) has the AWS managed policy API Gateway " +
      'documents for it: it creates and writes the execution and access log groups of any API in the ' +
      'account and region, so it cannot be scoped to this stack.',
  });
}

export class VerifyStack extends Stack {
  constructor(scope: Construct, id: string, props: VerifyStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetentionDays ?? RetentionDays.ONE_MONTH;

    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      stream: StreamViewType[TABLE.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Retain keeps the table when the stack goes; this also refuses a DeleteTable from anyone.
      deletionProtection: true,
    });
    const { expiryIndex } = TABLE;
    table.addGlobalSecondaryIndex({
      indexName: expiryIndex.name,
      partitionKey: { name: expiryIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: expiryIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...expiryIndex.nonKeyAttributes],
    });

    const eventBus = new EventBus(this, 'Events');

    const secretsKey = new Key(this, 'SecretsKey', {
      description: 'Wraps the data keys that encrypt TOTP secrets, push credentials and auth tokens',
      alias: 'alias/verify-push-totp-secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const api = new RestApi(this, 'Api', {
      restApiName: id,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Access logging needs the account-wide API Gateway role this creates.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE,
        throttlingRateLimit: props.throttleRateLimit ?? DEFAULT_LIMITS.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit ?? DEFAULT_LIMITS.throttleBurstLimit,
        tracingEnabled: true,
        // Execution logs for what fails inside API Gateway (e.g. an integration error); never bodies.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: logRetention }),
        ),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    // API Gateway would create the execution log group itself, without a retention; made first, it has one.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${STAGE}`,
      retention: logRetention,
    });
    api.deploymentStage.node.addDependency(executionLogs);
    acknowledgeApiFindings(api);

    const allowedOrigins = props.allowedOrigins?.length ? props.allowedOrigins : ['*'];
    // Variable names come from the one configuration module the functions parse them with.
    const environment = toEnvironment({
      tableName: table.tableName,
      allowedOrigins,
      publicBaseUrl: props.publicBaseUrl,
      challengeRetentionDays: props.challengeRetentionDays,
    });

    for (const route of ROUTES) {
      const fn = new ApiFunction(this, route.name, {
        module: route.handler,
        logRetention,
        environment: usesSecretsKey(route)
          ? { ...environment, ...toEnvironment({ kmsKeyId: secretsKey.keyArn }) }
          : environment,
      });
      grantAccess(fn, route.access, table, secretsKey);
      api.root.resourceForPath(route.path).addMethod(route.method, new LambdaIntegration(fn));
    }

    // Twilio Verify paths this service does not implement get resources too, so that the fallback answers
    // them with 501 (20501) rather than API Gateway with the 404 of an unknown path.
    for (const { path } of NOT_IMPLEMENTED) api.root.resourceForPath(path);

    // Every resource answers the methods no route serves with our JSON 405 (API Gateway prefers a
    // resource's explicit methods over ANY).
    // It also answers CORS preflights (OPTIONS), with the same CORS code as every route.
    const fallback = new ApiFunction(this, 'Fallback', {
      module: FALLBACK_HANDLER,
      logRetention,
      environment: toEnvironment({ allowedOrigins }),
    });
    // One API-wide invoke permission instead of two per ANY method.
    const fallbackIntegration = new LambdaIntegration(fallback, { scopePermissionToMethod: false });
    for (const resource of api.root.node.findAll().filter((node) => node instanceof ResourceBase)) {
      resource.addMethod('ANY', fallbackIntegration);
    }

    // Paths no resource matches never reach a function: API Gateway answers them itself.
    const responseHeaders = allowedOrigins.includes('*')
      ? { 'Access-Control-Allow-Origin': "'*'" }
      : undefined;
    api.addGatewayResponse('UnknownPath', {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders,
      templates: { 'application/json': errorBody(20404, 404, '"The requested resource was not found"') },
    });
    api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      responseHeaders,
      templates: { 'application/json': errorBody(20400, 400, '$context.error.messageString') },
    });
    api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders,
      templates: { 'application/json': errorBody(20500, 500, '$context.error.messageString') },
    });

    let firewall: ApiFirewall | undefined;
    if (props.waf ?? true) {
      firewall = new ApiFirewall(this, 'Firewall', {
        stage: api.deploymentStage,
        rateLimitPer5Minutes: props.wafRateLimit ?? DEFAULT_LIMITS.wafRateLimit,
        tooManyRequestsBody: errorBody(20429, 429, '"Too Many Requests"'),
        responseHeaders: allowedOrigins.includes('*') ? { 'Access-Control-Allow-Origin': '*' } : undefined,
      });
    } else {
      Validations.of(api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'The deployer left WAF out with waf=false (e.g. another firewall already filters in front of the ' +
          'API); the stage throttle still caps the request rate. Without this setting the stage has a web ACL.',
      });
    }

    const events = new EventPipeline(this, 'EventPipeline', {
      table,
      eventBus,
      logRetention,
      includePii: props.eventsIncludePii,
      // Events carry what challenges hold (identities, details): the archive keeps them no longer.
      archiveRetentionDays: props.challengeRetentionDays ?? DEFAULT_CHALLENGE_RETENTION_DAYS,
    });

    // Marks challenges expired within about a minute of their expiration date (TTL is the safety net).
    new ExpirySweeper(this, 'ExpirySweeper', { table, logRetention });

    // Finishes the deletions of services and entities that a DELETE request left unfinished.
    new Deleter(this, 'Deleter', { table, logRetention, onFailure: events.streamFailures });

    // Sends push challenges' notifications through APNs and FCM.
    const push = new PushSender(this, 'PushSender', { table, eventBus, secretsKey, logRetention });

    const webhooks = new Webhooks(this, 'Webhooks', {
      table,
      eventBus,
      secretsKey,
      logRetention,
      retryWindowSeconds: props.webhookRetryWindowSeconds,
    });

    // Alarms (to an SNS topic) and a dashboard; every function and dead-letter queue of the stack is found
    // and watched at synthesis, so what is added later is covered too.
    const monitoring = new Monitoring(this, 'Monitoring', {
      api,
      webAclMetricName: firewall?.metricName,
      alarmEmail: props.alarmEmail,
      thresholds: props.alarmThresholds,
      metricsPerAccount: props.metricsPerAccount,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: eventBus.eventBusArn });
    new CfnOutput(this, 'KmsKeyArn', { value: secretsKey.keyArn });
    new CfnOutput(this, 'BillingQueueUrl', { value: events.billingQueue.queueUrl });
    new CfnOutput(this, 'StreamFailuresQueueUrl', { value: events.streamFailures.queueUrl });
    new CfnOutput(this, 'PushDeadLettersQueueUrl', { value: push.deadLetters.queueUrl });
    new CfnOutput(this, 'WebhookDeadLettersQueueUrl', { value: webhooks.deadLetters.queueUrl });
  }
}
