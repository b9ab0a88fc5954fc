import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs a command line as `npm run <script> -- …` does (the scripts in package.json), from the repository. */
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, timeout: 60_000 });

describe('--help', () => {
  it.each([
    [
      'admin',
      'infra/admin/cli.ts',
      ['create-account', 'rotate-token', 'create-api-key', '--local', '--table'],
    ],
    [
      'device',
      'infra/device/cli.ts',
      ['init', 'enroll', 'watch', 'challenges', 'approve', 'deny', '--state'],
    ],
  ])('npm run %s -- --help prints the commands and options and exits 0', async (name, cli, words) => {
    // execFile rejects on a non-zero exit status, so resolving is the exit status 0.
    const { stdout, stderr } = await run([cli, '--help']);
    expect(stdout).toContain(`Usage: npm run ${name} -- <command>`);
    for (const word of words) expect(stdout).toContain(word);
    expect(stderr).toBe('');
  });
});
