import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { currentInvocation } from './invocation';

/**
 * X-Ray subsegments without the X-Ray SDK. Lambda with active tracing records the function's segment
 * itself and runs the X-Ray daemon next to it; a subsegment is one JSON document sent to the daemon over
 * UDP (`AWS_XRAY_DAEMON_ADDRESS`), under the trace and parent that Lambda gives each invocation
 * (`_X_AMZN_TRACE_ID`). That is what aws-xray-sdk-core does in Lambda too; doing it here costs a few KB of
 * bundle instead of its ~120 KB (README, "Libraries, and why"). Nothing is sent when the invocation is not
 * sampled, or off Lambda (no trace header, no daemon).
 * Document format: AWS X-Ray Developer Guide, "AWS X-Ray segment documents" and "Sending segment
 * documents to the X-Ray daemon".
 */

export interface TraceContext {
  root: string;
  parent: string;
  sampled: boolean;
}

/** `Root=1-…;Parent=…;Sampled=1` → its parts; undefined without a root and parent. */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const parts = new Map(
    header.split(';').map((part) => {
      const [key = '', value = ''] = part.split('=');
      return [key.trim(), value.trim()] as const;
    }),
  );
  const root = parts.get('Root');
  const parent = parts.get('Parent');
  if (!root || !parent) return undefined;
  return { root, parent, sampled: parts.get('Sampled') === '1' };
}

/** `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `udp:host:port tcp:host:port`. */
export function daemonAddress(value: string | undefined): { host: string; port: number } | undefined {
  const udp = value?.split(/\s+/).find((part) => part.startsWith('udp:')) ?? value?.split(/\s+/)[0];
  const match = udp?.replace(/^udp:/, '').match(/^(.+):(\d+)$/);
  return match ? { host: match[1]!, port: Number(match[2]) } : undefined;
}

let socket: Socket | undefined;
const HEADER = '{"format":"json","version":1}\n';

function send(document: Record<string, unknown>) {
  const address = daemonAddress(process.env.AWS_XRAY_DAEMON_ADDRESS);
  if (!address) return;
  if (!socket) {
    socket = createSocket('udp4');
    socket.unref();
    // A lost trace document must never fail a request.
    socket.on('error', () => {});
  }
  socket.send(HEADER + JSON.stringify(document), address.port, address.host);
}

/** What a finished subsegment records besides its name and times (X-Ray's `aws`, `http`, flags, cause). */
export interface SubsegmentFields {
  aws?: Record<string, unknown>;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: { exceptions: { type: string }[] };
}

export interface Subsegment {
  /** The header to pass on to the callee (`X-Amzn-Trace-Id`), naming this subsegment as the parent. */
  header: string;
  end(fields: SubsegmentFields): void;
}

/**
 * Starts a subsegment of the current invocation's trace, or returns undefined when there is nothing to
 * trace into. `namespace` is `aws` for AWS SDK calls and `remote` for other HTTP calls.
 */
export function startSubsegment(name: string, namespace: 'aws' | 'remote'): Subsegment | undefined {
  const trace = parseTraceHeader(currentInvocation()?.traceHeader);
  if (!trace?.sampled) return undefined;
  const id = randomBytes(8).toString('hex');
  const startTime = Date.now() / 1000;
  return {
    header: `Root=${trace.root};Parent=${id};Sampled=1`,
    end: (fields) =>
      send({
        type: 'subsegment',
        id,
        trace_id: trace.root,
        parent_id: trace.parent,
        name,
        namespace,
        start_time: startTime,
        end_time: Date.now() / 1000,
        ...fields,
      }),
  };
}

/** X-Ray's flags for an HTTP status: 429 a throttle, other 4xx an error, 5xx a fault. */
export const statusFlags = (status: number | undefined): SubsegmentFields => ({
  ...(status === 429 && { throttle: true, error: true }),
  ...(status !== undefined && status >= 400 && status < 500 && { error: true }),
  ...(status !== undefined && status >= 500 && { fault: true }),
});

/**
 * Runs an outgoing HTTP call (APNs, FCM, a webhook) as a `remote` subsegment named after the host. Only
 * the origin is recorded: paths and query strings can hold device tokens or a webhook's own secrets.
 */
export async function traceHttp<T>(
  url: string,
  method: string,
  call: () => Promise<T>,
  statusOf: (result: T) => number | undefined,
): Promise<T> {
  let origin: URL | undefined;
  try {
    origin = new URL(url);
  } catch {
    return call();
  }
  const subsegment = startSubsegment(origin.host, 'remote');
  if (!subsegment) return call();
  const request = { method, url: origin.origin };
  try {
    const result = await call();
    const status = statusOf(result);
    subsegment.end({ http: { request, response: { status } }, ...statusFlags(status) });
    return result;
  } catch (error) {
    subsegment.end({ http: { request }, fault: true, cause: { exceptions: [{ type: errorType(error) }] } });
    throw error;
  }
}

/** `fetch`, with each request a `remote` subsegment (FCM's token and send requests). */
export const tracedFetch: typeof fetch = (input, init) =>
  traceHttp(
    input instanceof Request ? input.url : String(input),
    init?.method ?? (input instanceof Request ? input.method : 'GET'),
    () => fetch(input, init),
    (response) => response.status,
  );

export const errorType = (error: unknown) => (error instanceof Error ? error.name : 'Error');
