// @ts-nocheck
import { describe, expect, it } from 'vitest';
import {
  hashSecret,
  newAccount,
  parseBasicAuthorization,
  secretMatches,
} from '../../../shared/domain/credentials';
import { sidPattern } from '../../../shared/domain/sid';

describe('credentials', () => {
  it('creates an account whose token is stored only as a hash', () => {
    const { account, authToken } = newAccount(new Date());
    expect(account.sid).toMatch(sidPattern('AC'));
    expect(authToken).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(account)).not.toContain(authToken);
    expect(secretMatches(authToken, account.authTokenHash)).toBe(true);
    expect(secretMatches(`${authToken}x`, account.authTokenHash)).toBe(false);
    expect(secretMatches(authToken, hashSecret('other'))).toBe(false);
    expect(secretMatches(authToken, 'short')).toBe(false);
  });

  it('parses HTTP Basic credentials, passwords with colons included', () => {
    const header = `Basic ${Buffer.from('token:a.b:c').toString('base64')}`;
    expect(parseBasicAuthorization(header)).toEqual({ username: 'token', password: 'a.b:c' });
    expect(parseBasicAuthorization(`basic ${Buffer.from('AC1:t').toString('base64')}`)?.username).toBe('AC1');
    expect(parseBasicAuthorization('Bearer abc')).toBeUndefined();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
  });
});
