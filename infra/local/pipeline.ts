import { join } from 'node:path';
import type { Config } from '../../shared/config';
import { build as buildDeleter } from '../../functions/deleter/handler';
import { build as buildExpirySweeper } from '../../functions/expiry-sweeper/handler';
import { build as buildStreamHandler } from '../../functions/stream/handler';
import { DELETER_FILTER_PATTERNS } from '../../shared/events/filters';
import { localDependencies } from './dependencies';
import { startEventSink, type LocalEvent } from './event-sink';
import { startStreamPump } from './stream-pump';

export interface PipelineOptions {
  /** The functions' configuration, with the table and DynamoDB Local's endpoint; the sink's is added here. */
  config: Config;
  tableName: string;
  eventsFile: string;
  /** Where the pumps keep their checkpoints (`<dir>/stream-checkpoints/`); none when undefined. */
  checkpointDir?: string;
  /** How often the expiry sweeper runs (on AWS: every minute). */
  sweepIntervalMs: number;
  log: (line: string) => void;
  onError: (what: string, error: unknown) => void;
  /** Each event the sink accepted, for the local rules (push queue, webhooks). */
  onEvent: (event: LocalEvent) => void;
}

export interface Pipeline {
  /** The local EventBridge endpoint, for the functions that publish (the push sender, the webhook delivery). */
  eventBridgeEndpoint: string;
  /** Stops the sweeper, then the pumps (draining them unless `drain: false`), then the sink. */
  stop(options?: { drain?: boolean }): Promise<void>;
}

/**
 * What runs behind the table on AWS, as `npm start` runs it (in a child process of its own, see
 * `pipeline-process.ts`): the event sink (local EventBridge), the table stream pumped to the stream handler
 * and to the deleter, each through its own filters and with its own checkpoint, and the expiry sweeper
 * run on a timer as the schedule runs it on AWS.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { config, tableName, checkpointDir, log, onError } = options;
  const sink = await startEventSink({ file: options.eventsFile, log, onEvent: options.onEvent });
  const deps = localDependencies({ ...config, eventBridgeEndpoint: sink.endpoint });
  const endpoint = config.dynamodbEndpoint!;
  const checkpointFile = (consumer: string) => checkpointDir && join(checkpointDir, `${consumer}.json`);
  const stops: ((options: { drain?: boolean }) => Promise<void>)[] = [() => sink.stop()];
  try {
    const pump = await startStreamPump({
      endpoint,
      tableName,
      handler: buildStreamHandler(deps),
      checkpointFile: checkpointFile('stream-handler'),
      onError: (error) => onError('stream pump', error),
    });
    stops.push(pump.stop);
    // The deleter reads the stream with its own filters and its own checkpoint: a deletion the last run
    // left unfinished continues from where it was.
    const deleterPump = await startStreamPump({
      endpoint,
      tableName,
      handler: buildDeleter(deps),
      filters: DELETER_FILTER_PATTERNS,
      checkpointFile: checkpointFile('deleter'),
      onError: (error) => onError('deleter', error),
    });
    stops.push(deleterPump.stop);
  } catch (error) {
    for (const stop of stops.reverse()) await stop({ drain: false });
    throw error;
  }

  const sweep = buildExpirySweeper(deps);
  let sweeping: Promise<unknown> = Promise.resolve();
  // One sweep at a time: a slow one delays the next instead of overlapping it.
  const timer = setInterval(() => {
    sweeping = sweeping.then(() => sweep().catch((error: unknown) => onError('expiry sweeper', error)));
  }, options.sweepIntervalMs);
  stops.push(async () => {
    clearInterval(timer);
    await sweeping;
  });

  return {
    eventBridgeEndpoint: sink.endpoint,
    stop: async ({ drain = true } = {}) => {
      for (const stop of [...stops].reverse()) await stop({ drain });
      deps.db.destroy();
    },
  };
}
