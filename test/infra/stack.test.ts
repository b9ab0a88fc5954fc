import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { VerifyStack, type VerifyStackProps } from '../../infra/cdk/stack';
import { DELETER_FILTER_PATTERNS, STREAM_FILTER_PATTERNS } from '../../shared/events/filters';
import { ROUTES } from '../../shared/http/routes';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Synthesizes without esbuild: the tests look at the template, not the bundles. */
function synth(props?: VerifyStackProps) {
  const stack = new VerifyStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', props);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  /** The logical id of a construct's resource, by its path below the stack (e.g. `EventPipeline/BillingQueue`). */
  const logicalId = (path: string) => {
    const construct = path.split('/').reduce<IConstruct>((node, id) => node.node.findChild(id), stack);
    return stack.getLogicalId(construct.node.defaultChild as CfnElement);
  };
  return { stack, template, resources, logicalId };
}

const { template, resources, logicalId } = synth();
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const fn = (constructId: string) => resources[logicalId(constructId)]!.Properties;
const usesSecrets = (route: (typeof ROUTES)[number]) => route.secrets === true;
const STREAM_HANDLER = 'EventPipeline/StreamHandler';
const DELETER = 'Deleter/Function';
/** The functions behind the API: every function but the stream's consumers (the stream handler, the deleter). */
const apiFunctions = (all: Record<string, Resource>, ...consumerIds: string[]) =>
  Object.entries(all).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !consumerIds.includes(id));
const getAtt = (path: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId(path), attribute] });

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

