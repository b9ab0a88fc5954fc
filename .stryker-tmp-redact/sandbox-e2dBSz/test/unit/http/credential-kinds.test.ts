// @ts-nocheck
import { CompactSign } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createAccessToken } from '../../../shared/app/access-tokens';
import { loadConfig } from '../../../shared/config';
import { newAccount, newApiKey } from '../../../shared/domain/credentials';
import { accountCredentials } from '../../../shared/http/auth/account';
import { deviceCredentials } from '../../../shared/http/auth/device';
import { enrollmentCredentials } from '../../../shared/http/auth/enrollment';
import { Keys } from '../../../shared/store/keys';
import { newIdentity } from '../../support/fixtures';
import { memoryDeps } from '../../support/memory';
import { newService, pushFactor } from '../../support/memory/fixtures';

/** Each credential kind on its own: what it accepts unread, and what its check answers, on the memory stores. */

const config = loadConfig({});
const now = new Date('2026-12-01T10:00:00Z');
const seconds = now.getTime() / 1000;

describe('account credentials', () => {
  const setUp = async () => {
    const deps = memoryDeps({ now });
    const { account, authToken } = newAccount(now);
    await deps.accounts.putAccount(account);
    return { deps, account, authToken, kind: accountCredentials({ ...deps, config }) };
  };

  it('accepts the shape of an account SID or API key SID with 32 lowercase hex digits only', async () => {
    const { kind } = await setUp();
    const hex = 'a'.repeat(32);
    const accepts = (username: string, password: string) => kind.accepts({ username, password });
    expect(accepts(`AC${hex}`, hex)).toBe(true);
    expect(accepts(`SK${hex}`, '0123456789abcdef0123456789abcdef')).toBe(true);
    expect(accepts(hex, hex)).toBe(false);
    expect(accepts(`YF${hex}`, hex)).toBe(false);
    expect(accepts(`AC${hex}`, `${hex}a`)).toBe(false);
    expect(accepts(`AC${hex}`, `x${hex}`)).toBe(false);
    expect(accepts(`AC${hex}`, 'g'.repeat(32))).toBe(false);
  });

  it('answers the account of a right token, remembered without end of its own', async () => {
    const { kind, account, authToken } = await setUp();
    expect(await kind.verify({ username: account.sid, password: authToken }, now)).toEqual({
      principal: { kind: 'account', accountSid: account.sid },
      rememberUntil: Number.POSITIVE_INFINITY,
    });
    expect(await kind.verify({ username: account.sid, password: 'b'.repeat(32) }, now)).toBeUndefined();
  });

  it('checks an unknown SID against a hash too, and refuses it whatever the secret', async () => {
    const { kind, deps } = await setUp();
    const getAccount = vi.spyOn(deps.accounts, 'getAccount');
    const getApiKey = vi.spyOn(deps.accounts, 'getApiKey');
    const unknown = `AC${'c'.repeat(32)}`;
    // Not even the secret the unknown-SID comparison uses gets in.
    expect(await kind.verify({ username: unknown, password: 'unknown' }, now)).toBeUndefined();
    expect(
      await kind.verify({ username: `SK${'c'.repeat(32)}`, password: 'c'.repeat(32) }, now),
    ).toBeUndefined();
    expect(getAccount).toHaveBeenCalledTimes(1);
    expect(getApiKey).toHaveBeenCalledTimes(1);
  });

  it('answers the account of an API key, read as an API key', async () => {
    const { kind, deps, account } = await setUp();
    const { apiKey, secret } = newApiKey(account.sid, 'ci', now);
    await deps.accounts.putApiKey(apiKey);
    const getAccount = vi.spyOn(deps.accounts, 'getAccount');
    expect(await kind.verify({ username: apiKey.sid, password: secret }, now)).toMatchObject({
      principal: { kind: 'account', accountSid: account.sid },
    });
    expect(getAccount).not.toHaveBeenCalled();
  });
});

