// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { runAdmin } from '../../infra/admin/cli';
import { openAuthToken } from '../../shared/app/accounts';
import { testDeps } from '../support/deps';
import { rawRequest, startTestServer } from '../support/server';

const field = (output: string, label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(output)![1]!;

describe('admin command against the table', () => {
  it('creates an account and API key that authenticate, and rotates the token', async () => {
    const server = await startTestServer();
    try {
      const created = await runAdmin(['create-account', '--table', process.env.TABLE_NAME!]);
      const account = { sid: field(created, 'Account SID'), authToken: field(created, 'Auth token') };
      expect((await rawRequest(`${server.url}/v2/Services`, { auth: account })).status).toBe(200);

      const key = await runAdmin(['create-api-key', '--account', account.sid]);
      const apiKey = { sid: field(key, 'API key SID'), authToken: field(key, 'Secret') };
      expect((await rawRequest(`${server.url}/v2/Services`, { auth: apiKey })).status).toBe(200);

      const rotated = await runAdmin(['rotate-token', '--account', account.sid]);
      const fresh = { sid: account.sid, authToken: field(rotated, 'Auth token') };
      expect(fresh.authToken).not.toBe(account.authToken);
      expect((await rawRequest(`${server.url}/v2/Services`, { auth: fresh })).status).toBe(200);
      // The token is kept sealed beside its hash (never in plain), and opens to the new one: webhooks are
      // signed with the rotated token from now on.
      const stored = await testDeps().accounts.getAccount(account.sid);
      expect(JSON.stringify(stored)).not.toContain(fresh.authToken);
      expect(await openAuthToken(testDeps(), account.sid)).toEqual({ token: fresh.authToken });

      await expect(runAdmin(['rotate-token', '--account', `AC${'0'.repeat(32)}`])).rejects.toThrow(
        'No account',
      );
      await expect(runAdmin(['frobnicate'])).rejects.toThrow('Unknown command');
    } finally {
      await server.close();
    }
  });
});
