import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLine } from '../../shared/observability/log';
import type { Pipeline, PipelineOptions } from './pipeline';
import type { FromChild, PipelineData, ToChild } from './pipeline-child';

export interface PipelineProcess extends Pipeline {
  pid: number;
  /** Settles if the process ends other than by `stop` (it crashed or was killed), with what happened. */
  died: Promise<string>;
}

/**
 * Starts the pipeline (`pipeline.ts`) in a child process (`pipeline-child.ts`, run through tsx as
 * `npm start` itself is) and resolves once it is ready. Its events, log lines and errors come back over
 * the IPC channel.
 */
export function startPipelineProcess(
  options: PipelineData & Pick<PipelineOptions, 'log' | 'onError' | 'onEvent'>,
): Promise<PipelineProcess> {
  const { log, onError, onEvent, ...data } = options;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(fileURLToPath(new URL('./pipeline-child.ts', import.meta.url)), [], {
    execPath: process.execPath,
    execArgv: ['--import', tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (message: ToChild) => child.connected && child.send(message);
  let stopping = false;
  let died: (reason: string) => void = () => {};
  const diedPromise = new Promise<string>((resolve) => (died = resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      if (stopping) return;
      reject(new Error(`The event pipeline did not start: ${reason}`));
      died(`The event pipeline (pid ${child.pid}) ${reason}`);
    };
    child.on('message', (message: FromChild) => {
      switch (message.type) {
        case 'ready':
          resolve({
            pid: child.pid!,
            eventBridgeEndpoint: message.eventBridgeEndpoint,
            died: diedPromise,
            stop: async ({ drain = true } = {}) => {
              stopping = true;
              if (child.exitCode !== null || child.signalCode !== null) return;
              send({ type: 'stop', drain });
              // A pipeline that does not finish its drain in time is ended.
              const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
              await exited;
              clearTimeout(timer);
            },
          });
          break;
        case 'event':
          onEvent(message.event);
          break;
        case 'log':
          log(message.line);
          break;
        case 'telemetry':
          writeLine(message.line, message.kind);
          break;
        case 'error':
          onError(message.what, new Error(message.message));
          break;
        case 'failed':
          fail(message.message);
          break;
      }
    });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`exited (${signal ? `signal ${signal}` : `exit code ${code}`})`));
    send({ type: 'start', data });
  });
}
