import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Where metrics go and whether they also get the account dimension (`METRICS_NAMESPACE`, `METRICS_PER_ACCOUNT`). */
export interface MetricSettings {
  namespace: string;
  perAccount: boolean;
}

/**
 * What one invocation's log lines and metrics share. It lives in an AsyncLocalStorage, not in module
 * state, because the local server runs many requests of many functions at once in one process: each
 * request's lines get its own request id and account, as on Lambda.
 */
export interface Invocation {
  functionName: string;
  requestId: string;
  coldStart: boolean;
  /** The X-Ray trace header of this invocation (`Root=…;Parent=…;Sampled=…`), when traced. */
  traceHeader?: string;
  /** Added to every log line of the invocation (route, account SID, correlation id…). */
  keys: Record<string, unknown>;
  /** Counts so far, by account SID ('' for none) and metric name; published when the invocation ends. */
  counts: Map<string, Map<string, number>>;
  metrics: MetricSettings;
}

const storage = new AsyncLocalStorage<Invocation>();
/** Function names that have run in this process: the first invocation of each is its cold start. */
const started = new Set<string>();

/** The invocation the caller runs in, if any. */
export const currentInvocation = (): Invocation | undefined => storage.getStore();

/** The subset of Lambda's context used here; the local runtime passes a look-alike or nothing. */
export interface LambdaContextLike {
  functionName?: string;
  awsRequestId?: string;
}

/**
 * Runs `fn` as one invocation of `name`. On Lambda the request id is Lambda's and the trace header the one
 * Lambda sets for the invocation (`_X_AMZN_TRACE_ID`, a runtime variable that changes per invocation, so
 * it is read here and not with the configuration).
 */
export function runInvocation<T>(
  name: string,
  context: LambdaContextLike | undefined,
  metrics: MetricSettings,
  fn: (invocation: Invocation) => Promise<T>,
): Promise<T> {
  const functionName = context?.functionName ?? name;
  const coldStart = !started.has(functionName);
  started.add(functionName);
  const invocation: Invocation = {
    functionName,
    requestId: context?.awsRequestId ?? randomUUID(),
    coldStart,
    traceHeader: process.env._X_AMZN_TRACE_ID,
    keys: {},
    counts: new Map(),
    metrics,
  };
  return storage.run(invocation, () => fn(invocation));
}

/** Adds fields to every later log line of the current invocation. */
export function appendKeys(keys: Record<string, unknown>): void {
  const invocation = storage.getStore();
  if (invocation) Object.assign(invocation.keys, keys);
}
