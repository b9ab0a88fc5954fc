/** One row of the smoke test's report. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was found: a SID, a status, or why the check failed. Never a secret. */
  detail: string;
}

export const errorMessage = (error: unknown) => {
  if (!(error instanceof Error)) return String(error);
  // twilio-node's RestException: the status and Twilio code say more than its message alone.
  const { status, code } = error as { status?: number; code?: number };
  return status !== undefined && code !== undefined
    ? `HTTP ${status}, code ${code}: ${error.message}`
    : error.message;
};

/** Records each check as it runs: a check passes when its function returns, and fails when it throws. */
export class Checks {
  readonly results: CheckResult[] = [];

  constructor(private readonly signal?: AbortSignal) {}

  /** Runs one check; answers its value, or undefined when it failed (the failure is recorded). */
  async run<T>(name: string, check: () => Promise<T>, describe: (value: T) => string = String) {
    try {
      this.signal?.throwIfAborted();
      const value = await check();
      this.results.push({ name, ok: true, detail: describe(value) });
      return { value };
    } catch (error) {
      const detail = this.signal?.aborted ? 'interrupted' : errorMessage(error);
      this.results.push({ name, ok: false, detail });
      return undefined;
    }
  }

  /** A cleanup step: it runs even after an interruption. */
  async cleanup(name: string, step: () => Promise<string>) {
    try {
      this.results.push({ name, ok: true, detail: await step() });
    } catch (error) {
      this.results.push({ name, ok: false, detail: errorMessage(error) });
    }
  }

  pass(name: string, detail: string) {
    this.results.push({ name, ok: true, detail });
  }

  fail(name: string, detail: string) {
    this.results.push({ name, ok: false, detail });
  }

  get failed() {
    return this.results.filter((r) => !r.ok).length;
  }
}

/** The pass/fail table, one check a line, and a summary line. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.name.length));
  const lines = results.map(
    (r) => `${(r.ok ? 'PASS' : 'FAIL').padEnd(6)}  ${r.name.padEnd(width)}  ${r.detail}`,
  );
  const failed = results.filter((r) => !r.ok).length;
  const summary =
    failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`;
  return [`RESULT  ${'CHECK'.padEnd(width)}  DETAIL`, ...lines, '', summary].join('\n');
}
