import { App, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { VerifyStack, type VerifyStackProps } from '../../infra/cdk/stack';
import { DELETER_FILTER_PATTERNS, STREAM_FILTER_PATTERNS } from '../../shared/events/filters';
import { ROUTES, usesSecretsKey } from '../../shared/http/routes';
import { NOT_IMPLEMENTED } from '../../shared/http/not-implemented';
import { Keys } from '../../shared/store/keys';
import { TABLE } from '../../shared/store/table';

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

const { stack, template, resources, logicalId } = synth();
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const fn = (constructId: string) => resources[logicalId(constructId)]!.Properties;
const STREAM_HANDLER = 'EventPipeline/StreamHandler';
/** What the monitoring sets on every function (test/infra/monitoring.test.ts). */
const METRICS_ENV = { METRICS_NAMESPACE: 'Test', METRICS_PER_ACCOUNT: 'true' };
const DELETER = 'Deleter/Function';
const SWEEPER = 'ExpirySweeper/Function';
const SENDER = 'PushSender/Function';
const DISPATCHER = 'Webhooks/Dispatcher';
const DELIVERY = 'Webhooks/Delivery';
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
  it('has one ARM Node.js 22 function per route, the fallback, the stream handler, the deleter, the expiry sweeper, the push sender and the webhook dispatcher and delivery', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ROUTES.length + 7);
    const timeouts: Record<string, number> = {
      [logicalId(STREAM_HANDLER)]: 60,
      [logicalId(DELETER)]: 60,
      [logicalId(SWEEPER)]: 50,
      [logicalId(SENDER)]: 20,
      [logicalId(DISPATCHER)]: 20,
      [logicalId(DELIVERY)]: 30,
    };
    for (const [id, { Properties }] of functions) {
      expect(Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: timeouts[id] ?? 10,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it("stays within CloudFormation's 500 resources per stack, with every optional part on", () => {
    // Each route costs about eight resources (function, role, policy, log group, API resource and method,
    // permissions, alarm): the margin says how many more fit before the stack must be split.
    const full = synth({ waf: true, alarmEmail: 'ops@example.com' });
    const count = Object.keys(full.resources).length;
    expect(count).toBeLessThanOrEqual(480);
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
          { AttributeName: 'expiryBucket', AttributeType: 'S' },
          { AttributeName: 'expirationDate', AttributeType: 'S' },
        ],
        // The sparse expiry index, as DynamoDB Local gets it (createTableInput).
        GlobalSecondaryIndexes: [
          {
            IndexName: 'expiry',
            KeySchema: [
              { AttributeName: 'expiryBucket', KeyType: 'HASH' },
              { AttributeName: 'expirationDate', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['accountSid', 'serviceSid', 'identity', 'sid'],
            },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('keeps the table, the KMS key and every log group when the stack is destroyed, not the alias (README, Operations notes)', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      const resources = Object.entries(template.findResources(type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of resources) expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
    }
    for (const alias of Object.values(template.findResources('AWS::KMS::Alias')))
      expect(alias.DeletionPolicy).toBeUndefined();
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
    // The Twilio Verify paths this service does not implement are resources too, for the fallback's 501.
    for (const route of [...ROUTES, ...NOT_IMPLEMENTED]) {
      const segments = route.path.split('/').slice(1);
      segments.forEach((_, i) => expectedPaths.add(`/${segments.slice(0, i + 1).join('/')}`));
    }
    const any = methods().filter((m) => m.httpMethod === 'ANY');
    expect(new Set(any.map((m) => m.path))).toEqual(expectedPaths);
    expect(any).toHaveLength(expectedPaths.size);
    for (const method of any) expect(method.target).toContain(`"${logicalId('Fallback')}"`);
    expect(methods()).toHaveLength(ROUTES.length + expectedPaths.size);
  });

  it('has at most one variable path part among the children of each resource, as API Gateway requires', () => {
    const resources = ofType('AWS::ApiGateway::Resource').map(([, r]) => r.Properties);
    const variables = new Map<string, string[]>();
    for (const { ParentId, PathPart } of resources) {
      if (!/^\{.+\}$/.test(PathPart)) continue;
      const parent = JSON.stringify(ParentId);
      variables.set(parent, [...(variables.get(parent) ?? []), PathPart]);
    }
    for (const parts of variables.values()) expect(parts).toHaveLength(1);
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
          ThrottlingRateLimit: 1000,
          ThrottlingBurstLimit: 2000,
        }),
      ],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('sizes the stage throttle from the settings', () => {
    const custom = synth({ throttleRateLimit: 250, throttleBurstLimit: 500, waf: false });
    custom.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 250,
          ThrottlingBurstLimit: 500,
        }),
      ],
    });
  });

  describe('AWS WAF', () => {
    const webAcls = ofType('AWS::WAFv2::WebACL');
    const acl = () => webAcls[0]![1].Properties;

    it('guards the stage with a regional web ACL', () => {
      expect(webAcls).toHaveLength(1);
      expect(acl()).toMatchObject({
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: {
          CloudWatchMetricsEnabled: true,
          SampledRequestsEnabled: true,
          MetricName: 'Test-Api',
        },
      });
      const associations = ofType('AWS::WAFv2::WebACLAssociation');
      expect(associations).toHaveLength(1);
      const association = associations[0]![1].Properties;
      expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [webAcls[0]![0], 'Arn'] });
      const stageId = ofType('AWS::ApiGateway::Stage')[0]![0];
      expect(association.ResourceArn).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            '::/restapis/',
            { Ref: logicalId('Api') },
            '/stages/',
            { Ref: stageId },
          ],
        ],
      });
    });

    it('answers more than 10,000 requests per 5 minutes from one IP address with a Twilio-shaped 429', () => {
      // One rule, and no managed rule group whose body rules would block legitimate form bodies.
      expect(acl().Rules).toHaveLength(1);
      const [rule] = acl().Rules;
      expect(rule).toMatchObject({
        Name: 'RateLimitPerIp',
        Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 10000, EvaluationWindowSec: 300 } },
        Action: {
          Block: {
            CustomResponse: {
              ResponseCode: 429,
              CustomResponseBodyKey: 'TooManyRequests',
              ResponseHeaders: [{ Name: 'Access-Control-Allow-Origin', Value: '*' }],
            },
          },
        },
        VisibilityConfig: {
          CloudWatchMetricsEnabled: true,
          SampledRequestsEnabled: true,
          MetricName: 'Test-RateLimitPerIp',
        },
      });
      const body = acl().CustomResponseBodies.TooManyRequests;
      expect(body.ContentType).toBe('APPLICATION_JSON');
      expect(JSON.parse(body.Content)).toEqual({
        code: 20429,
        message: 'Too Many Requests',
        more_info: 'https://www.twilio.com/docs/errors/20429',
        status: 429,
      });
    });

    it('takes its limit from the settings, and can be left out', () => {
      const tuned = synth({ wafRateLimit: 2000, allowedOrigins: ['https://app.example'] });
      tuned.template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: [
          Match.objectLike({
            Statement: { RateBasedStatement: Match.objectLike({ Limit: 2000 }) },
            // A listed origin cannot be answered statically; as with API Gateway's own errors, no header.
            Action: { Block: { CustomResponse: Match.objectLike({ ResponseHeaders: Match.absent() }) } },
          }),
        ],
      });
      const without = synth({ waf: false });
      without.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      without.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    });
  });

  it('gives KMS_KEY_ID and the key only to the functions that seal or open secrets, as each one needs', () => {
    const kmsOf = (name: string) => actionsOf(name).filter((action) => action.startsWith('kms:'));
    // Creating a TOTP factor seals its secret; verifying a code opens it.
    expect(
      Object.fromEntries(ROUTES.filter(usesSecretsKey).map((route) => [route.name, kmsOf(route.name)])),
    ).toEqual({
      CreateFactor: ['kms:GenerateDataKey'],
      UpdateFactor: ['kms:Decrypt'],
      CreateChallenge: ['kms:Decrypt'],
      UpdateChallenge: ['kms:Decrypt'],
      // Push credentials are sealed when given, and opened only by the sender.
      CreatePushCredential: ['kms:GenerateDataKey'],
      UpdatePushCredential: ['kms:GenerateDataKey'],
    });
    expect(kmsOf(SENDER)).toEqual(['kms:Decrypt']);
    expect(fn(SENDER).Environment.Variables.KMS_KEY_ID).toEqual(getAtt('SecretsKey'));
    for (const route of ROUTES) {
      const env = fn(route.name).Environment.Variables;
      expect(env.TABLE_NAME, route.name).toEqual({ Ref: logicalId('Table') });
      if (usesSecretsKey(route)) {
        expect(env.KMS_KEY_ID, route.name).toEqual(getAtt('SecretsKey'));
      } else {
        expect(env.KMS_KEY_ID, route.name).toBeUndefined();
        expect(kmsOf(route.name), route.name).toEqual([]);
      }
    }
  });

  it('lets the key be used only under the encryption context of sealed secrets', () => {
    const kmsStatements = [...ROUTES.map((route) => route.name), SENDER].flatMap((name) =>
      statementsOf(name).filter((s) => [s.Action].flat().some((action) => action.startsWith('kms:'))),
    );
    expect(kmsStatements).toHaveLength(7);
    for (const statement of kmsStatements) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Resource: getAtt('SecretsKey'),
        Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'verify-totp-secret' } },
      });
    }
  });

  it('gives each function exactly the DynamoDB actions its route declares, on the table alone', () => {
    for (const route of ROUTES) {
      const statements = statementsOf(route.name).filter((s) =>
        [s.Action].flat().some((action) => action.startsWith('dynamodb:')),
      );
      expect(statements, route.name).toHaveLength(1);
      expect(statements[0]!.Resource, route.name).toEqual(getAtt('Table'));
      expect([statements[0]!.Action].flat().sort(), route.name).toEqual(
        route.access.table.map((action) => `dynamodb:${action}`).sort(),
      );
    }
  });

  it('keeps reads read-only, deletes to the delete routes, and Scan and wildcards to nobody', () => {
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'];
    for (const route of ROUTES) {
      const actions = actionsOf(route.name);
      // Every route authenticates, and that reads an item.
      expect(actions, route.name).toContain('dynamodb:GetItem');
      expect(actions, route.name).not.toContain('dynamodb:Scan');
      expect(
        actions.filter((action) => action.includes('*')),
        route.name,
      ).toEqual([]);
      if (route.method === 'GET') {
        for (const write of writes) expect(actions, route.name).not.toContain(`dynamodb:${write}`);
      }
      if (
        !['DeleteService', 'DeleteEntity', 'DeleteFactor', 'DeletePushCredential', 'DeleteWebhook'].includes(
          route.name,
        )
      ) {
        expect(actions, route.name).not.toContain('dynamodb:DeleteItem');
        expect(actions, route.name).not.toContain('dynamodb:BatchWriteItem');
      }
    }
    // A device's credential is read, then (unless cached) its service and entity in one batch.
    expect(actionsOf('FetchChallenge').filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
    ]);
    // Deletions resume from where they stopped: they mark progress and check what they delete.
    for (const name of ['DeleteService', 'DeleteEntity']) {
      expect(
        actionsOf(name)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
        name,
      ).toEqual([
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
    }
    // Creating and answering challenges, and verifying factors, are transactions that check the factor.
    for (const name of ['CreateChallenge', 'UpdateChallenge', 'UpdateFactor']) {
      expect(actionsOf(name), name).toContain('dynamodb:ConditionCheckItem');
    }
    expect(actionsOf('CreateChallenge')).toContain('dynamodb:BatchGetItem');
  });

  it('confines functions to the partitions they use, where they declare them', () => {
    // Every kind of partition a route may name is one the store's keys use.
    const ids = ['AC1', 'VA1', 'alice', 'YF1'] as const;
    const prefixes = new Set(
      Object.values(Keys).flatMap((key) => {
        const made = (key as (...args: string[]) => unknown)(...ids);
        const pk = typeof made === 'string' ? made : (made as { pk: string }).pk;
        return [pk.split('#')[0]!];
      }),
    );
    expect([...prefixes].sort()).toEqual([
      'ACCESSTOKEN',
      'ACCOUNT',
      'APIKEY',
      'CREDENTIAL',
      'ENTITY',
      'PASSKEY',
      'SERVICE',
    ]);
    const leadingKeys = (name: string) =>
      statementsOf(name).find((s) => [s.Action].flat()[0]!.startsWith('dynamodb:'))?.Condition;
    for (const route of ROUTES) {
      for (const kind of route.access.partitions ?? []) expect(prefixes, route.name).toContain(kind);
      expect(leadingKeys(route.name), route.name).toEqual(
        route.access.partitions && {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': route.access.partitions.map((kind) => `${kind}#*`),
          },
        },
      );
    }
    expect(statementsOf('FetchService')).toContainEqual({
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: getAtt('Table'),
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCOUNT#*', 'APIKEY#*'] } },
    });
    // Only the functions that reach nearly every kind of partition go without the condition.
    expect(ROUTES.filter((route) => !route.access.partitions).map((route) => route.name)).toEqual([
      'DeleteService',
      'DeleteEntity',
      'CreateFactor',
    ]);
  });

  it('gives the passkeys functions exactly their reads and writes, confined to their partitions, and no key', () => {
    const dynamo = (name: string) =>
      actionsOf(name)
        .filter((action) => action.startsWith('dynamodb:'))
        .sort();
    expect(
      Object.fromEntries(
        [
          'CreatePasskeyFactor',
          'VerifyPasskeyFactor',
          'CreatePasskeyChallenge',
          'ApprovePasskeyChallenge',
        ].map((name) => [name, dynamo(name)]),
      ),
    ).toEqual({
      CreatePasskeyFactor: [
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      VerifyPasskeyFactor: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      CreatePasskeyChallenge: [
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ],
      ApprovePasskeyChallenge: [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
    });
    for (const name of ['VerifyPasskeyFactor', 'ApprovePasskeyChallenge']) {
      // Answering never deletes, queries or reaches a service's partition (services are read by account).
      const condition = statementsOf(name).find((s) =>
        [s.Action].flat()[0]!.startsWith('dynamodb:'),
      )?.Condition;
      expect(condition).toEqual({
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': ['ACCOUNT#*', 'APIKEY#*', 'ENTITY#*', 'PASSKEY#*'],
        },
      });
      expect(actionsOf(name).filter((action) => action.startsWith('kms:'))).toEqual([]);
      expect(fn(name).Environment.Variables.KMS_KEY_ID).toBeUndefined();
    }
  });

  it('gives the fallback neither table nor key', () => {
    expect(fn('Fallback').Environment.Variables).toEqual({ ALLOWED_ORIGINS: '*', ...METRICS_ENV });
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
    // One per function (routes, fallback, stream handler, deleter, expiry sweeper, sender, webhook dispatcher
    // and delivery) plus the API's access and execution logs.
    expect(ofType('AWS::Logs::LogGroup')).toHaveLength(ROUTES.length + 9);
    expect(ofType('Custom::LogRetention')).toHaveLength(0);
  });

  it('lets each function write only to its own log group, with no AWS managed policy', () => {
    for (const [id, { Properties }] of ofType('AWS::Lambda::Function')) {
      const role = resources[Properties.Role['Fn::GetAtt'][0]]!;
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      const roleId = Properties.Role['Fn::GetAtt'][0];
      const statements = ofType('AWS::IAM::Policy')
        .filter(([, policy]) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
      const logs = statements.filter((statement) =>
        [statement.Action].flat().some((a) => a.startsWith('logs:')),
      );
      expect(logs, id).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
        },
      ]);
    }
  });

  it('allows a * resource only to actions that have no resource-level permissions', () => {
    const withoutResources = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'dynamodb:ListStreams',
    ]);
    const wildcards = ofType('AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => JSON.stringify(statement.Resource).includes('*'));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const statement of wildcards) {
      expect(statement.Resource).toBe('*');
      for (const action of [statement.Action].flat()) expect(withoutResources).toContain(action);
    }
    // ListStreams is the stream handler's alone.
    for (const route of ROUTES) expect(actionsOf(route.name)).not.toContain('dynamodb:ListStreams');
  });

  it('keeps API Gateway execution logs (errors only, never bodies) with a retention', () => {
    const [stageId, stage] = ofType('AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      }),
    ]);
    const executionLogs = logicalId('ExecutionLogs');
    expect(resources[executionLogs]!.Properties).toEqual({
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: logicalId('Api') }, '/prod']] },
      RetentionInDays: 30,
    });
    // Created before the stage, so that API Gateway never makes it first, without a retention.
    expect(template.toJSON().Resources[stageId].DependsOn).toContain(executionLogs);
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
    template.hasOutput('PushDeadLettersQueueUrl', { Value: { Ref: logicalId('PushSender/DeadLetters') } });
  });

  it("configures CORS origins on every API function and on API Gateway's own errors", () => {
    for (const [, { Properties }] of apiFunctions(
      resources,
      logicalId(STREAM_HANDLER),
      logicalId(DELETER),
      logicalId(SWEEPER),
      logicalId(SENDER),
      logicalId(DISPATCHER),
      logicalId(DELIVERY),
    )) {
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
      listed.logicalId(SWEEPER),
      listed.logicalId(SENDER),
      listed.logicalId(DISPATCHER),
      listed.logicalId(DELIVERY),
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
    // The stream handler, the deleter, the push sender, the webhook dispatcher and the webhook delivery.
    expect(mappings).toHaveLength(5);
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
      ...METRICS_ENV,
    });
    const statements = statementsOf(STREAM_HANDLER);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: getAtt('Events'),
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      Resource: getAtt('Table'),
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
      'dynamodb:ConditionCheckItem',
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
    template.resourceCountIs('AWS::Events::Rule', 4);
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

  it('archives every event of the service as long as challenges are kept (30 days by default)', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt('Events'),
      EventPattern: { source: ['verify-push-totp'] },
      RetentionDays: 30,
      // An empty KmsKeyIdentifier (what the construct writes) fails to deploy in some regions.
      KmsKeyIdentifier: Match.absent(),
    });
    synth({ challengeRetentionDays: 7 }).template.hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: 7,
    });
  });

  it('encrypts every queue, keeps messages 14 days (push requests an hour) and refuses requests without TLS', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      [
        ...['BillingQueue', 'BillingQueueDlq', 'BillingTargetDlq', 'StreamFailures'].map((name) =>
          logicalId(`EventPipeline/${name}`),
        ),
        ...['Queue', 'DeadLetters', 'RuleDeadLetters'].map((name) => logicalId(`PushSender/${name}`)),
        ...['EventsQueue', 'EventsDeadLetters', 'DeliveryQueue', 'DeadLetters', 'RuleDeadLetters'].map(
          (name) => logicalId(`Webhooks/${name}`),
        ),
      ].sort(),
    );
    for (const [id, { Properties }] of queues) {
      const retention = id === logicalId('PushSender/Queue') ? 3600 : 1209600;
      expect(Properties, id).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: retention });
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

