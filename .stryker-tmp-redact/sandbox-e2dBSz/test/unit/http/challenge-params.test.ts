// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { newChallengeParams } from '../../../shared/http/challenge-params';
import { parseForm } from '../../../shared/http/form';
import { answeredFailure } from '../../support/deps';

const now = new Date('2030-01-02T03:00:00Z');
const FACTOR_SID = `YF${'a'.repeat(32)}`;
const create = (expirationDate: string) =>
  newChallengeParams(
    parseForm(new URLSearchParams({ FactorSid: FACTOR_SID, ExpirationDate: expirationDate }).toString()),
    now,
  );

const failure = (expirationDate: string) => answeredFailure(() => create(expirationDate));

describe('ExpirationDate', () => {
  it.each([
    ['2030-01-02T03:30:00Z', '2030-01-02T03:30:00.000Z'],
    ['2030-01-02T03:30:00.123456Z', '2030-01-02T03:30:00.123Z'],
    ['2030-01-02T04:30:00+01:00', '2030-01-02T03:30:00.000Z'],
    ['2030-01-02T04:30:00+0100', '2030-01-02T03:30:00.000Z'],
    ['2030-01-01T23:45:00-03:30', '2030-01-02T03:15:00.000Z'],
    ['2030-01-02T17:30:00+14:00', '2030-01-02T03:30:00.000Z'],
  ])('reads %s as %s', (given, expected) => {
    expect(create(given).expirationDate.toISOString()).toBe(expected);
  });

  it.each([
    '2030-13-45T99:99:99Z',
    '2030-01-02T03:30:00+99:99',
    '2030-01-02T03:30:00+15:00',
    '2030-01-02T03:30:00+01:60',
    '2030-00-02T03:30:00Z',
    '2030-01-00T03:30:00Z',
    '2030-01-32T03:30:00Z',
    '2030-02-29T03:30:00Z',
    '2030-04-31T03:30:00Z',
    '2030-01-02T24:00:00Z',
    '2030-01-02T03:60:00Z',
    '2030-01-02T03:30:60Z',
    '2030-01-02 03:30:00Z',
    '2030-01-02T03:30Z',
    'tomorrow',
    '',
  ])('refuses %j with a 400 naming ExpirationDate', (given) => {
    expect(failure(given)).toEqual({
      status: 400,
      code: 60200,
      message: expect.stringMatching(/^Invalid parameter ExpirationDate: /),
    });
  });

  it('knows leap years', () => {
    const leap = new Date('2032-02-29T03:30:00Z');
    const at = (date: string) =>
      newChallengeParams(
        parseForm(new URLSearchParams({ FactorSid: FACTOR_SID, ExpirationDate: date }).toString()),
        new Date(leap.getTime() - 60_000),
      ).expirationDate;
    expect(at('2032-02-29T03:30:00Z')).toEqual(leap);
    expect(failure('2100-02-29T03:30:00Z').status).toBe(400);
  });
});
