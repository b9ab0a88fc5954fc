import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../infra/local/dynamodb';
import { createAccount } from '../support/fixtures';
import { startTestServer } from '../support/server';

const ROOT = resolve(import.meta.dirname, '../..');

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

const readme = () => readFileSync(join(ROOT, 'README.md'), 'utf8');
const quickstart = () => /<!-- quickstart -->\s*```js\n([\s\S]*?)```/.exec(readme())?.[1];

describe('the README quick start', () => {
  it('runs as written: creates a Service and a TOTP factor and verifies it with a real code', async () => {
    const snippet = quickstart();
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

describe('the quick start with nothing listening at VERIFY_URL (README, Troubleshooting)', () => {
  it('fails with connect ECONNREFUSED and the address', async () => {
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'node_modules/.cache/readme-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'quickstart.mjs');
    writeFileSync(file, quickstart()!);
    const port = await freePort();
    const failure = await promisify(execFile)(process.execPath, [file], {
      env: {
        ...process.env,
        ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        AUTH_TOKEN: '0'.repeat(32),
        VERIFY_URL: `http://127.0.0.1:${port}`,
      },
    }).catch((error: { stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('the quick start saved in the repository folder, as the README says', () => {
  it('leaves `npm run lint` (eslint . && prettier --check .) passing', async () => {
    const snippet = quickstart()!;
    // Not `quickstart.mjs` itself, which a user may have saved there already; any top-level *.mjs is the same.
    const file = join(ROOT, `quickstart-readme-test-${process.pid}.mjs`);
    writeFileSync(file, snippet);
    try {
      const eslint = new ESLint({ cwd: ROOT });
      expect(await eslint.isPathIgnored(file)).toBe(false);
      const [result] = await eslint.lintFiles([file]);
      expect(result!.messages.map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([]);
      // Prettier leaves top-level scripts alone (.prettierignore): a pasted file need not be formatted its way.
      const info = await prettier.getFileInfo(file, { ignorePath: join(ROOT, '.prettierignore') });
      expect(info.ignored).toBe(true);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
