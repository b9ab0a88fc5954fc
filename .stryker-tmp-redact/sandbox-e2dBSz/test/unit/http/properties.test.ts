// @ts-nocheck
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBasicAuthorization } from '../../../shared/domain/credentials';
import { DomainError } from '../../../shared/domain/errors';
import { parseIsoDateTime } from '../../../shared/domain/time';
import { newChallengeParams } from '../../../shared/http/challenge-params';
import { parseForm, type Params } from '../../../shared/http/form';
import { twilioError } from '../../../shared/http/errors';
import { decodeToken, encodeToken } from '../../../shared/store/paging';
import { matchPath, resolveRoute, ROUTES } from '../../../shared/http/routes';

/**
 * Properties of the parsers every request goes through: whatever the input, they answer a value or a 400
 * DomainError, never another exception (which would be a 500).
 */
const RUNS = { numRuns: 300 };

/** Runs `parse`; a thrown error must be a 400 (optionally naming `parameter`), anything else fails. */
function valueOr400<T>(parse: () => T, parameter?: string): T | DomainError {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const answered = twilioError(error);
    expect(answered.status).toBe(400);
    if (parameter) expect(answered.message).toContain(parameter);
    return error as DomainError;
  }
}

/** Any Unicode text (no lone surrogates: those cannot be UTF-8 encoded, so no client can send them). */
const text = (maxLength = 40) => fc.string({ unit: 'binary', maxLength });
/** Text dense in what form and URL parsing treat specially. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('%', '+', '=', '&', '/', ':', ';', '?', '#', '%2', '%zz', '%E0%A4%A', '%00', '%25', ' '),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.stringMatching(/^%[0-9a-fA-F]{2}$/),
  ),
  maxLength: 30,
});

const group = (pairs: [string, string][]): Params => {
  const expected: Params = new Map();
  for (const [name, value] of pairs) expected.set(name, [...(expected.get(name) ?? []), value]);
  return expected;
};

describe('form parsing (properties)', () => {
  it('round-trips any list of names and values, encoded as URLSearchParams or with %20', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text(), text()), { maxLength: 12 }), (pairs) => {
        // A name-less, value-less pair encodes as "=", which a form cannot tell from nothing: skip it.
        const sent = pairs.filter(([name, value]) => name !== '' || value !== '');
        const plus = new URLSearchParams(sent).toString();
        const percent = sent
          .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
          .join('&');
        expect(parseForm(plus)).toEqual(group(sent));
        expect(parseForm(percent)).toEqual(group(sent));
      }),
      RUNS,
    );
  });

  it('answers any body with parameters or a 400 DomainError', () => {
    fc.assert(
      fc.property(fc.oneof(text(200), hostileText), (body) => {
        const result = valueOr400(() => parseForm(body));
        if (result instanceof Map) {
          for (const [name, values] of result) {
            expect(typeof name).toBe('string');
            expect(values.length).toBeGreaterThan(0);
          }
        }
      }),
      RUNS,
    );
  });
});

describe('Basic authorization (properties)', () => {
  it('round-trips any username without ":" and any password', () => {
    fc.assert(
      fc.property(
        text().filter((username) => username !== '' && !username.includes(':')),
        text(),
        fc.constantFrom('Basic ', 'basic ', 'BASIC  '),
        (username, password, scheme) => {
          const header = `${scheme}${Buffer.from(`${username}:${password}`).toString('base64')}`;
          expect(parseBasicAuthorization(header)).toEqual({ username, password });
        },
      ),
      RUNS,
    );
  });

  it('never throws on any header value', () => {
    const base64ish = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ :'),
      maxLength: 60,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          text(),
          base64ish.map((s) => `Basic ${s}`),
          hostileText,
        ),
        (header) => {
          const credentials = parseBasicAuthorization(header);
          if (credentials) {
            expect(credentials.username).not.toBe('');
            expect(credentials.username).not.toContain(':');
          }
        },
      ),
      RUNS,
    );
  });
});

/** A path parameter value: anything but empty or containing "/", the separator. */
const segment = fc.oneof(text(20), hostileText).filter((s) => s !== '' && !s.includes('/'));
const fill = (template: string, values: string[]) => {
  let i = 0;
  return template.replace(/\{\w+\}/g, () => values[i++]!);
};
const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

