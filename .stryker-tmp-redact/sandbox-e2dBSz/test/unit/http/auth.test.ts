// @ts-nocheck
import { CompactSign } from 'jose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessTokenStore, AccountStore, DeviceKey, FactorStore } from '../../../shared/app/ports';
import { loadConfig } from '../../../shared/config';
import { newAccount, newApiKey } from '../../../shared/domain/credentials';
import { DomainError } from '../../../shared/domain/errors';
import {
  authenticate,
  clearCredentialCache,
  takeRequestToken,
  type AuthDeps,
} from '../../../shared/http/auth';
import { accountCredentials } from '../../../shared/http/auth/account';
import { deviceCredentials } from '../../../shared/http/auth/device';
import { deviceKey } from '../../support/fixtures';

const config = loadConfig({ CREDENTIAL_CACHE_TTL_MS: '5000', ACCOUNT_RATE_LIMIT: '10' });
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const kindOf = (error: unknown) => (error instanceof DomainError ? error.kind : String(error));

/** Stores held in memory, with every read counted. */
function fakeStores() {
  const accounts = new Map<string, ReturnType<typeof newAccount>['account']>();
  const apiKeys = new Map<string, ReturnType<typeof newApiKey>['apiKey']>();
  const devices = new Map<string, DeviceKey>();
  const reads = { accounts: 0, apiKeys: 0, devices: 0 };
  const deps: AuthDeps = {
    config,
    accounts: {
      getAccount: async (sid) => (reads.accounts++, accounts.get(sid)),
      getApiKey: async (sid) => (reads.apiKeys++, apiKeys.get(sid)),
    } as AccountStore,
    factors: { getDeviceKey: async (kid) => (reads.devices++, devices.get(kid)) } as FactorStore,
    accessTokens: {} as AccessTokenStore,
  };
  return { deps, accounts, apiKeys, devices, reads };
}

beforeEach(() => clearCredentialCache());

