import type { LocalEvent } from './event-sink';
import { setLogSink, type LineKind } from '../../shared/observability/log';
import { startPipeline, type Pipeline, type PipelineOptions } from './pipeline';

/**
 * The child process `npm start` runs its pipeline in (started by `pipeline-process.ts`), so the stream
 * pumps, the stream handler's PutEvents, the sink's file writes and the sweeper never take turns with the
 * API's requests on one event loop: locally, a request costs what it costs on Lambda. It talks to its
 * parent over the IPC channel only.
 */
export type PipelineData = Omit<PipelineOptions, 'log' | 'onError' | 'onEvent'>;
export type ToChild = { type: 'start'; data: PipelineData } | { type: 'stop'; drain: boolean };
export type FromChild =
  | { type: 'ready'; eventBridgeEndpoint: string }
  | { type: 'event'; event: LocalEvent }
  | { type: 'log'; line: string }
  | { type: 'telemetry'; line: string; kind: LineKind }
  | { type: 'error'; what: string; message: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

const post = (message: FromChild) => process.send?.(message);
// The functions' structured log lines and metrics (already redacted) go to the parent's sink, as if the
// functions ran there: `npm start` and the tests see one stream of them.
setLogSink((line, kind) => post({ type: 'telemetry', line, kind }));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

let pipeline: Pipeline | undefined;
let stopping: Promise<void> | undefined;
const stop = (drain: boolean) =>
  (stopping ??= (pipeline?.stop({ drain }) ?? Promise.resolve()).finally(() => {
    post({ type: 'stopped' });
    process.disconnect?.();
    process.exit(0);
  }));

process.on('message', (message: ToChild) => {
  if (message.type === 'stop') void stop(message.drain);
  if (message.type !== 'start') return;
  startPipeline({
    ...message.data,
    log: (line) => post({ type: 'log', line }),
    onError: (what, error) => post({ type: 'error', what, message: messageOf(error) }),
    onEvent: (event) => post({ type: 'event', event }),
  }).then(
    (started) => {
      pipeline = started;
      post({ type: 'ready', eventBridgeEndpoint: started.eventBridgeEndpoint });
    },
    (error: unknown) => {
      post({ type: 'failed', message: messageOf(error) });
      process.exit(1);
    },
  );
});
// The parent stops us (Ctrl+C reaches the whole process group: the parent decides, after its server).
process.on('SIGINT', () => {});
// The parent went without stopping us (killed): nothing to report to, stop where we are.
process.on('disconnect', () => void stop(false));