describe('VerifyStack push sender', () => {
  it('routes notification requests from the bus to the push queue, with a dead-letter queue for the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId('Events') },
      EventPattern: { source: ['verify-push-totp'], 'detail-type': ['notification.requested'] },
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: getAtt('PushSender/Queue'),
          DeadLetterConfig: { Arn: getAtt('PushSender/RuleDeadLetters') },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
        },
      ],
    });
  });

  it('delivers each message at most 5 times, a minute apart, then moves it to the dead-letter queue', () => {
    expect(resources[logicalId('PushSender/Queue')]!.Properties).toMatchObject({
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: getAtt('PushSender/DeadLetters'), maxReceiveCount: 5 },
    });
    expect(fn(SENDER).Environment.Variables.PUSH_MAX_ATTEMPTS).toBe('5');
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => m.Properties.FunctionName.Ref === logicalId(SENDER),
    )![1].Properties;
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt('PushSender/Queue'),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the sender read what it sends, record dead tokens, open credentials and publish, and nothing else', () => {
    const dynamo = statementsOf(SENDER).find((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    )!;
    expect([dynamo.Action].flat().sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCOUNT#*', 'SERVICE#*', 'ENTITY#*'] },
    });
    const sqs = actionsOf(SENDER).filter((a) => a.startsWith('sqs:'));
    expect(sqs.sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    expect(actionsOf(SENDER)).toContain('events:PutEvents');
    expect(actionsOf(SENDER).filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt']);
    expect(fn(SENDER).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId('Table') },
      EVENT_BUS_NAME: { Ref: logicalId('Events') },
      KMS_KEY_ID: getAtt('SecretsKey'),
      PUSH_MAX_ATTEMPTS: '5',
      ...METRICS_ENV,
    });
  });
});

