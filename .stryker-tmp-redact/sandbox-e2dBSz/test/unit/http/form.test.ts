// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { parseForm } from '../../../shared/http/form';
import { superlinearity } from '../../support/scaling';

describe('form parsing', () => {
  it('keeps every value of a repeated key, in order', () => {
    expect(parseForm('a=1&b=2&a=3&a').get('a')).toEqual(['1', '3', '']);
  });

  it('parses in time linear in the number of repeated keys', () => {
    // 21,000 repeated keys (a 64 KB body) used to take seconds: the value list was copied on every key.
    const repeatedKeys = (n: number) => parseForm('a=&'.repeat(n));
    expect(superlinearity(repeatedKeys, 2000)).toBeLessThan(4);
    expect(parseForm('a=&'.repeat(21_000)).get('a')).toHaveLength(21_000);
  });
});
