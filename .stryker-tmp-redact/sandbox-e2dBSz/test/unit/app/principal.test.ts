// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { assertWithinScope, type Principal } from '../../../shared/app/principal';

const accountSid = `AC${'1'.repeat(32)}`;
const serviceSid = `VA${'2'.repeat(32)}`;
const identity = 'user-0001-alice';
const factorSid = `YF${'3'.repeat(32)}`;
const device: Principal = { kind: 'device', accountSid, serviceSid, identity, factorSid };
const enrollment: Principal = {
  kind: 'enrollment',
  accountSid,
  serviceSid,
  identity,
  factorFriendlyName: null,
  tokenSid: `YK${'4'.repeat(32)}`,
};
const outside = (principal: Principal, target: Parameters<typeof assertWithinScope>[1]) => {
  try {
    assertWithinScope(principal, target);
    return false;
  } catch (error) {
    expect(error).toMatchObject({ kind: 'not-found' });
    return true;
  }
};

describe('who may reach what', () => {
  it('lets a backend reach anything of its account', () => {
    const backend: Principal = { kind: 'account', accountSid };
    expect(
      outside(backend, { serviceSid: `VA${'9'.repeat(32)}`, identity: 'user-0002-bob', factorSid: 'x' }),
    ).toBe(false);
  });

  it('keeps a device to its own factor of its own entity', () => {
    expect(outside(device, { serviceSid, identity, factorSid })).toBe(false);
    expect(outside(device, { serviceSid, identity })).toBe(false);
    expect(outside(device, { serviceSid, identity, factorSid: `YF${'5'.repeat(32)}` })).toBe(true);
    expect(outside(device, { serviceSid, identity: 'user-0002-bob', factorSid })).toBe(true);
    expect(outside(device, { serviceSid: `VA${'9'.repeat(32)}`, identity, factorSid })).toBe(true);
  });

  it('keeps an enrollment token to its entity, whatever the factor', () => {
    expect(outside(enrollment, { serviceSid, identity })).toBe(false);
    expect(outside(enrollment, { serviceSid, identity, factorSid: `YF${'5'.repeat(32)}` })).toBe(false);
    expect(outside(enrollment, { serviceSid, identity: 'user-0002-bob' })).toBe(true);
    expect(outside(enrollment, { serviceSid: `VA${'9'.repeat(32)}`, identity })).toBe(true);
  });
});
