import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  ResourceBase,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FALLBACK_HANDLER, ROUTES } from '../../shared/http/routes';
import { TABLE } from '../../shared/store/table';
import { ApiFunction } from './api-function';
import { Deleter } from './deleter';
import { EventPipeline } from './event-pipeline';

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
}

/** A Twilio-shaped error body. `message` is a JSON value: a quoted string, or a VTL variable holding one. */
const errorBody = (code: number, status: number, message: string) =>
  `{"code":${code},"message":${message},"more_info":"https://www.twilio.com/docs/errors/${code}","status":${status}}`;

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
    });

    const eventBus = new EventBus(this, 'Events');

    const secretsKey = new Key(this, 'SecretsKey', {
      description: 'Wraps the data keys that encrypt TOTP secrets',
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
        stageName: 'prod',
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: logRetention }),
        ),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const allowedOrigins = props.allowedOrigins?.length ? props.allowedOrigins : ['*'];
    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      ALLOWED_ORIGINS: allowedOrigins.join(','),
    };
    if (props.publicBaseUrl) environment.PUBLIC_BASE_URL = props.publicBaseUrl;
    if (props.challengeRetentionDays)
      environment.CHALLENGE_RETENTION_DAYS = String(props.challengeRetentionDays);

    for (const route of ROUTES) {
      const fn = new ApiFunction(this, route.name, {
        module: route.handler,
        logRetention,
        environment: route.secrets ? { ...environment, KMS_KEY_ID: secretsKey.keyArn } : environment,
      });
      if (route.method === 'GET') table.grantReadData(fn);
      else table.grantReadWriteData(fn);
      if (route.secrets) secretsKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
      api.root.resourceForPath(route.path).addMethod(route.method, new LambdaIntegration(fn));
    }

    // Every resource answers the methods no route serves with our JSON 405 (API Gateway prefers a
    // resource's explicit methods over ANY).
    // It also answers CORS preflights (OPTIONS), with the same CORS code as every route.
    const fallback = new ApiFunction(this, 'Fallback', {
      module: FALLBACK_HANDLER,
      logRetention,
      environment: { ALLOWED_ORIGINS: environment.ALLOWED_ORIGINS! },
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

    const events = new EventPipeline(this, 'EventPipeline', {
      table,
      eventBus,
      logRetention,
      includePii: props.eventsIncludePii,
    });

    // Finishes the deletions of services and entities that a DELETE request left unfinished.
    new Deleter(this, 'Deleter', { table, logRetention, onFailure: events.streamFailures });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: eventBus.eventBusArn });
    new CfnOutput(this, 'KmsKeyArn', { value: secretsKey.keyArn });
    new CfnOutput(this, 'BillingQueueUrl', { value: events.billingQueue.queueUrl });
    new CfnOutput(this, 'StreamFailuresQueueUrl', { value: events.streamFailures.queueUrl });
  }
}