describe('account credentials', () => {
  it('refuses a malformed SID or token without a read', async () => {
    const { deps, reads } = fakeStores();
    const authenticators = [accountCredentials(deps)];
    const sid = `AC${'a'.repeat(32)}`;
    for (const header of [
      basic(sid, 'wrong'),
      basic(sid, 'A'.repeat(32)),
      basic(`AC${'a'.repeat(31)}`, 'a'.repeat(32)),
      basic(`${sid}x`, 'a'.repeat(32)),
      'Bearer x',
      undefined,
    ]) {
      await expect(authenticate(header, authenticators, config, new Date())).rejects.toSatisfy(
        (e) => kindOf(e) === 'unauthenticated',
      );
    }
    expect(reads).toEqual({ accounts: 0, apiKeys: 0, devices: 0 });
  });

  it('remembers a verified token for the cache lifetime only, so a rotation takes effect within it', async () => {
    const { deps, accounts, reads } = fakeStores();
    const authenticators = [accountCredentials(deps)];
    const { account, authToken } = newAccount(new Date());
    accounts.set(account.sid, account);
    const t0 = new Date('2026-12-01T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const header = basic(account.sid, authToken);
    await authenticate(header, authenticators, config, t0);
    await authenticate(header, authenticators, config, at(4_999));
    expect(reads.accounts).toBe(1);
    // The token is rotated: the old one works at most until the cached entry expires.
    accounts.set(account.sid, newAccount(t0, undefined, account.sid).account);
    await authenticate(header, authenticators, config, at(4_999));
    await expect(authenticate(header, authenticators, config, at(5_000))).rejects.toSatisfy(
      (e) => kindOf(e) === 'unauthenticated',
    );
    expect(reads.accounts).toBe(2);
  });

  it('remembers a refusal briefly: repeating a wrong token costs no read, the right one is unaffected', async () => {
    const { deps, accounts, reads } = fakeStores();
    const authenticators = [accountCredentials(deps)];
    const { account, authToken } = newAccount(new Date());
    accounts.set(account.sid, account);
    const now = new Date();
    for (let i = 0; i < 3; i++) {
      await expect(
        authenticate(basic(account.sid, '0'.repeat(32)), authenticators, config, now),
      ).rejects.toSatisfy((e) => kindOf(e) === 'unauthenticated');
    }
    expect(reads.accounts).toBe(1);
    await expect(authenticate(basic(account.sid, authToken), authenticators, config, now)).resolves.toEqual({
      kind: 'account',
      accountSid: account.sid,
    });
    // After the refusal's lifetime the wrong token is looked up again.
    await authenticate(
      basic(account.sid, '0'.repeat(32)),
      authenticators,
      config,
      new Date(now.getTime() + 5_000),
    ).catch(() => undefined);
    expect(reads.accounts).toBe(3);
  });

  it('remembers at most 1,000 credentials, forgetting the oldest first', async () => {
    const { deps, reads } = fakeStores();
    const authenticators = [accountCredentials(deps)];
    const now = new Date();
    const refuse = (i: number) =>
      authenticate(
        basic(`AC${i.toString(16).padStart(32, '0')}`, 'a'.repeat(32)),
        authenticators,
        config,
        now,
      ).catch(() => undefined);
    await refuse(0);
    for (let i = 1; i < 1000; i++) await refuse(i);
    // 1,000 remembered: the first still costs no read.
    await refuse(0);
    expect(reads.accounts).toBe(1000);
    await refuse(1000);
    // The 1,001st pushed out the oldest.
    await refuse(0);
    expect(reads.accounts).toBe(1002);
  });

  it('accepts an API key for its account', async () => {
    const { deps, apiKeys } = fakeStores();
    const { account } = newAccount(new Date());
    const { apiKey, secret } = newApiKey(account.sid, 'ci', new Date());
    apiKeys.set(apiKey.sid, apiKey);
    const principal = await authenticate(
      basic(apiKey.sid, secret),
      [accountCredentials(deps)],
      config,
      new Date(),
    );
    expect(principal).toEqual({ kind: 'account', accountSid: account.sid });
  });
});

describe('device credentials', () => {
  const accountSid = `AC${'1'.repeat(32)}`;
  const credentialSid = `CR${'2'.repeat(32)}`;
  const now = new Date('2026-12-01T10:00:00Z');
  const seconds = Math.floor(now.getTime() / 1000);

  function setUp() {
    const stores = fakeStores();
    const key = deviceKey();
    stores.devices.set(credentialSid, {
      credentialSid,
      accountSid,
      serviceSid: `VA${'3'.repeat(32)}`,
      identity: 'user-0001-alice',
      factorSid: `YF${'4'.repeat(32)}`,
      publicKey: key.publicKey,
    });
    const token = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      new CompactSign(
        Buffer.from(JSON.stringify({ sub: accountSid, nbf: seconds - 10, exp: seconds + 590, ...claims })),
      )
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: credentialSid, ...header })
        .sign(key.privateKey);
    const login = async (jwt: string) =>
      authenticate(basic('token', jwt), [deviceCredentials(stores.deps)], config, now);
    return { ...stores, token, login };
  }

  it('accepts the token the SDKs make', async () => {
    const { token, login } = setUp();
    await expect(login(await token({}))).resolves.toMatchObject({ kind: 'device', accountSid });
  });

  it('refuses a token for another account (`sub`)', async () => {
    const { token, login } = setUp();
    await expect(login(await token({ sub: `AC${'9'.repeat(32)}` }))).rejects.toSatisfy(
      (e) => kindOf(e) === 'unauthenticated',
    );
  });

  it('refuses a token claiming a lifetime over an hour', async () => {
    const { token, login } = setUp();
    await expect(login(await token({ nbf: seconds - 10, exp: seconds + 3600 }))).rejects.toSatisfy(
      (e) => kindOf(e) === 'unauthenticated',
    );
    await expect(login(await token({ nbf: seconds - 10, exp: seconds + 3580 }))).resolves.toMatchObject({
      kind: 'device',
    });
  });

  it('refuses a token whose `typ` is not JWT', async () => {
    const { token, login } = setUp();
    await expect(login(await token({}, { typ: 'at+jwt' }))).rejects.toSatisfy(
      (e) => kindOf(e) === 'unauthenticated',
    );
  });

  it('answers a token outside its window with the server time, for the SDKs to resync', async () => {
    const { token, login } = setUp();
    const error = await login(await token({ nbf: seconds + 120, exp: seconds + 700 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'device-token-out-of-time', detail: { serverTime: now } });
  });

  it('refuses a malformed `kid` (3,000 characters, or not CR + 32 hex digits) without a read', async () => {
    const { token, login, reads } = setUp();
    for (const kid of ['CR' + 'a'.repeat(2998), 'CR123', `XX${'2'.repeat(32)}`]) {
      await expect(login(await token({}, { kid }))).rejects.toSatisfy((e) => kindOf(e) === 'unauthenticated');
    }
    expect(reads.devices).toBe(0);
  });

  it('is not let in by the cache where the route does not take device credentials', async () => {
    const { token, deps } = setUp();
    const header = basic('token', await token({}));
    await authenticate(header, [deviceCredentials(deps)], config, now);
    // Remembered now; a route for backends only (account credentials) still refuses it.
    await expect(authenticate(header, [accountCredentials(deps)], config, now)).rejects.toSatisfy(
      (e) => kindOf(e) === 'unauthenticated',
    );
  });

  it('stops accepting a deleted factor’s key once the cached entry expires', async () => {
    const { token, devices, deps } = setUp();
    const header = basic('token', await token({}));
    const authenticators = [deviceCredentials(deps)];
    await authenticate(header, authenticators, config, now);
    devices.clear();
    await authenticate(header, authenticators, config, new Date(now.getTime() + 4_999));
    await expect(
      authenticate(header, authenticators, config, new Date(now.getTime() + 5_000)),
    ).rejects.toSatisfy((e) => kindOf(e) === 'unauthenticated');
  });
});