/** Every statement of the function's role policies. */
function statementsOf(constructId: string): Statement[] {
  const roleId = fn(constructId).Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

/** Every statement of the queue policies of the queue with this logical id. */
const queueStatements = (queueId: string): Statement[] =>
  ofType('AWS::SQS::QueuePolicy')
    .filter(([, policy]) => policy.Properties.Queues.some((queue: { Ref: string }) => queue.Ref === queueId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);

/** Every action the function's role may take. */
const actionsOf = (constructId: string): string[] =>
  statementsOf(constructId).flatMap((statement) => [statement.Action].flat());

/** Full path of each API Gateway resource (root included) by its logical id, or by its `Fn::GetAtt` for root. */
function resourcePaths(): Map<string, string> {
  const paths = new Map<string, string>();
  const parts = new Map(ofType('AWS::ApiGateway::Resource').map(([id, r]) => [id, r.Properties]));
  const pathOf = (ref: { Ref?: string }): string => {
    if (!ref.Ref) return '';
    const { ParentId, PathPart } = parts.get(ref.Ref)!;
    return `${pathOf(ParentId)}/${PathPart}`;
  };
  for (const id of parts.keys()) paths.set(id, pathOf({ Ref: id }));
  return paths;
}

function methods() {
  const paths = resourcePaths();
  return ofType('AWS::ApiGateway::Method').map(([, method]) => ({
    httpMethod: method.Properties.HttpMethod as string,
    path: method.Properties.ResourceId.Ref ? paths.get(method.Properties.ResourceId.Ref)! : '/',
    target: JSON.stringify(method.Properties.Integration.Uri),
    integrationType: method.Properties.Integration.Type as string,
  }));
}

describe('VerifyStack', () => {
  it('has one ARM Node.js 22 function per route, the fallback, the stream handler and the deleter', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ROUTES.length + 3);
    for (const [id, { Properties }] of functions) {
      expect(Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: [logicalId(STREAM_HANDLER), logicalId(DELETER)].includes(id) ? 60 : 10,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it('builds the single table from the shared definition', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('has a rotating KMS key with its alias and an event bus', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/verify-push-totp-secrets' });
    template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it('serves every route with its own function', () => {
    const all = methods();
    for (const route of ROUTES) {
      const served = all.filter((m) => m.httpMethod === route.method && m.path === route.path);
      expect(served, `${route.method} ${route.path}`).toHaveLength(1);
      expect(served[0]!.target).toContain(`"${logicalId(route.name)}"`);
      expect(served[0]!.integrationType).toBe('AWS_PROXY');
    }
  });

  it('sends every other method of every resource, root included, to the fallback', () => {
    const expectedPaths = new Set(['/']);
    for (const route of ROUTES) {
      const segments = route.path.split('/').slice(1);
      segments.forEach((_, i) => expectedPaths.add(`/${segments.slice(0, i + 1).join('/')}`));
    }
    const any = methods().filter((m) => m.httpMethod === 'ANY');
    expect(new Set(any.map((m) => m.path))).toEqual(expectedPaths);
    expect(any).toHaveLength(expectedPaths.size);
    for (const method of any) expect(method.target).toContain(`"${logicalId('Fallback')}"`);
    expect(methods()).toHaveLength(ROUTES.length + expectedPaths.size);
  });

  it('answers unknown paths and API Gateway errors with Twilio-shaped JSON', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: {
        'application/json':
          '{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}',
      },
    });
    for (const [type, code] of [
      ['DEFAULT_4XX', 20400],
      ['DEFAULT_5XX', 20500],
    ] as const) {
      const responses = ofType('AWS::ApiGateway::GatewayResponse').filter(
        ([, response]) => response.Properties.ResponseType === type,
      );
      expect(responses).toHaveLength(1);
      const body = responses[0]![1].Properties.ResponseTemplates['application/json'] as string;
      expect(body).toContain('$context.error.messageString');
      const parsed = JSON.parse(body.replace('$context.error.messageString', '"Oops"'));
      expect(parsed).toMatchObject({
        code,
        message: 'Oops',
        more_info: `https://www.twilio.com/docs/errors/${code}`,
      });
    }
  });

  it('deploys a throttled, access-logged, regional prod stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
      ],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives KMS access and KMS_KEY_ID only to the functions that seal or open TOTP secrets', () => {
    expect(ROUTES.filter(usesSecrets).map((route) => route.name)).toEqual([
      'CreateFactor',
      'UpdateFactor',
      'CreateChallenge',
      'UpdateChallenge',
    ]);
    for (const route of ROUTES) {
      const env = fn(route.name).Environment.Variables;
      expect(env.TABLE_NAME, route.name).toEqual({ Ref: logicalId('Table') });
      const kms = actionsOf(route.name).filter((action) => action.startsWith('kms:'));
      if (usesSecrets(route)) {
        expect(env.KMS_KEY_ID, route.name).toEqual({ 'Fn::GetAtt': [logicalId('SecretsKey'), 'Arn'] });
        expect(kms.sort(), route.name).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      } else {
        expect(env.KMS_KEY_ID, route.name).toBeUndefined();
        expect(kms, route.name).toEqual([]);
      }
    }
  });

  it('lets GET functions only read the table', () => {
    for (const route of ROUTES) {
      const actions = actionsOf(route.name);
      expect(actions, route.name).toContain('dynamodb:GetItem');
      for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
        if (route.method === 'GET') expect(actions, route.name).not.toContain(write);
        else expect(actions, route.name).toContain(write);
      }
    }
  });

  it('gives the fallback neither table nor key', () => {
    expect(fn('Fallback').Environment.Variables).toEqual({ ALLOWED_ORIGINS: '*' });
    expect(actionsOf('Fallback').filter((a) => a.startsWith('dynamodb:') || a.startsWith('kms:'))).toEqual(
      [],
    );
  });

  it('logs every function to its own log group with a retention', () => {
    const logGroups = Object.fromEntries(ofType('AWS::Logs::LogGroup'));
    for (const [id, { Properties }] of ofType('AWS::Lambda::Function')) {
      const logGroupId = Properties.LoggingConfig?.LogGroup?.Ref as string;
      expect(logGroups[logGroupId]?.Properties.RetentionInDays, id).toBe(30);
    }
    // One per function (routes, fallback, stream handler, deleter) plus the API's access logs.
    expect(ofType('AWS::Logs::LogGroup')).toHaveLength(ROUTES.length + 4);
    expect(ofType('Custom::LogRetention')).toHaveLength(0);
  });

  it('outputs what a deployment needs', () => {
    for (const name of ['ApiUrl', 'TableName', 'EventBusName', 'KmsKeyArn']) template.hasOutput(name, {});
    template.hasOutput('KmsKeyArn', { Value: getAtt('SecretsKey') });
    template.hasOutput('EventBusName', { Value: { Ref: logicalId('Events') } });
    template.hasOutput('EventBusArn', { Value: getAtt('Events') });
    template.hasOutput('BillingQueueUrl', { Value: { Ref: logicalId('EventPipeline/BillingQueue') } });
    template.hasOutput('StreamFailuresQueueUrl', {
      Value: { Ref: logicalId('EventPipeline/StreamFailures') },
    });
  });

  it("configures CORS origins on every API function and on API Gateway's own errors", () => {
    for (const [, { Properties }] of apiFunctions(resources, logicalId(STREAM_HANDLER), logicalId(DELETER))) {
      expect(Properties.Environment.Variables.ALLOWED_ORIGINS).toBe('*');
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    });
    const listed = synth({ allowedOrigins: ['https://app.example', 'https://admin.example'] });
    for (const [, { Properties }] of apiFunctions(
      listed.resources,
      listed.logicalId(STREAM_HANDLER),
      listed.logicalId(DELETER),
    )) {
      expect(Properties.Environment.Variables.ALLOWED_ORIGINS).toBe(
        'https://app.example,https://admin.example',
      );
    }
    listed.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      ResponseParameters: Match.absent(),
    });
  });

  it('passes PUBLIC_BASE_URL, the retentions and the PII setting through when given', () => {
    expect(fn(ROUTES[0]!.name).Environment.Variables.PUBLIC_BASE_URL).toBeUndefined();
    expect(fn(ROUTES[0]!.name).Environment.Variables.CHALLENGE_RETENTION_DAYS).toBeUndefined();
    const custom = synth({
      publicBaseUrl: 'https://verify.example.com',
      logRetentionDays: RetentionDays.THREE_MONTHS,
      eventsIncludePii: false,
      challengeRetentionDays: 7,
    });
    const envOf = (path: string) =>
      custom.resources[custom.logicalId(path)]!.Properties.Environment.Variables;
    for (const route of ROUTES) {
      expect(envOf(route.name).PUBLIC_BASE_URL).toBe('https://verify.example.com');
      expect(envOf(route.name).CHALLENGE_RETENTION_DAYS).toBe('7');
    }
    custom.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(envOf(STREAM_HANDLER).EVENTS_INCLUDE_PII).toBe('false');
  });
});

