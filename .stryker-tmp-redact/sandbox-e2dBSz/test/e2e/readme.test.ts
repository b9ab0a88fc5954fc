// @ts-nocheck
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../support/fixtures';
import { startTestServer } from '../support/server';

const ROOT = resolve(import.meta.dirname, '../..');

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

describe('the README quick start', () => {
  it('runs as written: creates a Service and a TOTP factor and verifies it with a real code', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /<!-- quickstart -->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    // Inside the repository, so that `twilio` and `otpauth` resolve as they do for a user.
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    const file = join(mkdtempSync(join(ROOT, 'node_modules/.cache/readme-')), 'quickstart.mjs');
    writeFileSync(file, snippet!);
    const account = await createAccount();
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      env: {
        ...process.env,
        ACCOUNT_SID: account.sid,
        AUTH_TOKEN: account.authToken,
        VERIFY_URL: server.url,
      },
    });
    expect(stdout).toMatch(/Add to an authenticator app: otpauth:\/\/totp\/My%20App:Alice\?secret=/);
    expect(stdout).toContain('Factor status: verified');
  });
});
