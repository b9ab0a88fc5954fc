import { count } from './metrics';
import { errorType, startSubsegment, statusFlags } from './xray';

/**
 * Instruments an AWS SDK v3 client: every attempt of every call becomes an X-Ray subsegment (`aws`
 * namespace, named after the service, with the operation, request id and status), and throttled attempts
 * are counted as `<Service>Throttles` (e.g. `KMSThrottles`), including those the SDK retried away.
 * The middleware sits in the `finalizeRequest` step below the SDK's retry middleware, so it sees each attempt.
 */

interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
}
interface Metadata {
  httpStatusCode?: number;
  requestId?: string;
}
type Next = (args: { request: unknown; input: unknown }) => Promise<{ output?: { $metadata?: Metadata } }>;
/** The part of an SDK client's middleware stack used here (the SDK's own types are far wider). */
interface MiddlewareStack {
  add(
    middleware: (next: Next, context: MiddlewareContext) => Next,
    options: { step: 'finalizeRequest'; priority: 'low'; name: string },
  ): void;
}
export type InstrumentableClient = { middlewareStack: { add: (...args: never[]) => unknown } };

/** The error names AWS services throttle with (DynamoDB, KMS, EventBridge, SQS). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

export const isThrottle = (error: unknown) =>
  error instanceof Error &&
  (THROTTLING.has(error.name) || (error as { $metadata?: Metadata }).$metadata?.httpStatusCode === 429);

/** The resource a call names, without keys or bodies: a table, a queue, a bus. */
function resourceOf(input: unknown): Record<string, unknown> {
  const { TableName, QueueUrl } = (input ?? {}) as { TableName?: unknown; QueueUrl?: unknown };
  return {
    ...(typeof TableName === 'string' && { table_name: TableName }),
    ...(typeof QueueUrl === 'string' && { queue_url: QueueUrl }),
  };
}

export function instrumentClient<C extends InstrumentableClient>(client: C): C {
  (client.middlewareStack as unknown as MiddlewareStack).add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const subsegment = startSubsegment(service, 'aws');
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (subsegment && request?.headers) request.headers['X-Amzn-Trace-Id'] = subsegment.header;
      const aws = { operation, ...resourceOf(args.input) };
      try {
        const result = await next(args);
        const metadata = result.output?.$metadata ?? {};
        subsegment?.end({
          aws: { ...aws, request_id: metadata.requestId },
          http: { response: { status: metadata.httpStatusCode } },
        });
        return result;
      } catch (error) {
        const metadata = (error as { $metadata?: Metadata }).$metadata ?? {};
        const throttled = isThrottle(error);
        if (throttled) count(`${service}Throttles`);
        subsegment?.end({
          aws: { ...aws, request_id: metadata.requestId },
          http: { response: { status: metadata.httpStatusCode } },
          ...statusFlags(metadata.httpStatusCode),
          ...(throttled && { throttle: true, error: true }),
          ...(metadata.httpStatusCode === undefined && { fault: true }),
          cause: { exceptions: [{ type: errorType(error) }] },
        });
        throw error;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'verifyObservability' },
  );
  return client;
}
