import { DEFAULT_METRICS_NAMESPACE } from '../config';
import { currentInvocation, type Invocation, type MetricSettings } from './invocation';
import { SERVICE_NAME, writeLine } from './log';

/**
 * Counters published as CloudWatch Embedded Metric Format (EMF): a JSON log line that CloudWatch Logs turns
 * into metrics, with no API call and no extra latency. Counts are summed per invocation and written when it
 * ends, one line per account. Dimensions: `service` always (the totals alarms and the dashboard use), and
 * `service` + `account_sid` as well unless `METRICS_PER_ACCOUNT=false`.
 */
export const METRIC = {
  // Security events (also logged, one line each).
  authFailures: 'AuthFailures',
  lockouts: 'Lockouts',
  wrongCodes: 'WrongCodes',
  badPushSignatures: 'BadPushSignatures',
  throttledRequests: 'ThrottledRequests',
  // Business.
  challengesCreated: 'ChallengesCreated',
  challengesApproved: 'ChallengesApproved',
  challengesDenied: 'ChallengesDenied',
  challengesExpired: 'ChallengesExpired',
  notificationsSent: 'NotificationsSent',
  notificationsFailed: 'NotificationsFailed',
  webhookDeliveries: 'WebhookDeliveries',
  webhookAttemptFailures: 'WebhookAttemptFailures',
  webhookDeliveriesFailed: 'WebhookDeliveriesFailed',
  // Operations.
  eventsPublishFailed: 'EventsPublishFailed',
  /** 501s: a client asked for a Twilio Verify feature this service does not have (the 5xx alarm omits them). */
  notImplemented: 'NotImplementedRequests',
} as const;

/** A metric name: one of METRIC, or `<AWS service>Throttles` from the SDK instrumentation. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC] | `${string}Throttles`;

/** CloudWatch takes at most 100 metrics per EMF record. */
const MAX_METRICS_PER_LINE = 100;

const DEFAULT_SETTINGS: MetricSettings = { namespace: DEFAULT_METRICS_NAMESPACE, perAccount: true };

/** Adds `value` to the metric for the account (none: counted in the total only). */
export function count(name: MetricName, accountSid?: string, value = 1): void {
  const invocation = currentInvocation();
  const counts = invocation?.counts ?? new Map<string, Map<string, number>>();
  const key = accountSid ?? '';
  const byName = counts.get(key) ?? new Map<string, number>();
  byName.set(name, (byName.get(name) ?? 0) + value);
  counts.set(key, byName);
  // Outside an invocation (a script, a test) there is no end to wait for.
  if (!invocation) publish(counts, DEFAULT_SETTINGS);
}

/** The EMF records for these counts: one per account, each listing its metrics. */
export function emfRecords(
  counts: Invocation['counts'],
  settings: MetricSettings,
  timestamp = Date.now(),
): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const [accountSid, byName] of counts) {
    const perAccount = settings.perAccount && accountSid !== '';
    const names = [...byName.keys()];
    for (let start = 0; start < names.length; start += MAX_METRICS_PER_LINE) {
      const chunk = names.slice(start, start + MAX_METRICS_PER_LINE);
      records.push({
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: settings.namespace,
              Dimensions: perAccount ? [['service'], ['service', 'account_sid']] : [['service']],
              Metrics: chunk.map((name) => ({ Name: name, Unit: 'Count' })),
            },
          ],
        },
        service: SERVICE_NAME,
        ...(perAccount && { account_sid: accountSid }),
        ...Object.fromEntries(chunk.map((name) => [name, byName.get(name)])),
      });
    }
  }
  return records;
}

/** Writes the counts as EMF lines (nothing when there are none). */
export function publish(counts: Invocation['counts'], settings: MetricSettings): void {
  for (const record of emfRecords(counts, settings)) writeLine(JSON.stringify(record), 'METRICS');
  counts.clear();
}
