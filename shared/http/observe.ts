import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Config } from '../config';
import { parseBasicAuthorization } from '../domain/credentials';
import { sidPattern } from '../domain/sid';
import { metricSettings } from '../observability/handler';
import { appendKeys, runInvocation, type Invocation } from '../observability/invocation';
import { log } from '../observability/log';
import { count, METRIC, publish, type MetricName } from '../observability/metrics';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Answers that are security events, by Twilio error code: each is logged on a line of its own and counted. */
export const SECURITY_EVENTS: Readonly<Record<number, { event: string; metric: MetricName }>> = {
  60310: { event: 'locked-out', metric: METRIC.lockouts },
  60311: { event: 'wrong-code', metric: METRIC.wrongCodes },
  60324: { event: 'bad-push-signature', metric: METRIC.badPushSignatures },
  20429: { event: 'throttled', metric: METRIC.throttledRequests },
};
/** Every 401, whatever the credential kind. */
const AUTH_FAILURE = { event: 'authentication-failed', metric: METRIC.authFailures } as const;

const CLAIMED_SID = /^(AC|SK)[0-9a-f]{32}$/;
const ACCOUNT_SID = sidPattern('AC');

/** The Twilio error code of an error answer (its JSON body's `code`). */
function errorCodeOf(result: APIGatewayProxyResult): number | undefined {
  if (result.statusCode < 400 || !result.body) return undefined;
  try {
    const code = (JSON.parse(result.body) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

const header = (event: APIGatewayProxyEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/**
 * The SID a refused request claimed to be (an account or API key SID; a device's `token` is not one).
 * Logged, never a metric dimension: anyone can claim any SID, and each new dimension value is a new
 * CloudWatch metric, billed.
 */
function claimedSid(event: APIGatewayProxyEvent): string | undefined {
  const username = parseBasicAuthorization(header(event, 'authorization'))?.username;
  return username && CLAIMED_SID.test(username) ? username : undefined;
}

function recordOutcome(
  event: APIGatewayProxyEvent,
  result: APIGatewayProxyResult,
  latencyMs: number,
  invocation: Invocation,
) {
  const status = result.statusCode;
  const errorCode = errorCodeOf(result);
  const fields = { status, latency_ms: latencyMs, ...(errorCode !== undefined && { error_code: errorCode }) };
  // A 501 is a client asking for a Twilio feature this service does not have (SMS verifications, say):
  // not a fault here, so a warning, counted apart, and left out of the API's 5xx alarm.
  if (status === 501) count(METRIC.notImplemented);
  (status === 501 ? log.warn : status >= 500 ? log.error : log.info)('Request handled', fields);

  const security =
    status === 401 ? AUTH_FAILURE : errorCode !== undefined ? SECURITY_EVENTS[errorCode] : undefined;
  if (!security) return;
  const accountSid = invocation.keys.account_sid;
  const account = typeof accountSid === 'string' && ACCOUNT_SID.test(accountSid) ? accountSid : undefined;
  log.warn('Security event', {
    security_event: security.event,
    ...fields,
    source_ip: event.requestContext?.identity?.sourceIp,
    ...(status === 401 && { claimed_sid: claimedSid(event) }),
  });
  count(security.metric, status === 401 ? undefined : account);
}

/**
 * Every API function's invocation, observed: its log lines carry the route (method and resource template,
 * never the path with its identities), the API Gateway request id (`correlation_id`), and, once
 * authenticated, the account SID; one line per request gives status, latency and Twilio error code; the
 * security events are logged and counted; metrics are published when the request ends.
 */
export function observeRequests(
  config: Pick<Config, 'metricsNamespace' | 'metricsPerAccount'>,
  handler: ProxyHandler,
): ProxyHandler {
  const settings = metricSettings(config);
  return (event, context) =>
    runInvocation('Api', context, settings, async (invocation) => {
      const startedAt = performance.now();
      appendKeys({
        route: `${event.httpMethod} ${event.resource}`,
        correlation_id: event.requestContext?.requestId,
      });
      try {
        const result = await handler(event, context);
        recordOutcome(event, result, Math.round(performance.now() - startedAt), invocation);
        return result;
      } finally {
        publish(invocation.counts, settings);
      }
    });
}
