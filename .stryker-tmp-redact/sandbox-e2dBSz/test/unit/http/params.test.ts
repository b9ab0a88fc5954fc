// @ts-nocheck
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { parseForm } from '../../../shared/http/form';
import {
  boolean,
  integer,
  jsonStringMap,
  oneOf,
  parseParams,
  repeated,
  sid,
  text,
} from '../../../shared/http/params';
import { answeredFailure } from '../../support/deps';

const fields = {
  Name: text(5),
  Step: z.optional(integer(20, 60)),
  Flag: z.optional(boolean()),
  Alg: z.optional(oneOf(['sha1', 'sha256'])),
  Meta: z.optional(jsonStringMap(30)),
  Items: repeated(text(3), 2),
  Sid: z.optional(sid('VA')),
};

const failure = (body: string) => answeredFailure(() => parseParams(parseForm(body), fields));

describe('parameter parsing', () => {
  it('converts valid parameters', () => {
    const parsed = parseParams(
      parseForm(
        'Name=ab%20c&Step=30&Flag=TRUE&Alg=sha1&Meta=%7B%22os%22%3A%22ios%22%7D&Items=a&Items=b+c&Other=x',
      ),
      fields,
    );
    expect(parsed).toEqual({
      Name: 'ab c',
      Step: 30,
      Flag: true,
      Alg: 'sha1',
      Meta: { os: 'ios' },
      Items: ['a', 'b c'],
    });
  });

  it("keeps a JSON object's keys as data: Object.prototype's names are ordinary keys", () => {
    const meta = encodeURIComponent('{"toString":"a","valueOf":"b"}');
    const parsed = parseParams(parseForm(`Name=a&Meta=${meta}`), fields).Meta!;
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(Object.entries(parsed)).toEqual([
      ['toString', 'a'],
      ['valueOf', 'b'],
    ]);
    expect(JSON.stringify(parsed)).toBe('{"toString":"a","valueOf":"b"}');
  });

  it('takes a single value of a repeated parameter as a list of one', () => {
    expect(parseParams(parseForm('Name=a&Items=x'), fields).Items).toEqual(['x']);
  });

  it.each([
    ['', 20001, 'Missing required parameter Name in the post body'],
    ['Name=', 60200, 'Invalid parameter Name: must not be empty'],
    ['Name=toolong', 60200, 'Invalid parameter Name: must be at most 5 characters'],
    ['Name=a&Name=b', 60200, 'Invalid parameter Name: must be given once'],
    ['Name=a&Step=19', 60200, 'Invalid parameter Step: must be an integer between 20 and 60'],
    ['Name=a&Step=3.5', 60200, 'Invalid parameter Step: must be an integer between 20 and 60'],
    ['Name=a&Flag=yes', 60200, 'Invalid parameter Flag: must be true or false'],
    ['Name=a&Alg=md5', 60200, 'Invalid parameter Alg: must be one of: sha1, sha256'],
    ['Name=a&Meta=%7Bbroken', 60200, 'Invalid parameter Meta: must be a JSON object'],
    [
      'Name=a&Meta=%5B%22x%22%5D',
      60200,
      'Invalid parameter Meta: must be a JSON object with only string values',
    ],
    [
      'Name=a&Meta=%7B%22n%22%3A1%7D',
      60200,
      'Invalid parameter Meta: must be a JSON object with only string values',
    ],
    [
      `Name=a&Meta=${encodeURIComponent(JSON.stringify({ k: 'v'.repeat(40) }))}`,
      60200,
      'Invalid parameter Meta: must be at most 30 characters',
    ],
    [
      `Name=a&Meta=${encodeURIComponent('{"__proto__":"x"}')}`,
      60200,
      'Invalid parameter Meta: must not use "__proto__" as a key',
    ],
    [
      `Name=a&Meta=${encodeURIComponent('{"constructor":"x"}')}`,
      60200,
      'Invalid parameter Meta: must not use "constructor" as a key',
    ],
    [
      `Name=a&Meta=${encodeURIComponent('{"__proto__":{}}')}`,
      60200,
      'Invalid parameter Meta: must be a JSON object with only string values',
    ],
    ['Name=a&Items=abcd', 60200, 'Invalid parameter Items: must be at most 3 characters'],
    ['Name=a&Items=a&Items=b&Items=c', 60200, 'Invalid parameter Items: must be given at most 2 times'],
    ['Name=a&Sid=VA123', 60200, 'Invalid parameter Sid: must be a VA SID'],
    ['Name=a%zz', 60200, 'Invalid parameter Name: is not valid form encoding'],
    ['Na%zzme=a', 60200, 'Invalid parameter request body: is not valid form encoding'],
  ])('answers %j with %i naming the parameter', (body, code, message) => {
    expect(failure(body)).toEqual({ status: 400, code, message });
  });

  it('keeps raw "=", "/" and ";" inside values, as the iOS SDK sends them', () => {
    expect(parseForm('AuthPayload=ab/c+d==;x').get('AuthPayload')).toEqual(['ab/c d==;x']);
    expect(parseForm('AuthPayload=ab%2Fc%2Bd%3D%3D').get('AuthPayload')).toEqual(['ab/c+d==']);
  });
});