describe('per-account request limit', () => {
  it('allows a burst of twice the rate, then refills at the rate', () => {
    const accountSid = `AC${'5'.repeat(32)}`;
    const t0 = new Date('2026-12-01T10:00:00Z');
    for (let i = 0; i < 20; i++) takeRequestToken(accountSid, config, t0);
    expect(() => takeRequestToken(accountSid, config, t0)).toThrow(
      expect.objectContaining({ kind: 'too-many-requests' }),
    );
    // Another account is not affected.
    takeRequestToken(`AC${'6'.repeat(32)}`, config, t0);
    // A tenth of a second later one more request fits (10 per second).
    takeRequestToken(accountSid, config, new Date(t0.getTime() + 100));
    expect(() => takeRequestToken(accountSid, config, new Date(t0.getTime() + 100))).toThrow();
  });

  it('can be turned off', () => {
    const off = loadConfig({ ACCOUNT_RATE_LIMIT: '0' });
    for (let i = 0; i < 1000; i++) takeRequestToken(`AC${'7'.repeat(32)}`, off, new Date(0));
  });
});

describe('configuration', () => {
  it('fails with a message naming the variable, instead of NaN', () => {
    expect(() => loadConfig({ CHALLENGE_RETENTION_DAYS: 'thirty' })).toThrow(
      /CHALLENGE_RETENTION_DAYS must be a whole number/,
    );
    expect(() => loadConfig({ CREDENTIAL_CACHE_TTL_MS: '1e3' })).toThrow(/CREDENTIAL_CACHE_TTL_MS/);
    expect(() => loadConfig({ EVENTS_INCLUDE_PII: 'yes' })).toThrow(
      /EVENTS_INCLUDE_PII must be true or false/,
    );
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'verify.example.com' })).toThrow(/PUBLIC_BASE_URL/);
  });

  it('has defaults for what is optional', () => {
    expect(loadConfig({})).toMatchObject({
      challengeRetentionDays: 30,
      credentialCacheTtlMs: 5000,
      accountRateLimit: 100,
      eventsIncludePii: true,
      allowedOrigins: ['*'],
    });
  });

  it('fails a Lambda cold start on a bad setting', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'FetchService');
    vi.stubEnv('CHALLENGE_RETENTION_DAYS', '-1');
    vi.resetModules();
    try {
      await expect(import('../../../functions/services/fetch')).rejects.toThrow(/CHALLENGE_RETENTION_DAYS/);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