describe('enrollment credentials', () => {
  async function setUp() {
    const deps = memoryDeps({ now });
    const service = await newService(deps);
    const identity = newIdentity();
    const { accessToken, token } = await createAccessToken(deps, {
      accountSid: service.accountSid,
      serviceSid: service.sid,
      identity,
      factorFriendlyName: 'Pixel',
      ttl: 60,
    });
    const kind = enrollmentCredentials({ ...deps, config });
    const verify = (password: string, at = now) => kind.verify({ username: 'token', password }, at);
    return { deps, service, identity, accessToken, token, kind, verify };
  }

  it('accepts `token:` with an access token’s shape only', async () => {
    const { kind, token } = await setUp();
    expect(kind.accepts({ username: 'token', password: token })).toBe(true);
    expect(kind.accepts({ username: 'Token', password: token })).toBe(false);
    expect(kind.accepts({ username: 'token', password: `${token}x` })).toBe(false);
  });

  it('answers the enrollment principal of an unused token within its TTL, never to be remembered', async () => {
    const { verify, token, accessToken, service, identity } = await setUp();
    expect(await verify(token)).toEqual({
      principal: {
        kind: 'enrollment',
        accountSid: service.accountSid,
        serviceSid: service.sid,
        identity,
        factorFriendlyName: 'Pixel',
        tokenSid: accessToken.sid,
      },
      rememberUntil: 0,
    });
    expect(await verify(token, new Date(now.getTime() + 59_999))).toBeDefined();
    expect(await verify(token, new Date(now.getTime() + 60_000))).toBeUndefined();
  });

  it('refuses a token not stored, not matching its hash, or spent', async () => {
    const { verify, token, deps, accessToken } = await setUp();
    const [sid, secret] = token.split('.') as [string, string];
    const flipped = `${sid}.${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    expect(await verify(flipped)).toBeUndefined();
    const other = `YK${'0'.repeat(32)}.${secret}`;
    expect(await verify(other)).toBeUndefined();
    deps.table.update(Keys.accessToken(accessToken.sid), { used: true });
    expect(await verify(token)).toBeUndefined();
  });
});

describe('device credentials', () => {
  async function setUp() {
    const deps = memoryDeps({ now });
    const { factor, device } = await pushFactor(deps);
    const kind = deviceCredentials({ ...deps, config });
    const getDeviceKey = vi.spyOn(deps.factors, 'getDeviceKey');
    const token = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
      new CompactSign(
        Buffer.from(
          JSON.stringify({ sub: factor.accountSid, nbf: seconds - 10, exp: seconds + 590, ...claims }),
        ),
      )
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: factor.config.credentialSid, ...header })
        .sign(device.privateKey);
    const verify = async (jwt: string | Promise<string>, at = now) =>
      kind.verify({ username: 'token', password: await jwt }, at);
    return { deps, factor, device, kind, token, verify, getDeviceKey };
  }

  it('accepts `token:` with a compact JWS of at most 4096 characters only', async () => {
    const { kind } = await setUp();
    const jws = (length: number) => `aa.bb.${'c'.repeat(length - 6)}`;
    expect(kind.accepts({ username: 'token', password: jws(4096) })).toBe(true);
    expect(kind.accepts({ username: 'token', password: jws(4097) })).toBe(false);
    expect(kind.accepts({ username: 'Token', password: jws(100) })).toBe(false);
    expect(kind.accepts({ username: 'token', password: 'aa.bb' })).toBe(false);
    expect(kind.accepts({ username: 'token', password: 'aa.b!.cc' })).toBe(false);
    expect(kind.accepts({ username: 'token', password: `x ${jws(100)}` })).toBe(false);
    expect(kind.accepts({ username: 'token', password: `${jws(100)} x` })).toBe(false);
  });

  it('answers the device’s factor, remembered until a minute past the token’s expiry', async () => {
    const { verify, token, factor } = await setUp();
    expect(await verify(token())).toEqual({
      principal: {
        kind: 'device',
        accountSid: factor.accountSid,
        serviceSid: factor.serviceSid,
        identity: factor.identity,
        factorSid: factor.sid,
      },
      rememberUntil: (seconds + 590 + 60) * 1000,
    });
    // No `typ` is fine too.
    expect(await verify(token({}, { typ: undefined }))).toBeDefined();
  });

  it('refuses without a read a header that is not ES256 with a credential SID as kid', async () => {
    const { verify, token, getDeviceKey } = await setUp();
    const header = (fields: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.e30.c2ln`;
    expect(await verify(header({ alg: 'HS256', kid: `CR${'1'.repeat(32)}` }))).toBeUndefined();
    expect(await verify(header({ alg: 'ES256', kid: 42 }))).toBeUndefined();
    expect(await verify(header({ alg: 'ES256' }))).toBeUndefined();
    expect(await verify('not-base64!.e30.c2ln')).toBeUndefined();
    expect(await verify(token({}, { typ: 'jwt+x' }))).toBeUndefined();
    expect(getDeviceKey).not.toHaveBeenCalled();
  });

  it('refuses a token of an unknown or deleted key, another key’s signature, or an unusable stored key', async () => {
    const { verify, token, deps, factor, getDeviceKey } = await setUp();
    expect(await verify(token({}, { kid: `CR${'1'.repeat(32)}` }))).toBeUndefined();
    expect(getDeviceKey).toHaveBeenCalledTimes(1);
    const { device: stranger } = await pushFactor(deps);
    const forged = new CompactSign(
      Buffer.from(JSON.stringify({ sub: factor.accountSid, nbf: seconds, exp: seconds + 600 })),
    )
      .setProtectedHeader({ alg: 'ES256', kid: factor.config.credentialSid })
      .sign(stranger.privateKey);
    expect(await verify(forged)).toBeUndefined();
    deps.table.update(Keys.credential(factor.config.credentialSid), { publicKey: 'bm90IGEga2V5' });
    expect(await verify(token())).toBeUndefined();
  });

  it('refuses claims without the account, or without numeric nbf and exp', async () => {
    const { verify, token, device, factor } = await setUp();
    expect(await verify(token({ sub: undefined }))).toBeUndefined();
    expect(await verify(token({ nbf: String(seconds) }))).toBeUndefined();
    expect(await verify(token({ exp: undefined }))).toBeUndefined();
    const signed = (payload: string) =>
      new CompactSign(Buffer.from(payload))
        .setProtectedHeader({ alg: 'ES256', kid: factor.config.credentialSid })
        .sign(device.privateKey);
    expect(await verify(signed('null'))).toBeUndefined();
    expect(await verify(signed('not json'))).toBeUndefined();
  });

  it('allows a lifetime of an hour at most, and a minute of clock difference either side', async () => {
    const { verify, token } = await setUp();
    expect(await verify(token({ nbf: seconds - 10, exp: seconds + 3590 }))).toBeDefined();
    expect(await verify(token({ nbf: seconds - 10, exp: seconds + 3591 }))).toBeUndefined();
    expect(await verify(token({ nbf: seconds + 60, exp: seconds + 600 }))).toBeDefined();
    expect(await verify(token({ nbf: seconds - 600, exp: seconds - 60 }))).toBeDefined();
    const early = await verify(token({ nbf: seconds + 61, exp: seconds + 600 })).catch((e: unknown) => e);
    expect(early).toMatchObject({ kind: 'device-token-out-of-time', detail: { serverTime: now } });
    const late = await verify(token({ nbf: seconds - 600, exp: seconds - 61 })).catch((e: unknown) => e);
    expect(late).toMatchObject({ kind: 'device-token-out-of-time' });
  });
});
