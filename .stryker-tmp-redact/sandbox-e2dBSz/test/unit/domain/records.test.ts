// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { accessTokenExpired, accessTokenSid, newAccessToken } from '../../../shared/domain/access-token';
import { isWellFormedSecret, newApiKey, secretMatches } from '../../../shared/domain/credentials';
import { IDENTITY_PATTERN, newEntity } from '../../../shared/domain/entity';
import { newPushFactor, newTotpFactor, resolveTotpConfig, updateFactor } from '../../../shared/domain/factor';
import { createService, totpIssuer, updateService } from '../../../shared/domain/service';
import { newSid, SidPrefix } from '../../../shared/domain/sid';
import { formatDate } from '../../../shared/domain/time';

/** The records the domain makes and changes, field by field. */

const now = new Date('2026-12-01T10:00:00.123Z');
const later = new Date('2026-12-01T11:00:00Z');
const accountSid = `AC${'1'.repeat(32)}`;

describe('services', () => {
  it('starts from Twilio’s defaults, and changes only what is given', () => {
    const service = createService(accountSid, { friendlyName: 'Bank' }, now);
    expect(service).toEqual({
      sid: expect.stringMatching(/^VA[0-9a-f]{32}$/),
      accountSid,
      friendlyName: 'Bank',
      push: { includeDate: false, apnCredentialSid: null, fcmCredentialSid: null },
      totp: { issuer: null, timeStep: 30, codeLength: 6, skew: 1 },
      dateCreated: '2026-12-01T10:00:00Z',
      dateUpdated: '2026-12-01T10:00:00Z',
    });
    expect(totpIssuer(service)).toBe('Bank');
    const changed = updateService(
      service,
      {
        friendlyName: 'Owl',
        pushIncludeDate: true,
        pushApnCredentialSid: 'CRapn',
        pushFcmCredentialSid: 'CRfcm',
        totpIssuer: 'Owl Bank',
        totpTimeStep: 60,
        totpCodeLength: 8,
        totpSkew: 2,
      },
      later,
    );
    expect(changed).toEqual({
      ...service,
      friendlyName: 'Owl',
      push: { includeDate: true, apnCredentialSid: 'CRapn', fcmCredentialSid: 'CRfcm' },
      totp: { issuer: 'Owl Bank', timeStep: 60, codeLength: 8, skew: 2 },
      dateUpdated: '2026-12-01T11:00:00Z',
    });
    expect(totpIssuer(changed)).toBe('Owl Bank');
    expect(updateService(changed, {}, later)).toEqual(changed);
  });
});

describe('entities and factors', () => {
  const entity = newEntity(accountSid, `VA${'2'.repeat(32)}`, 'user-0001-alice', now);
  const service = createService(accountSid, { friendlyName: 'Bank', totpCodeLength: 8 }, now);

  it('takes identities of 8 to 64 characters in dash-separated alphanumeric groups', () => {
    for (const ok of ['user-0001', 'abcdefgh', 'a'.repeat(64), 'A1-b2-C3d'])
      expect(IDENTITY_PATTERN.test(ok)).toBe(true);
    for (const bad of [
      'abcdefg',
      'a'.repeat(65),
      '-abcdefgh',
      'abcdefgh-',
      'abc--defgh',
      'abc_defgh',
      'abc defgh',
    ]) {
      expect(IDENTITY_PATTERN.test(bad), bad).toBe(false);
    }
    expect(entity).toEqual({
      sid: expect.stringMatching(/^YE[0-9a-f]{32}$/),
      accountSid,
      serviceSid: `VA${'2'.repeat(32)}`,
      identity: 'user-0001-alice',
      dateCreated: '2026-12-01T10:00:00Z',
      dateUpdated: '2026-12-01T10:00:00Z',
    });
  });

  it('resolves a TOTP configuration from the request, then the service', () => {
    expect(resolveTotpConfig(service, {})).toEqual({ alg: 'sha1', skew: 1, codeLength: 8, timeStep: 30 });
    expect(resolveTotpConfig(service, { alg: 'sha256', skew: 0, codeLength: 6, timeStep: 60 })).toEqual({
      alg: 'sha256',
      skew: 0,
      codeLength: 6,
      timeStep: 60,
    });
  });

  it('makes new factors unverified, unlocked, with their type’s binding and settings', () => {
    const common = {
      accountSid,
      serviceSid: entity.serviceSid,
      entitySid: entity.sid,
      identity: entity.identity,
      status: 'unverified',
      failedAttempts: 0,
      lockedUntil: null,
      dateCreated: '2026-12-01T10:00:00Z',
      dateUpdated: '2026-12-01T10:00:00Z',
    };
    const config = { alg: 'sha1' as const, skew: 1, codeLength: 6, timeStep: 30 };
    const totp = newTotpFactor({ sid: 'YF1', entity, friendlyName: 'Phone', config, sealedSecret: 's' }, now);
    expect(totp).toEqual({
      ...common,
      sid: 'YF1',
      friendlyName: 'Phone',
      metadata: null,
      factorType: 'totp',
      config,
      sealedSecret: 's',
      lastAcceptedStep: null,
    });
    const pushConfig = {
      sdkVersion: '1',
      appId: 'a',
      notificationPlatform: 'fcm' as const,
      notificationToken: 't',
    };
    const push = newPushFactor(
      {
        sid: 'YF2',
        entity,
        friendlyName: 'Pixel',
        metadata: { os: 'Android' },
        publicKey: 'MFkw',
        config: pushConfig,
      },
      now,
    );
    expect(push).toEqual({
      ...common,
      sid: 'YF2',
      friendlyName: 'Pixel',
      metadata: { os: 'Android' },
      factorType: 'push',
      config: { ...pushConfig, credentialSid: expect.stringMatching(/^CR[0-9a-f]{32}$/) },
      binding: { alg: 'ES256', publicKey: 'MFkw' },
    });

    // Settings changes: only the factor's own type's, and the rest kept.
    const renamed = updateFactor(
      totp,
      { friendlyName: 'New', metadata: { a: 'b' }, totp: { skew: 2 }, push: { appId: 'x' } },
      later,
    );
    expect(renamed).toEqual({
      ...totp,
      friendlyName: 'New',
      metadata: { a: 'b' },
      config: { ...config, skew: 2 },
      dateUpdated: '2026-12-01T11:00:00Z',
    });
    expect(updateFactor(totp, {}, later)).toEqual({ ...totp, dateUpdated: '2026-12-01T11:00:00Z' });
    const token = updateFactor(push, { push: { notificationToken: 'u' }, totp: { skew: 2 } }, later);
    expect(token).toEqual({
      ...push,
      config: { ...push.config, notificationToken: 'u' },
      dateUpdated: '2026-12-01T11:00:00Z',
    });
  });
});