describe('VerifyStack webhooks', () => {
  it('routes the five webhook event types from the bus to the events queue, with a dead-letter queue for the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId('Events') },
      EventPattern: {
        source: ['verify-push-totp'],
        'detail-type': [
          'factor.created',
          'factor.verified',
          'factor.deleted',
          'challenge.approved',
          'challenge.denied',
        ],
      },
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: getAtt('Webhooks/EventsQueue'),
          DeadLetterConfig: { Arn: getAtt('Webhooks/RuleDeadLetters') },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        },
      ],
    });
  });

  it('feeds the events queue to the dispatcher and the delivery queue to the delivery, with partial batch failures and redrive', () => {
    const mappingOf = (id: string) =>
      ofType('AWS::Lambda::EventSourceMapping').find(
        ([, m]) => m.Properties.FunctionName.Ref === logicalId(id),
      )![1].Properties;
    expect(mappingOf(DISPATCHER)).toMatchObject({
      EventSourceArn: getAtt('Webhooks/EventsQueue'),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mappingOf(DELIVERY)).toMatchObject({
      EventSourceArn: getAtt('Webhooks/DeliveryQueue'),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resources[logicalId('Webhooks/DeliveryQueue')]!.Properties).toMatchObject({
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: getAtt('Webhooks/DeadLetters'), maxReceiveCount: 5 },
    });
    expect(resources[logicalId('Webhooks/EventsQueue')]!.Properties).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: getAtt('Webhooks/EventsDeadLetters'), maxReceiveCount: 5 },
    });
    template.hasOutput('WebhookDeadLettersQueueUrl', { Value: { Ref: logicalId('Webhooks/DeadLetters') } });
  });

  it('lets the dispatcher query service partitions and send to the delivery queue, and nothing else', () => {
    const statements = statementsOf(DISPATCHER);
    const dynamo = statements.find((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))!;
    expect(dynamo.Action).toEqual('dynamodb:Query');
    expect(dynamo.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SERVICE#*'] },
    });
    const send = statements.find((s) => [s.Action].flat().includes('sqs:SendMessage'))!;
    expect(send.Resource).toEqual(getAtt('Webhooks/DeliveryQueue'));
    expect(actionsOf(DISPATCHER).filter((a) => a.startsWith('kms:') || a.startsWith('events:'))).toEqual([]);
    expect(fn(DISPATCHER).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId('Table') },
      WEBHOOK_QUEUE_URL: { Ref: logicalId('Webhooks/DeliveryQueue') },
      WEBHOOK_DEAD_LETTER_QUEUE_URL: { Ref: logicalId('Webhooks/DeadLetters') },
      ...METRICS_ENV,
    });
    const custom = synth({ webhookRetryWindowSeconds: 3600 });
    expect(
      custom.resources[custom.logicalId(DELIVERY)]!.Properties.Environment.Variables
        .WEBHOOK_RETRY_WINDOW_SECONDS,
    ).toBe('3600');
  });

  it('lets the delivery read webhooks and accounts, decrypt only auth tokens, requeue, dead-letter and publish', () => {
    const statements = statementsOf(DELIVERY);
    const dynamo = statements.find((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))!;
    expect(dynamo.Action).toEqual('dynamodb:GetItem');
    expect(dynamo.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCOUNT#*', 'SERVICE#*'] },
    });
    const kms = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt('SecretsKey'),
        Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'verify-account-token' } },
      },
    ]);
    const sendTargets = statements
      .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
      .map((s) => s.Resource);
    expect(sendTargets).toEqual(
      expect.arrayContaining([getAtt('Webhooks/DeliveryQueue'), getAtt('Webhooks/DeadLetters')]),
    );
    expect(sendTargets).toHaveLength(2);
    expect(actionsOf(DELIVERY)).toContain('events:PutEvents');
    expect(fn(DELIVERY).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId('Table') },
      EVENT_BUS_NAME: { Ref: logicalId('Events') },
      KMS_KEY_ID: getAtt('SecretsKey'),
      WEBHOOK_RETRY_WINDOW_SECONDS: '86400',
      WEBHOOK_QUEUE_URL: { Ref: logicalId('Webhooks/DeliveryQueue') },
      WEBHOOK_DEAD_LETTER_QUEUE_URL: { Ref: logicalId('Webhooks/DeadLetters') },
      ...METRICS_ENV,
    });
  });

  it('never lets an API function or the push sender open auth tokens', () => {
    for (const name of [...ROUTES.map((route) => route.name), SENDER, DISPATCHER]) {
      const conditions = statementsOf(name)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))
        .map((s) => JSON.stringify(s.Condition));
      expect(conditions.join(), name).not.toContain('verify-account-token');
    }
  });
});

