import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFunction } from './bundling';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ApiFunctionProps {
  /** The module, relative to the repository root, whose `handler` export serves the requests. */
  module: string;
  logRetention: RetentionDays;
  environment?: Record<string, string>;
  timeout?: Duration;
}

/**
 * The function's code: its module bundled with esbuild on this machine at synth (`infra/cdk/bundling.ts`),
 * the asset named by a hash of the bundle. Skipped, as every asset bundling is, for stacks that
 * `aws:cdk:bundling-stacks` leaves out (the infra tests).
 */
const bundledCode = (module: string) =>
  Code.fromAsset(dirname(join(REPO_ROOT, module)), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws. CDK requires an image all the same.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      // Part of CDK's asset cache key, which ignores `local`: without it, two functions in one folder would
      // share the first one's bundle.
      environment: { ENTRY: module },
      local: {
        tryBundle(outputDir) {
          bundleFunction(join(REPO_ROOT, module), outputDir);
          return true;
        },
      },
    },
  });

/**
 * A Lambda function with the defaults every handler shares: Node.js 22 on ARM, an ESM bundle, X-Ray, and a
 * role of its own that may write only to the function's log group until grants add what its code needs.
 */
export class ApiFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    // An explicit log group sets the retention without the log-retention custom resource.
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    // Not AWSLambdaBasicExecutionRole, which may create and write every log group of the account.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      code: bundledCode(props.module),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      role,
      logGroup,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only for actions that have no resource-level permissions: xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords (X-Ray tracing) and, for the stream handler, dynamodb:ListStreams (its ' +
        'event source). test/infra/stack.test.ts asserts that no other action gets a * resource.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is chosen, not left behind: the bundles target node22 (infra/cdk/bundling.ts) and the ' +
        'bundle benchmarks measure that runtime; it is a supported Lambda runtime, and moving to a newer ' +
        'one is a change of its own, with its own tests and measurements.',
    });
  }
}
