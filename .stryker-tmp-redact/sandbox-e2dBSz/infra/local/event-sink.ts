// @ts-nocheck
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { listen } from './server';

export interface EventSink {
  /** Give it to the EventBridge client as `endpoint` (`EVENTBRIDGE_ENDPOINT`). */
  endpoint: string;
  /** PutEvents calls and events received so far. */
  stats: { calls: number; events: number };
  stop(): Promise<void>;
}

/** An event in the envelope EventBridge delivers to its targets. */
export type LocalEvent = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

/** A `PutEvents` request entry as the SDK sends it (AWS JSON 1.1; `Time` in epoch seconds). */
interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
  Resources?: string[];
}

const JSON_11 = 'application/x-amz-json-1.1';

/** EventBridge's `time`: ISO 8601 in whole seconds. */
const isoSeconds = (time: Entry['Time']) => {
  const ms = typeof time === 'number' ? time * 1000 : time ? Date.parse(time) : Date.now();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
};

function parseDetail(detail: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(detail ?? '');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readJson(request: IncomingMessage): Promise<{ Entries?: Entry[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: Entry[] };
}

const reply = (response: ServerResponse, status: number, body: object) =>
  response.writeHead(status, { 'Content-Type': JSON_11 }).end(JSON.stringify(body));

/**
 * A local EventBridge endpoint for `PutEvents`, as `@aws-sdk/client-eventbridge` speaks it (AWS JSON 1.1:
 * `POST /`, `X-Amz-Target: AWSEvents.PutEvents`; the signature is not checked). Each accepted entry is
 * appended to `file` as one JSON line in the envelope EventBridge delivers to its targets, then summarised
 * on one line through `log`. Entries without a source, a detail-type or a JSON object detail fail the way
 * EventBridge fails them: in the response, not the whole call.
 */
export async function startEventSink(options: {
  file: string;
  port?: number;
  log?: (line: string) => void;
  account?: string;
  /** Called with each accepted event, as EventBridge hands it to a rule's target (the local rules). */
  onEvent?: (event: LocalEvent) => void;
}): Promise<EventSink> {
  const { file, log = console.log, account = '000000000000', onEvent } = options;
  mkdirSync(dirname(file), { recursive: true });
  const stats = { calls: 0, events: 0 };

  const putEvents = (entries: Entry[]) => {
    const lines: string[] = [];
    const delivered: LocalEvent[] = [];
    const summaries: string[] = [];
    const results = entries.map((entry) => {
      const detail = parseDetail(entry.Detail);
      if (!entry.Source || !entry.DetailType) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source and DetailType are required.' };
      }
      if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      const id = randomUUID();
      const event: LocalEvent = {
        version: '0' as const,
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account,
        time: isoSeconds(entry.Time),
        region: process.env.AWS_REGION ?? 'us-east-1',
        resources: entry.Resources ?? [],
        detail,
      };
      lines.push(JSON.stringify(event));
      delivered.push(event);
      const subject = String(detail.challenge_sid ?? detail.factor_sid ?? '-');
      summaries.push(`event ${entry.DetailType} ${subject} key=${String(detail.idempotency_key ?? '-')}`);
      return { EventId: id };
    });
    // Events carry identities and details: readable by the user only.
    if (lines.length > 0) appendFileSync(file, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
    for (const summary of summaries) log(summary);
    for (const event of delivered) onEvent?.(event);
    stats.calls++;
    stats.events += lines.length;
    return { FailedEntryCount: entries.length - lines.length, Entries: results };
  };

  const server = createServer((request, response) => {
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      request.resume();
      reply(response, 400, {
        __type: 'UnknownOperationException',
        message: `This local sink only implements PutEvents, not ${String(target)}`,
      });
      return;
    }
    readJson(request).then(
      (body) => reply(response, 200, putEvents(body.Entries ?? [])),
      (error: unknown) => reply(response, 400, { __type: 'SerializationException', message: String(error) }),
    );
  });
  const endpoint = await listen(server, options.port ?? 0);
  return {
    endpoint,
    stats,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