describe('VerifyStack under cdk-nag (AwsSolutions)', () => {
  /** Findings as `rule at construct path`. */
  const findings = (report: ReturnType<AwsSolutionsChecks['validateScope']>) =>
    report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
  const nag = (scope: IConstruct) => new AwsSolutionsChecks(scope.node.root).validateScope(scope);
  /** Every acknowledgement the stack code makes, with the construct it covers. */
  const acknowledgements = (scope: IConstruct) =>
    scope.node.findAll().flatMap((node) =>
      node.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            id: id.replace(/^annotation::/i, ''),
            reason,
            path: node.node.path,
          })),
        ),
    );

  it('finds nothing left: no error and no warning', () => {
    expect(findings(nag(stack))).toEqual([]);
  });

  it('acknowledges each finding it keeps in the stack code, with a reason, and nothing that is not found', () => {
    // The same checks, blind to acknowledgements: what they would report.
    const blind = new AwsSolutionsChecks();
    Object.defineProperty(blind, 'isAcknowledged', { value: () => false });
    const raw = findings(blind.validateScope(stack));
    const acknowledged = acknowledgements(stack);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason, path } of acknowledged) {
      expect(reason.length, `${id} at ${path}`).toBeGreaterThan(80);
      // Stale acknowledgements would hide a future finding of the same rule.
      expect(
        raw.some((finding) => finding.startsWith(`${id} at ${path}/`) || finding === `${id} at ${path}`),
        `${id} at ${path} covers a finding`,
      ).toBe(true);
    }
    // The event pipeline's constructs are checked too.
    expect(raw).toContain('AwsSolutions-SQS3 at Test/EventPipeline/StreamFailures/Resource');
    expect(raw).toContain(
      'AwsSolutions-IAM5[Resource::*] at Test/EventPipeline/StreamHandlerRole/DefaultPolicy/Resource',
    );
    expect(acknowledged.map(({ id }) => id)).not.toContain('AwsSolutions-APIG3');
  });

  it('acknowledges the missing web ACL only when the deployer leaves WAF out', () => {
    const { stack: withoutWaf } = synth({ waf: false });
    // A warning fails the synth as an error does.
    expect(findings(nag(withoutWaf))).toEqual([]);
    expect(acknowledgements(withoutWaf)).toContainEqual({
      id: 'AwsSolutions-APIG3',
      reason: expect.stringContaining('waf=false'),
      path: 'Test/Api/DeploymentStage.prod',
    });
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
    expect(fn(DELETER).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId('Table') },
      ...METRICS_ENV,
    });
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

describe('VerifyStack expiry sweeper', () => {
  it('runs the sweeper every minute, without retrying a sweep the next one repeats', () => {
    const rule = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression)?.[1];
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: getAtt(SWEEPER),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        },
      ],
    });
    expect(rule?.Properties.EventBusName).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(SWEEPER),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(`ExpirySweeper/Schedule`),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(SWEEPER) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it('lets the sweeper query the expiry index and update entity-partition items, and nothing else', () => {
    expect(fn(SWEEPER).Environment.Variables).toEqual({
      ...METRICS_ENV,
      TABLE_NAME: { Ref: logicalId('Table') },
    });
    const dynamo = statementsOf(SWEEPER).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: getAtt('Table'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ENTITY#*'] } },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [getAtt('Table'), `/index/${TABLE.expiryIndex.name}`]] },
      },
    ]);
    const others = actionsOf(SWEEPER).filter((a) => !a.startsWith('dynamodb:'));
    expect(others.filter((a) => !a.startsWith('xray:') && !a.startsWith('logs:'))).toEqual([]);
  });
});