describe('path matching (properties)', () => {
  it('answers any method and path with a resolution, never an exception', () => {
    const path = fc.oneof(
      text(80),
      fc
        .array(fc.oneof(segment, fc.constantFrom('', 'v2', 'Services', 'Entities', 'Factors', '..')), {
          maxLength: 12,
        })
        .map((parts) => `/${parts.join('/')}`),
    );
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'), text(8)), path, (method, p) => {
        expect(['route', 'wrong-method', 'unknown-path']).toContain(resolveRoute(method, p).kind);
      }),
      RUNS,
    );
  });

  it('resolves a path made from any route template, with or without trailing slashes, to that route', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROUTES),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.nat(4),
        (route, values, slashes) => {
          const names = placeholders(route.path);
          const path = fill(route.path, values) + '/'.repeat(slashes);
          const resolution = resolveRoute(route.method, path);
          expect(resolution).toEqual({
            kind: 'route',
            route,
            params: Object.fromEntries(names.map((name, i) => [name, values[i]])),
          });
        },
      ),
      RUNS,
    );
  });

  it('matches a path only when filling the template with the parameters gives it back', () => {
    const templates = [...new Set(ROUTES.map((route) => route.path))];
    fc.assert(
      fc.property(
        fc.constantFrom(...templates),
        fc.array(fc.oneof(segment, fc.constantFrom('', 'Services', 'Entities', 'v2')), { maxLength: 9 }),
        (template, parts) => {
          const path = `/${parts.join('/')}`;
          const params = matchPath(template, path);
          if (params) {
            const filled = fill(
              template,
              placeholders(template).map((name) => params[name]!),
            );
            expect(path.replace(/\/+$/, '')).toBe(filled);
          }
        },
      ),
      RUNS,
    );
  });
});

const collection = { pk: 'ACCOUNT#AC0', skPrefix: 'SERVICE#' };

describe('page tokens (properties)', () => {
  it('round-trips any position in the collection', () => {
    fc.assert(
      fc.property(text(100), fc.boolean(), (rest, forwards) => {
        const position = forwards ? { after: `SERVICE#${rest}` } : { before: `SERVICE#${rest}` };
        expect(decodeToken(encodeToken(position), collection)).toEqual(position);
      }),
      RUNS,
    );
  });

  it('answers any token with a position in the collection or a 400 naming PageToken', () => {
    const base64url = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
      minLength: 1,
      maxLength: 60,
    });
    const jsonToken = fc
      .jsonValue()
      .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'));
    const foreign = text(40).map((rest) => encodeToken({ after: `ENTITY#${rest}` }));
    fc.assert(
      fc.property(fc.oneof(text(100), base64url, jsonToken, hostileText, foreign), (token) => {
        const result = valueOr400(() => decodeToken(token, collection), 'PageToken');
        if (!(result instanceof DomainError)) {
          const positions = [result.after, result.before].filter((p) => p !== undefined);
          expect(positions).toHaveLength(1);
          expect(positions[0]!.startsWith('SERVICE#')).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('ExpirationDate (properties)', () => {
  const now = new Date('2030-06-15T12:00:00Z');
  const expirationDate = (value: string, at = now) =>
    newChallengeParams(
      new Map([
        ['FactorSid', [`YF${'a'.repeat(32)}`]],
        ['ExpirationDate', [value]],
      ]),
      at,
    ).expirationDate;
  /** Strings shaped like ISO date-times, with any digits: month 19, day 00, hour 99, offset +99:99… */
  const isoShaped = fc.stringMatching(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/,
  );

  it('reads any string as a valid date or a 400 naming ExpirationDate', () => {
    fc.assert(
      fc.property(fc.oneof(text(40), isoShaped, hostileText), (value) => {
        const parsed = parseIsoDateTime(value);
        if (parsed) expect(Number.isNaN(parsed.getTime())).toBe(false);
        const result = valueOr400(() => expirationDate(value), 'ExpirationDate');
        if (result instanceof Date) {
          expect(result.getTime() - now.getTime()).toBeGreaterThan(0);
          expect(result.getTime() - now.getTime()).toBeLessThanOrEqual(60 * 60_000);
        }
      }),
      RUNS,
    );
  });

  it('round-trips any date, written in UTC or with any offset up to ±14:00', () => {
    const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-02T00:00:00Z'),
          max: new Date('9999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, offsetMinutes) => {
          expect(parseIsoDateTime(date.toISOString())).toEqual(date);
          const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const offset = `${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
          expect(parseIsoDateTime(`${local}${offset}`)).toEqual(date);
        },
      ),
      RUNS,
    );
  });

  it('takes any date in the next hour as the challenge expiration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 60 * 60_000 }), (ahead) => {
        const date = new Date(now.getTime() + ahead);
        expect(expirationDate(date.toISOString())).toEqual(date);
      }),
      RUNS,
    );
  });
});
