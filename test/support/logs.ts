import { setLogSink, type LineKind } from '../../shared/observability/log';

/**
 * Captures every line the functions log, and everything written to stdout, stderr and the console while
 * capturing (so that a stray `console.log` is seen too). `stop()` restores all of them.
 */
export function captureLogs() {
  const lines: { line: string; kind: LineKind }[] = [];
  const raw: string[] = [];
  const previous = setLogSink((line, kind) => lines.push({ line, kind }));
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const tap =
    (write: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      raw.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap(stdoutWrite) as typeof process.stdout.write;
  process.stderr.write = tap(stderrWrite) as typeof process.stderr.write;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((name) => console[name]);
  for (const name of consoleMethods) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      raw.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      original(...args);
    };
  }
  return {
    lines,
    /** The structured lines, parsed. */
    entries: () => lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>),
    /** Every character logged in any way. */
    everything: () => [...lines.map(({ line }) => line), ...raw].join('\n'),
    stop() {
      setLogSink(previous);
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      consoleMethods.forEach((name, i) => (console[name] = originals[i]!));
    },
  };
}
