import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { VerifyStackProps } from './stack';

/** AWS WAF's bounds for a rate-based rule's limit. */
const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 };

/**
 * The stack's settings from CDK context (`cdk.json`, or `-c key=value` on the command line, where every value
 * is a string). A value that is set but wrong is an error that names the setting, never a silent default.
 */
export function stackPropsFromContext(context: (key: string) => unknown): VerifyStackProps {
  const origins = context('allowedOrigins') ?? [];
  const allowedOrigins =
    typeof origins === 'string' ? origins.split(',').filter(Boolean) : (origins as string[]);

  const days = context('logRetentionDays');
  const logRetentionDays = days === undefined ? undefined : Number(days);
  if (logRetentionDays !== undefined && !Object.values(RetentionDays).includes(logRetentionDays)) {
    throw new Error(`logRetentionDays must be one of CloudWatch's retention periods, got ${String(days)}`);
  }

  return {
    publicBaseUrl: context('publicBaseUrl') as string | undefined,
    challengeRetentionDays: wholeNumber(context, 'challengeRetentionDays', 1, Number.MAX_SAFE_INTEGER),
    allowedOrigins,
    logRetentionDays,
    eventsIncludePii: boolean(context, 'eventsIncludePii'),
    throttleRateLimit: positiveNumber(context, 'throttleRateLimit', 'requests per second'),
    throttleBurstLimit: wholeNumber(context, 'throttleBurstLimit', 1, Number.MAX_SAFE_INTEGER),
    waf: boolean(context, 'waf'),
    wafRateLimit: wholeNumber(context, 'wafRateLimit', WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max),
    webhookRetryWindowSeconds: wholeNumber(context, 'webhookRetryWindowSeconds', 0, 1_209_600),
    alarmEmail: email(context, 'alarmEmail'),
    alarmThresholds: withoutUndefined({
      api5xxPercent: positiveNumber(context, 'alarmApi5xxPercent', 'percent'),
      iteratorAgeSeconds: wholeNumber(context, 'alarmIteratorAgeSeconds', 1, 86_400),
      wafBlocks: wholeNumber(context, 'alarmWafBlocks', 1, Number.MAX_SAFE_INTEGER),
    }),
    metricsPerAccount: boolean(context, 'metricsPerAccount'),
  };
}

function email(context: (key: string) => unknown, key: string): string | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(value))) {
    throw new Error(`${key} must be an email address, got ${String(value)}`);
  }
  return String(value);
}

/** The values that are set, or undefined when none is. */
function withoutUndefined<T extends object>(value: T): Partial<T> | undefined {
  const set = Object.entries(value).filter(([, v]) => v !== undefined);
  return set.length > 0 ? (Object.fromEntries(set) as Partial<T>) : undefined;
}

function boolean(context: (key: string) => unknown, key: string): boolean | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  if (!['true', 'false'].includes(String(value))) {
    throw new Error(`${key} must be true or false, got ${String(value)}`);
  }
  return String(value) === 'true';
}

function wholeNumber(
  context: (key: string) => unknown,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (String(value).trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`${key} must be a whole number ${range}, got ${String(value)}`);
  }
  return number;
}

function positiveNumber(context: (key: string) => unknown, key: string, unit: string): number | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new Error(`${key} must be a positive number of ${unit}, got ${String(value)}`);
  }
  return number;
}
