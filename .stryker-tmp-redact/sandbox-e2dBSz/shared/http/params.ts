// @ts-nocheck
import * as z from 'zod/mini';
import { invalidParameter, missingParameter } from '../domain/errors';
import { sidPattern } from '../domain/sid';
import type { Params } from './form';

/**
 * Field schemas for form and query parameters. Every input is a string (or a list of strings for repeated
 * parameters); each schema checks it and converts it, with a message that completes "Invalid parameter X: …".
 */
export const text = (max: number, min = 1) =>
  z
    .string()
    .check(
      z.minLength(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`),
      z.maxLength(max, `must be at most ${max} characters`),
    );

export const integer = (min: number, max: number) => {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .pipe(z.string().check(z.regex(/^-?\d{1,9}$/, message)), z.transform(Number))
    .check(z.refine((value: number) => value >= min && value <= max, message));
};

export const boolean = () =>
  z.pipe(
    z.string().check(z.regex(/^(true|false)$/i, 'must be true or false')),
    z.transform((value: string) => value.toLowerCase() === 'true'),
  );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(', ')}` });

export const sid = (prefix: string) =>
  z.string().check(z.regex(sidPattern(prefix), `must be a ${prefix} SID`));

/**
 * `JSON.parse` whose objects have no prototype: whatever keys a user sends (`toString`, `hasOwnProperty`…)
 * are only ever data, never members inherited from `Object.prototype`.
 */
export function parseUserJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.setPrototypeOf(value, null)
      : value,
  );
}

/**
 * Keys refused in user JSON objects. The AWS SDK's DynamoDB marshalling builds plain objects, so a
 * `__proto__` key would be lost (or fail the write) and a `constructor` key makes it reject the map: rather
 * than a 500 or a silently different value, these two are a 400 naming the parameter. Every other key is
 * stored and returned as sent.
 */
export const RESERVED_JSON_KEYS: readonly string[] = ['__proto__', 'constructor'];

/** A JSON object whose values are all strings, given as a string of at most `max` characters. */
export const jsonStringMap = (max = 1024) =>
  z.pipe(
    text(max),
    z.transform((value: string, ctx) => {
      const fail = (message: string) => {
        ctx.issues.push({ code: 'custom', message, input: value });
        return z.NEVER;
      };
      let parsed: unknown;
      try {
        parsed = parseUserJson(value);
      } catch {
        return fail('must be a JSON object');
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        Array.isArray(parsed) ||
        !Object.values(parsed).every((entry) => typeof entry === 'string')
      ) {
        return fail('must be a JSON object with only string values');
      }
      const reserved = Object.keys(parsed).find((key) => RESERVED_JSON_KEYS.includes(key));
      if (reserved !== undefined) return fail(`must not use "${reserved}" as a key`);
      return parsed as Record<string, string>;
    }),
  );

type Field = z.ZodMiniType<unknown, unknown>;
type Fields = Record<string, Field>;
const REPEATED = Symbol('repeated');
/** An optional repeated parameter: every value it was given, as a list (one value is a list of one). */
export const repeated = <T extends Field>(schema: T, max: number) =>
  Object.assign(z.optional(z.array(schema).check(z.maxLength(max, `must be given at most ${max} times`))), {
    [REPEATED]: true,
  });

export type Parsed<F extends Fields> = { [K in keyof F]: z.output<F[K]> };

/**
 * Validates parameters against field schemas: a missing required one is 20001, any other fault is 60200,
 * both naming the parameter. A scalar parameter given twice is a fault too. Unknown parameters are ignored,
 * as Twilio does.
 */
/** Object schemas by their field sets: built once, not on every request. */
const objectSchemas = new WeakMap<Fields, z.ZodMiniObject>();

export function parseParams<F extends Fields>(params: Params, fields: F): Parsed<F> {
  const input: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields)) {
    const values = params.get(name);
    if (values === undefined) continue;
    if (REPEATED in schema) input[name] = values;
    else if (values.length > 1) throw invalidParameter(name, 'must be given once');
    else input[name] = values[0];
  }
  let schema = objectSchemas.get(fields);
  if (!schema) objectSchemas.set(fields, (schema = z.object(fields)));
  const result = schema.safeParse(input);
  if (result.success) return result.data as Parsed<F>;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0]);
  if (input[name] === undefined) throw missingParameter(name);
  throw invalidParameter(name, issue.message);
}