describe('VerifyStack event pipeline', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping');
  const mappingOf = (constructId: string) =>
    mappings.find(([, m]) => m.Properties.FunctionName.Ref === logicalId(constructId))![1].Properties;
  const mapping = () => mappingOf(STREAM_HANDLER);

  it('feeds the table stream to the stream handler with bounded retries and a failure queue', () => {
    expect(mappings).toHaveLength(2);
    expect(mapping()).toMatchObject({
      FunctionName: { Ref: logicalId(STREAM_HANDLER) },
      EventSourceArn: getAtt('Table', 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 21600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: getAtt('EventPipeline/StreamFailures') } },
    });
  });

  it('lets through only the stream records the shared filter patterns select', () => {
    const filters = mapping().FilterCriteria.Filters as { Pattern: string }[];
    expect(filters).toEqual(STREAM_FILTER_PATTERNS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })));
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual(STREAM_FILTER_PATTERNS);
    // Lambda's limits: 5 filters per mapping by default, 4,096 characters per pattern.
    expect(filters.length).toBeLessThanOrEqual(5);
    for (const filter of filters) expect(filter.Pattern.length).toBeLessThanOrEqual(4096);
    // Only DynamoDB's own TTL deletes of expiry timers reach the handler, not a user's delete.
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toContainEqual({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
      dynamodb: { Keys: { sk: { S: [{ prefix: 'TIMER#' }] } } },
    });
  });

  it('gives the stream handler the bus and the table name, and no more than it needs', () => {
    expect(fn(STREAM_HANDLER).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId('Table') },
      EVENT_BUS_NAME: { Ref: logicalId('Events') },
      EVENTS_INCLUDE_PII: 'true',
    });
    const statements = statementsOf(STREAM_HANDLER);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: getAtt('Events'),
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: [getAtt('Table')],
    });
    const actions = actionsOf(STREAM_HANDLER);
    for (const action of [
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:GetItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(actions).not.toContain(action);
    }
    // Writing timers and expiries on the table; the rest is what reading the stream takes.
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it('routes billing events to the billing queue, with retries and a dead-letter queue for the target', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId('Events') },
      EventPattern: { source: ['verify-push-totp'], 'detail-type': ['billing.verification'] },
      State: 'ENABLED',
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: getAtt('EventPipeline/BillingQueue'),
          DeadLetterConfig: { Arn: getAtt('EventPipeline/BillingTargetDlq') },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        },
      ],
    });
    // EventBridge may write to both queues, and only on behalf of this rule.
    for (const queue of ['EventPipeline/BillingQueue', 'EventPipeline/BillingTargetDlq']) {
      const grants = queueStatements(logicalId(queue)).filter(
        (statement) =>
          statement.Effect === 'Allow' &&
          [statement.Action].flat().includes('sqs:SendMessage') &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ ArnEquals: { 'aws:SourceArn': getAtt('EventPipeline/BillingRule') } }),
      );
      expect(
        grants.map((statement) => statement.Principal),
        queue,
      ).toEqual([{ Service: 'events.amazonaws.com' }]);
    }
  });

  it('moves billing messages that keep failing to their own dead-letter queue', () => {
    expect(resources[logicalId('EventPipeline/BillingQueue')]!.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('EventPipeline/BillingQueueDlq'),
      maxReceiveCount: 5,
    });
  });

  it('archives every event of the service for 90 days', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt('Events'),
      EventPattern: { source: ['verify-push-totp'] },
      RetentionDays: 90,
      // An empty KmsKeyIdentifier (what the construct writes) fails to deploy in some regions.
      KmsKeyIdentifier: Match.absent(),
    });
  });

  it('encrypts every queue, keeps messages 14 days and refuses requests without TLS', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      ['BillingQueue', 'BillingQueueDlq', 'BillingTargetDlq', 'StreamFailures']
        .map((name) => logicalId(`EventPipeline/${name}`))
        .sort(),
    );
    for (const [id, { Properties }] of queues) {
      expect(Properties, id).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      expect(queueStatements(id), id).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { 'Fn::GetAtt': [id, 'Arn'] },
      });
    }
  });
});

describe('VerifyStack deleter', () => {
  const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
    ([, m]) => m.Properties.FunctionName.Ref === logicalId(DELETER),
  )?.[1].Properties;

  it('feeds the marked services and entities of the table stream to the deleter, one batch per shard at a time', () => {
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt('Table', 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: getAtt('EventPipeline/StreamFailures') } },
    });
    const filters = mapping!.FilterCriteria.Filters as { Pattern: string }[];
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual(DELETER_FILTER_PATTERNS);
  });

  it('lets the deleter read, query and delete on the table, and nothing else', () => {
    expect(fn(DELETER).Environment.Variables).toEqual({ TABLE_NAME: { Ref: logicalId('Table') } });
    const actions = actionsOf(DELETER);
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((action) => action.startsWith('kms:') || action.startsWith('events:'))).toEqual([]);
  });
});
