// @ts-nocheck
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventSink, type LocalEvent } from '../../infra/local/event-sink';
import { startStreamPump } from '../../infra/local/stream-pump';
import { build as buildStreamHandler } from '../../functions/stream/handler';
import type { Config } from '../../shared/config';
import { testDeps } from './deps';

/** An event as the sink writes it: EventBridge's envelope. */
export type BusEvent = LocalEvent;

/**
 * The event pipeline of `npm start` against the test DynamoDB Local: stream pump → stream handler →
 * EventBridge sink → a JSONL file in a temp dir. Start it before the writes to watch: the table is shared
 * by the whole run, so the pump starts at LATEST (and also handles other test files' records meanwhile).
 */
export async function startPipeline(settings: Partial<Config> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'verify-events-'));
  const file = join(dir, 'events.jsonl');
  const sink = await startEventSink({ file, log: () => {} });
  const deps = testDeps({ ...settings, eventBusName: 'test', eventBridgeEndpoint: sink.endpoint });
  const pump = await startStreamPump({
    endpoint: deps.config.dynamodbEndpoint!,
    tableName: deps.config.tableName!,
    fromLatest: true,
    handler: buildStreamHandler(deps),
  });

  const events = (): BusEvent[] =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as BusEvent)
      : [];

  /** The events so far that satisfy `predicate`, once there are at least `count` of them. */
  const waitForEvents = async (predicate: (event: BusEvent) => boolean, timeoutMs = 10_000, count = 1) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events().filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${count} event(s); have ${found.length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  return {
    file,
    /** The local EventBridge endpoint. */
    endpoint: sink.endpoint,
    events,
    waitForEvents,
    stop: async () => {
      await pump.stop();
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
