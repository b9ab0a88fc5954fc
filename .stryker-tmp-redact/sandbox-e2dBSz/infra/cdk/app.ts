// @ts-nocheck
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackPropsFromContext } from './settings';
import { VerifyStack } from './stack';

/**
 * Settings come from CDK context: `cdk.json`, or e.g. `npx cdk deploy -c publicBaseUrl=https://verify.example.com
 * -c allowedOrigins=https://a.example,https://b.example -c logRetentionDays=90 -c eventsIncludePii=false
 * -c challengeRetentionDays=30 -c throttleRateLimit=1000 -c throttleBurstLimit=2000 -c wafRateLimit=10000`
 * (or `-c waf=false`). `infra/cdk/settings.ts` checks them; the README lists them.
 */
const app = new App();
// cdk-nag's AwsSolutions checks run on every synth: an unacknowledged error fails it, a warning is shown.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new VerifyStack(
  app,
  'VerifyPushTotp',
  stackPropsFromContext((key) => app.node.tryGetContext(key)),
);
