import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../infra/cdk/settings';

/** Context as `-c key=value` gives it: strings. */
const props = (context: Record<string, unknown>) => stackPropsFromContext((key) => context[key]);

describe('stack settings from CDK context', () => {
  it('leaves every setting to the stack default when nothing is set', () => {
    expect(props({})).toEqual({
      publicBaseUrl: undefined,
      challengeRetentionDays: undefined,
      allowedOrigins: [],
      logRetentionDays: undefined,
      eventsIncludePii: undefined,
      throttleRateLimit: undefined,
      throttleBurstLimit: undefined,
      waf: undefined,
      wafRateLimit: undefined,
      webhookRetryWindowSeconds: undefined,
    });
  });

  it('reads command-line strings and cdk.json values', () => {
    expect(
      props({
        publicBaseUrl: 'https://verify.example.com',
        challengeRetentionDays: '7',
        allowedOrigins: 'https://a.example,https://b.example',
        logRetentionDays: '90',
        eventsIncludePii: 'false',
        throttleRateLimit: '250.5',
        throttleBurstLimit: '500',
        waf: 'false',
        wafRateLimit: '2000',
        webhookRetryWindowSeconds: '3600',
      }),
    ).toEqual({
      publicBaseUrl: 'https://verify.example.com',
      challengeRetentionDays: 7,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      logRetentionDays: 90,
      eventsIncludePii: false,
      throttleRateLimit: 250.5,
      throttleBurstLimit: 500,
      waf: false,
      wafRateLimit: 2000,
      webhookRetryWindowSeconds: 3600,
    });
    expect(
      props({ waf: true, wafRateLimit: 10, throttleBurstLimit: 1, allowedOrigins: ['*'] }),
    ).toMatchObject({
      waf: true,
      wafRateLimit: 10,
      throttleBurstLimit: 1,
      allowedOrigins: ['*'],
    });
  });

  it.each([
    ['waf', 'no', 'waf must be true or false, got no'],
    ['eventsIncludePii', 'yes', 'eventsIncludePii must be true or false, got yes'],
    ['wafRateLimit', '5', 'wafRateLimit must be a whole number from 10 to 2000000000, got 5'],
    ['wafRateLimit', '100.5', 'wafRateLimit must be a whole number from 10 to 2000000000, got 100.5'],
    ['wafRateLimit', '', 'wafRateLimit must be a whole number from 10 to 2000000000, got '],
    ['throttleRateLimit', '0', 'throttleRateLimit must be a positive number of requests per second, got 0'],
    [
      'throttleRateLimit',
      'many',
      'throttleRateLimit must be a positive number of requests per second, got many',
    ],
    ['throttleBurstLimit', '-1', 'throttleBurstLimit must be a whole number at least 1, got -1'],
    ['throttleBurstLimit', '1.5', 'throttleBurstLimit must be a whole number at least 1, got 1.5'],
    ['challengeRetentionDays', '0', 'challengeRetentionDays must be a whole number at least 1, got 0'],
    [
      'webhookRetryWindowSeconds',
      '2000000',
      'webhookRetryWindowSeconds must be a whole number from 0 to 1209600, got 2000000',
    ],
    ['logRetentionDays', '8', "logRetentionDays must be one of CloudWatch's retention periods, got 8"],
  ])('refuses %s=%j with a message that names it', (key, value, message) => {
    expect(() => props({ [key]: value })).toThrow(message);
  });
});

describe('alarm settings from CDK context', () => {
  it('reads the alarm email, thresholds and the per-account metrics switch', () => {
    expect(
      props({
        alarmEmail: 'ops@example.com',
        alarmApi5xxPercent: '2.5',
        alarmIteratorAgeSeconds: '600',
        alarmWafBlocks: '50',
        metricsPerAccount: 'false',
      }),
    ).toMatchObject({
      alarmEmail: 'ops@example.com',
      alarmThresholds: { api5xxPercent: 2.5, iteratorAgeSeconds: 600, wafBlocks: 50 },
      metricsPerAccount: false,
    });
    expect(props({ alarmWafBlocks: '50' }).alarmThresholds).toEqual({ wafBlocks: 50 });
    expect(props({}).alarmThresholds).toBeUndefined();
  });

  it.each([
    ['alarmEmail', 'ops', /alarmEmail must be an email address, got ops/],
    ['alarmApi5xxPercent', '0', /alarmApi5xxPercent must be a positive number of percent/],
    ['alarmIteratorAgeSeconds', '1.5', /alarmIteratorAgeSeconds must be a whole number from 1 to 86400/],
    ['alarmWafBlocks', '0', /alarmWafBlocks must be a whole number at least 1/],
    ['metricsPerAccount', 'no', /metricsPerAccount must be true or false/],
  ])('refuses a wrong %s', (key, value, message) => {
    expect(() => props({ [key]: value })).toThrow(message);
  });
});
