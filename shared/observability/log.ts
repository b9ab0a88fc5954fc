import { currentInvocation } from './invocation';
import { redact } from './redact';

/**
 * Structured logs: one JSON object per line, with the field names of Powertools for AWS Lambda's Logger
 * (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`, `function_request_id`,
 * `xray_trace_id`), so Logs Insights queries and tools written for Powertools work unchanged. Every line
 * goes through `redact` first. (Why not Powertools itself: README, "Libraries, and why".)
 */

export const SERVICE_NAME = 'verify-push-totp';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';
/** What a line is: a log entry at its level, or an Embedded Metric Format record. */
export type LineKind = LogLevel | 'METRICS';
export type LogSink = (line: string, kind: LineKind) => void;

const toStdout: LogSink = (line) => void process.stdout.write(`${line}\n`);
/** Off Lambda (tests, benchmarks, `npm start`), only warnings and errors are printed, as before. */
const quiet: LogSink = (line, kind) => {
  if (kind === 'WARN' || kind === 'ERROR') process.stderr.write(`${line}\n`);
};

let sink: LogSink = process.env.AWS_LAMBDA_FUNCTION_NAME ? toStdout : quiet;

/** Replaces where lines go (tests capture them; `npm start` may print them); returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

/** Sends one finished line (already redacted) to the sink. */
export const writeLine = (line: string, kind: LineKind) => sink(line, kind);

/** The X-Ray trace id (the `Root` part of the trace header). */
const traceIdOf = (header?: string) => header?.match(/Root=([^;]+)/)?.[1];

function entry(level: LogLevel, message: string, fields: Record<string, unknown>) {
  const invocation = currentInvocation();
  const base = {
    level,
    message,
    timestamp: new Date().toISOString(),
    service: SERVICE_NAME,
    ...(invocation && {
      cold_start: invocation.coldStart,
      function_name: invocation.functionName,
      function_request_id: invocation.requestId,
      xray_trace_id: traceIdOf(invocation.traceHeader),
      ...invocation.keys,
    }),
  };
  writeLine(JSON.stringify(redact({ ...base, ...fields })), level);
}

export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => entry('INFO', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => entry('WARN', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => entry('ERROR', message, fields),
};
