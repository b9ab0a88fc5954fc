import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { VerifyStack, type VerifyStackProps } from '../../infra/cdk/stack';
import { ROUTES } from '../../shared/http/routes';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Synthesizes without esbuild: the tests look at the template, not the bundles. */
function synth(props?: VerifyStackProps) {
  const stack = new VerifyStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', props);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (constructId: string) =>
    stack.getLogicalId(stack.node.findChild(constructId).node.defaultChild as CfnElement);
  return { stack, template, resources, logicalId };
}

const { template, resources, logicalId } = synth();
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const fn = (constructId: string) => resources[logicalId(constructId)]!.Properties;
const usesSecrets = (route: (typeof ROUTES)[number]) => route.secrets === true;

/** Every action the function's role may take. */
function actionsOf(constructId: string): string[] {
  const roleId = fn(constructId).Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
}

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
  it('has one ARM Node.js 22 function per route plus the fallback', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ROUTES.length + 1);
    for (const [, { Properties }] of functions) {
      expect(Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
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
    expect(ofType('AWS::Logs::LogGroup')).toHaveLength(ROUTES.length + 2);
    expect(ofType('Custom::LogRetention')).toHaveLength(0);
  });

  it('outputs what a deployment needs', () => {
    for (const name of ['ApiUrl', 'TableName', 'EventBusName', 'KmsKeyArn']) template.hasOutput(name, {});
    template.hasOutput('KmsKeyArn', { Value: { 'Fn::GetAtt': [logicalId('SecretsKey'), 'Arn'] } });
  });

  it("configures CORS origins on every function and on API Gateway's own errors", () => {
    for (const [, { Properties }] of ofType('AWS::Lambda::Function')) {
      expect(Properties.Environment.Variables.ALLOWED_ORIGINS).toBe('*');
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    });
    const listed = synth({ allowedOrigins: ['https://app.example', 'https://admin.example'] });
    for (const [, { Properties }] of Object.entries(listed.resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
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

  it('passes PUBLIC_BASE_URL and the log retention through when given', () => {
    expect(fn(ROUTES[0]!.name).Environment.Variables.PUBLIC_BASE_URL).toBeUndefined();
    const custom = synth({
      publicBaseUrl: 'https://verify.example.com',
      logRetentionDays: RetentionDays.THREE_MONTHS,
    });
    for (const route of ROUTES) {
      const env = custom.resources[custom.logicalId(route.name)]!.Properties.Environment.Variables;
      expect(env.PUBLIC_BASE_URL).toBe('https://verify.example.com');
    }
    custom.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});
