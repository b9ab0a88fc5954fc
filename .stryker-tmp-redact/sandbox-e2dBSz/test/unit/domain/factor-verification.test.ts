// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { newEntity } from '../../../shared/domain/entity';
import { newPushFactor, newTotpFactor, type Factor } from '../../../shared/domain/factor';
import { evaluateFactorVerification } from '../../../shared/domain/factor-verification';
import { totpCode, totpStep } from '../../../shared/domain/totp';
import { deviceKey, signFactorSid } from '../../support/fixtures';

const now = new Date('2026-11-22T10:00:00Z');
const entity = newEntity('AC' + 'a'.repeat(32), 'VA' + 'b'.repeat(32), 'user-12345678', now);
const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const config = { alg: 'sha1' as const, skew: 1, codeLength: 6, timeStep: 30 };
const totp = newTotpFactor(
  { sid: 'YF' + 'c'.repeat(32), entity, friendlyName: 'a', config, sealedSecret: 'x' },
  now,
);
const device = deviceKey();
const push = newPushFactor(
  {
    sid: 'YF' + 'd'.repeat(32),
    entity,
    friendlyName: 'phone',
    publicKey: device.publicKey,
    config: { sdkVersion: '1.0', appId: 'app', notificationPlatform: 'none', notificationToken: null },
  },
  now,
);
const lockedUntil = new Date(now.getTime() + 60_000);
const locked = (factor: Factor): Factor => ({
  ...factor,
  failedAttempts: 5,
  lockedUntil: lockedUntil.toISOString(),
});

describe('factor verification', () => {
  it('verifies a TOTP factor with the current code and reports the step it used', () => {
    const code = totpCode(secret, config, totpStep(now, 30));
    expect(evaluateFactorVerification(totp, code, now, secret)).toEqual({
      outcome: 'verified',
      acceptedStep: totpStep(now, 30),
    });
  });

  it('fails a wrong or replayed TOTP code', () => {
    const code = totpCode(secret, config, totpStep(now, 30));
    expect(evaluateFactorVerification(totp, '000000', now, secret).outcome).toBe('failed');
    const used = { ...totp, lastAcceptedStep: totpStep(now, 30) };
    expect(evaluateFactorVerification(used, code, now, secret).outcome).toBe('failed');
  });

  it('verifies a push factor with the device signature of its SID', () => {
    expect(evaluateFactorVerification(push, signFactorSid(device.privateKey, push.sid), now)).toEqual({
      outcome: 'verified',
      acceptedStep: null,
    });
    expect(
      evaluateFactorVerification(push, signFactorSid(deviceKey().privateKey, push.sid), now).outcome,
    ).toBe('failed');
  });

  it('refuses any payload while the factor is locked, and says until when', () => {
    const code = totpCode(secret, config, totpStep(now, 30));
    expect(evaluateFactorVerification({ ...totp, failedAttempts: 4 }, code, now, secret).outcome).toBe(
      'verified',
    );
    expect(evaluateFactorVerification(locked(totp), code, now, secret)).toEqual({
      outcome: 'locked',
      until: lockedUntil,
    });
    expect(
      evaluateFactorVerification(locked(push), signFactorSid(device.privateKey, push.sid), now).outcome,
    ).toBe('locked');
    // The lock passed: the count alone does not lock.
    expect(evaluateFactorVerification(locked(totp), code, lockedUntil, secret).outcome).toBe('failed');
    const inTime = totpCode(secret, config, totpStep(lockedUntil, 30));
    expect(evaluateFactorVerification(locked(totp), inTime, lockedUntil, secret).outcome).toBe('verified');
    expect(evaluateFactorVerification({ ...totp, failedAttempts: 20 }, inTime, lockedUntil, secret)).toEqual({
      outcome: 'locked',
    });
  });
});
