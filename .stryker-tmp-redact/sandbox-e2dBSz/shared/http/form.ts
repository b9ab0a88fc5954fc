// @ts-nocheck
import { invalidParameter } from '../domain/errors';

/** Decoded parameters; every name may repeat (twilio-node sends arrays as repeated keys). */
export type Params = Map<string, string[]>;

export const MAX_BODY_BYTES = 64 * 1024;

function decode(text: string, name: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalidParameter(name, 'is not valid form encoding');
  }
}

/**
 * Strict `application/x-www-form-urlencoded` parsing: a malformed percent escape is a 400 naming the
 * parameter, not a silently mangled value. Values may contain raw `=`, `/`, `:` and `;` (the iOS SDK sends
 * them unescaped).
 */
export function parseForm(body: string): Params {
  const params: Params = new Map();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = decode(rawName, 'request body');
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1), name);
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** API Gateway's `multiValueQueryStringParameters` (already decoded) as Params. */
export function queryParams(query: Record<string, string[] | undefined> | null | undefined): Params {
  const params: Params = new Map();
  for (const [name, values] of Object.entries(query ?? {})) if (values) params.set(name, values);
  return params;
}