describe('SIDs, dates and secrets', () => {
  it('makes SIDs of the prefix, the creation time in ms as 12 hex digits, then 20 random ones', () => {
    const sid = newSid(SidPrefix.challenge, new Date(0x123456789ab));
    expect(sid).toMatch(/^YC0123456789ab[0-9a-f]{20}$/);
    expect(newSid(SidPrefix.challenge, new Date(0x123456789ab))).not.toBe(sid);
    expect(newSid(SidPrefix.factor, new Date(2 ** 48 + 5)).slice(2, 14)).toBe('000000000005');
  });

  it('formats dates in whole UTC seconds', () => {
    expect(formatDate(now)).toBe('2026-12-01T10:00:00Z');
    expect(formatDate(new Date('2026-12-01T10:00:00Z'))).toBe('2026-12-01T10:00:00Z');
  });

  it('makes API keys whose secret is stored only as a hash, and knows a well-formed secret', () => {
    const { apiKey, secret } = newApiKey(accountSid, 'ci', now);
    expect(apiKey).toEqual({
      sid: expect.stringMatching(/^SK[0-9a-f]{32}$/),
      accountSid,
      friendlyName: 'ci',
      secretHash: expect.any(String),
      dateCreated: '2026-12-01T10:00:00Z',
    });
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(secretMatches(secret, apiKey.secretHash)).toBe(true);
    expect(JSON.stringify(apiKey)).not.toContain(secret);
    expect(isWellFormedSecret(secret)).toBe(true);
    expect(isWellFormedSecret('ABCDEF0123456789abcdef0123456789')).toBe(true);
    for (const bad of [`${secret}0`, secret.slice(1), `g${secret.slice(1)}`, ` ${secret}`]) {
      expect(isWellFormedSecret(bad), bad).toBe(false);
    }
  });
});

describe('access tokens', () => {
  const input = {
    accountSid,
    serviceSid: `VA${'2'.repeat(32)}`,
    identity: 'user-0001-alice',
    factorFriendlyName: null,
    ttl: 60,
  };

  it('makes a single-use token: its SID, then 256 random bits, stored only as a hash', () => {
    const { accessToken, token } = newAccessToken(input, now);
    expect(accessToken).toEqual({
      ...input,
      sid: expect.stringMatching(/^YK[0-9a-f]{32}$/),
      factorType: 'push',
      dateCreated: '2026-12-01T10:00:00Z',
      tokenHash: expect.any(String),
      used: false,
    });
    expect(token).toMatch(new RegExp(`^${accessToken.sid}\\.[A-Za-z0-9_-]{43}$`));
    expect(secretMatches(token, accessToken.tokenHash)).toBe(true);
    expect(accessTokenSid(token)).toBe(accessToken.sid);
    for (const bad of [
      `${token}x`,
      `x${token}`,
      token.slice(0, -1),
      token.replace('.', ':'),
      `${accessToken.sid}.`,
    ]) {
      expect(accessTokenSid(bad), bad).toBeUndefined();
    }
  });

  it('expires at its TTL after creation, to the millisecond', () => {
    const { accessToken } = newAccessToken(input, now);
    const created = Date.parse(accessToken.dateCreated);
    expect(accessTokenExpired(accessToken, new Date(created + 59_999))).toBe(false);
    expect(accessTokenExpired(accessToken, new Date(created + 60_000))).toBe(true);
  });
});
