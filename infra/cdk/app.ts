import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { VerifyStack } from './stack';

/**
 * Settings come from CDK context: `cdk.json`, or e.g. `npx cdk deploy -c publicBaseUrl=https://verify.example.com
 * -c allowedOrigins=https://a.example,https://b.example -c logRetentionDays=90 -c eventsIncludePii=false
 * -c challengeRetentionDays=30`.
 */
const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);

const origins = context('allowedOrigins') ?? [];
const allowedOrigins =
  typeof origins === 'string' ? origins.split(',').filter(Boolean) : (origins as string[]);

const days = context('logRetentionDays');
const logRetentionDays = days === undefined ? undefined : Number(days);
if (logRetentionDays !== undefined && !Object.values(RetentionDays).includes(logRetentionDays)) {
  throw new Error(`logRetentionDays must be one of CloudWatch's retention periods, got ${String(days)}`);
}

const pii = context('eventsIncludePii');
if (pii !== undefined && !['true', 'false'].includes(String(pii))) {
  throw new Error(`eventsIncludePii must be true or false, got ${String(pii)}`);
}
const eventsIncludePii = pii === undefined ? undefined : String(pii) === 'true';

const retention = context('challengeRetentionDays');
if (retention !== undefined && !(Number.isInteger(Number(retention)) && Number(retention) > 0)) {
  throw new Error(`challengeRetentionDays must be a positive whole number, got ${String(retention)}`);
}

new VerifyStack(app, 'VerifyPushTotp', {
  publicBaseUrl: context('publicBaseUrl') as string | undefined,
  challengeRetentionDays: retention === undefined ? undefined : Number(retention),
  allowedOrigins,
  logRetentionDays,
  eventsIncludePii,
});
