import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLING } from './bundling';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ApiFunctionProps {
  /** The module, relative to the repository root, whose `handler` export serves the requests. */
  module: string;
  logRetention: RetentionDays;
  environment?: Record<string, string>;
  timeout?: Duration;
}

/** A Lambda function with the defaults every handler shares: Node.js 22 on ARM, an ESM bundle, X-Ray. */
export class ApiFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id, {
      entry: join(REPO_ROOT, props.module),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      // An explicit log group sets the retention without the log-retention custom resource.
      logGroup: new LogGroup(scope, `${id}Logs`, { retention: props.logRetention }),
      bundling: {
        target: BUNDLING.target,
        format: OutputFormat.ESM,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourceMap,
        mainFields: [...BUNDLING.mainFields],
        externalModules: BUNDLING.externalModules,
        banner: BUNDLING.banner,
      },
    });
  }
}
