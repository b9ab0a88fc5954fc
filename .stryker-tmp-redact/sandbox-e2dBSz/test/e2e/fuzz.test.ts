// @ts-nocheck
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../shared/http/routes';
import { deviceKey } from '../support/fixtures';
import { backendWithDevice } from '../support/push';
import { startTestServer, targetRequest } from '../support/server';

/**
 * A bounded, seeded fuzz run through the local server: a few hundred hostile requests across every route
 * and unknown paths, against real resources (a service, an entity with a TOTP and a push factor, a
 * challenge). Whatever arrives, nothing may answer 5xx, and every error must be exactly Twilio's shape.
 */
const SEED = 0x5eed2026;
const REQUESTS = 400;
const CONCURRENCY = 8;

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

/** mulberry32: a small, seeded generator, so every run sends the same requests. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[integer(items.length)]!;
  const chance = (p: number) => next() < p;
  /** Printable ASCII, control characters, Latin-1 and astral code points (never a lone surrogate). */
  const text = (maxLength: number) => {
    let out = '';
    for (let i = integer(maxLength + 1); i > 0; i--) {
      out += pick([
        () => String.fromCharCode(0x20 + integer(95)),
        () => String.fromCharCode(integer(0x20)),
        () => String.fromCharCode(0xa0 + integer(0x60)),
        () => String.fromCodePoint(0x1f300 + integer(0x100)),
        () => pick(['%', '&', '=', '+', '/', '?', '#', '.', '"', '{', '}', '\\']),
      ])();
    }
    return out;
  };
  return { integer, pick, chance, text };
}

const { integer, pick, chance, text } = generator(SEED);
const hex = (length: number) => Array.from({ length }, () => '0123456789abcdef'[integer(16)]).join('');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

/** Path parameter values that are not what a route expects. Encoded: a request target is ASCII. */
const HOSTILE_SEGMENTS = [
  'A'.repeat(3000),
  '%00',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  '%zz',
  '%',
  '%E0%A4%A',
  encodeURIComponent('é✓𝄞'),
  '__proto__',
  'constructor',
  'toString',
  '%20',
  '~',
  "'",
  '"',
  '{Sid}',
  `VA${'0'.repeat(32)}`,
  `YF${'g'.repeat(32)}`,
  `YC${'0'.repeat(31)}`,
];

const UNKNOWN_PATHS = [
  '/',
  '/v2',
  '/v2/',
  '/v1/Services',
  '/v2/services',
  '/v2/Services/x/y/z/w/v/u/t/s',
  `/v2/Services${'/'.repeat(15_000)}x`,
  `/v2/Services/VA${'0'.repeat(32)}/Nope`,
  '/v2/Services/%zz/Entities/%00/Factors/..',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '//v2/Services',
  '/v2/Services?',
  '*',
  'http://[',
];

const QUERY_PARTS = [
  '__proto__=1',
  '__proto__[x]=1',
  'constructor=1&constructor=2',
  'toString=x',
  'hasOwnProperty=1',
  'PageSize=0',
  'PageSize=1001',
  'PageSize=abc',
  'PageSize=99999999999999999999',
  'PageSize=2&PageSize=3',
  'Page=-1',
  'PageToken=%zz',
  `PageToken=${b64url({ after: '__proto__' })}`,
  `PageToken=${b64url({ before: 'ACCOUNT#' })}`,
  `PageToken=${b64url(null)}`,
  'pageToken=',
  'Status=pending',
  'Status=__proto__',
  'Order=sideways',
  'FactorSid=YF123',
  `x=${'A'.repeat(4000)}`,
  Array.from({ length: 50 }, () => 'Status=pending').join('&'),
  '%zz=%zz',
  'a=%',
  '&&&==&',
];

const PARAM_NAMES = [
  'FriendlyName',
  'FactorType',
  'Binding.Alg',
  'Binding.PublicKey',
  'Binding.Secret',
  'Config.TimeStep',
  'Config.Skew',
  'Config.CodeLength',
  'Config.Alg',
  'Config.SdkVersion',
  'Config.AppId',
  'Config.NotificationPlatform',
  'Config.NotificationToken',
  'Metadata',
  'FactorSid',
  'ExpirationDate',
  'Details.Message',
  'Details.Fields',
  'HiddenDetails',
  'AuthPayload',
  'Identity',
  'FactorFriendlyName',
  'Ttl',
  'Push.IncludeDate',
  'Push.ApnCredentialSid',
  'Push.FcmCredentialSid',
  'Type',
  'Secret',
  'Certificate',
  'PrivateKey',
  'Sandbox',
  'ApiKey',
  'Totp.Issuer',
  'Totp.TimeStep',
  'Totp.CodeLength',
  'Totp.Skew',
  '__proto__',
  'constructor',
  'toString',
  '',
];

interface Fixture {
  serviceSid: string;
  identity: string;
  pushFactorSid: string;
  totpFactorSid: string;
  challengeSid: string;
  authorizations: { account: string; device: string; enrollment: string };
}

function hostileValue(fixture: Fixture): string {
  const soon = new Date(Date.now() + 5 * 60_000).toISOString();
  return pick([
    () => '',
    () => text(20),
    () => 'A'.repeat(pick([257, 1025, 5457, 20_000])),
    () => pick(['{"__proto__":"x"}', '{"constructor":"x"}', '{"toString":"x","valueOf":"y"}']),
    () => pick(['[1]', 'null', '"s"', '{"a":{"b":"c"}}', '{"label":"a","value":"b","__proto__":"x"}']),
    () => `${'['.repeat(400)}${']'.repeat(400)}`,
    () => pick(['2030-13-45T99:99:99Z', soon.replace('Z', '+99:99'), soon, '0000-01-01T00:00:00Z']),
    () => pick(['9999-12-31T23:59:59.999999999Z', '2030-02-30T00:00:00Z', 'tomorrow']),
    () => pick(['-1', '0', '1e3', '99999999999999999999', 'NaN', '30', '1.5', '0x10', 'true', 'yes']),
    () => pick(['push', 'totp', 'sms', 'ES256', 'apn', 'fcm', 'none', 'sha1', 'sha512']),
    () => pick([fixture.serviceSid, fixture.pushFactorSid, fixture.totpFactorSid, fixture.challengeSid]),
    () => pick([`CR${hex(32)}`, `YF${hex(32)}`, deviceKey().publicKey, '123456', '1234567890']),
    () => pick(['é✓𝄞', '\u0000', '\uFEFF', '\u202Eevil', 'x'.repeat(64)]),
  ])();
}

/** A form body: mostly encoded properly, sometimes with raw fragments no encoder would produce. */
function hostileBody(fixture: Fixture): string {
  return pick([
    () =>
      Array.from({ length: 1 + integer(6) }, () => {
        const name = pick(PARAM_NAMES);
        const value = hostileValue(fixture);
        return chance(0.85)
          ? `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
          : `${name}=${pick(['%zz', '%', '%E0%A4%A', '%00', '+%2B+', value.replace(/[^\x20-\x7e]/g, '')])}`;
      }).join('&'),
    () => `a=${'x'.repeat(64 * 1024 - 1)}`, // 64 KB + 1 byte
    () =>
      Array.from(
        { length: 25 },
        () => `Details.Fields=${encodeURIComponent('{"label":"a","value":"b"}')}`,
      ).join('&'),
    () => Array.from({ length: 2000 }, () => 'FriendlyName=x').join('&'),
    () => '{"FriendlyName":"x"}',
    () => '&&&===&&&',
    () => text(200),
  ])();
}

function hostileAuthorization(fixture: Fixture): string | undefined {
  return pick([
    () => fixture.authorizations.account,
    () => fixture.authorizations.account,
    () => fixture.authorizations.device,
    () => fixture.authorizations.enrollment,
    () => undefined,
    () => basic(`AC${hex(32)}:${hex(32)}`),
    () => basic(`AC${hex(32)}:${text(40)}`),
    () => basic(`token:${b64url({ alg: 'ES256', kid: `CR${'a'.repeat(2998)}` })}.${b64url({})}.c2ln`),
    () =>
      basic(
        `token:${b64url({ alg: pick(['ES256', 'none', 'HS256']), kid: pick([`CR${hex(32)}`, 42, null, '../x', text(30)]) })}.${b64url({ sub: text(10), exp: 1e12, nbf: 0 })}.${text(20)}`,
      ),
    () => basic(`token:${text(30)}.${text(30)}.${text(30)}`),
    () => basic(`token:YK${hex(32)}.${text(43)}`),
    () => `Basic ${text(40).replace(/[^\x21-\x7e]/g, '')}!`,
    () => pick(['Bearer x', 'Basic', '', 'Basic =', basic('no-colon'), basic(':pass'), basic('::')]),
  ])();
}

function hostilePath(route: Route | undefined, fixture: Fixture): string {
  if (!route) return pick(UNKNOWN_PATHS);
  let long = false;
  const real: Record<string, string[]> = {
    ServiceSid: [fixture.serviceSid],
    Identity: [fixture.identity],
    ChallengeSid: [fixture.challengeSid],
    Sid: route.path.includes('Credentials')
      ? [`CR${hex(32)}`]
      : route.path.includes('Webhooks')
        ? [`YW${hex(32)}`]
        : route.path.includes('Challenges')
          ? [fixture.challengeSid]
          : [fixture.pushFactorSid, fixture.totpFactorSid],
  };
  return route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (chance(0.6)) return pick(real[name]!);
    let segment = pick(HOSTILE_SEGMENTS);
    // One 3,000-character segment at most, so the request line stays under Node's 16 KB header limit.
    if (segment.length > 100 && long) segment = 'short';
    long ||= segment.length > 100;
    return segment;
  });
}

interface Sent {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string;
  route?: string;
}

function hostileRequest(fixture: Fixture): Sent {
  const route = chance(0.85) ? pick(ROUTES) : undefined;
  const method =
    route && chance(0.75) ? route.method : pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
  let target = hostilePath(route, fixture);
  if (chance(0.5) && target.length < 4000) {
    target += `?${Array.from({ length: 1 + integer(3) }, () => pick(QUERY_PARTS)).join('&')}`;
  }
  const headers: Record<string, string> = {};
  const authorization = hostileAuthorization(fixture);
  if (authorization !== undefined) headers.Authorization = authorization;
  let body: string | undefined;
  if (method === 'POST' ? chance(0.9) : chance(0.1)) {
    body = hostileBody(fixture);
    const contentType = pick([
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      ';;;',
      undefined,
    ]);
    if (contentType !== undefined) headers['Content-Type'] = contentType;
  }
  if (chance(0.2)) {
    const [name, value] = pick([
      ['constructor', 'x'],
      ['__proto__', 'y'],
      ['Origin', 'null'],
    ]);
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { method, target, headers, body, route: route?.name };
}

/** What is wrong with an answer: a 5xx, or an error body that is not exactly `{code, message, more_info, status}`. */
function faults(status: number, text: string, body: unknown, method: string): string[] {
  const found: string[] = [];
  if (status >= 500) found.push(`status ${status}`);
  if (status >= 400 && method !== 'HEAD') {
    const error = body as Record<string, unknown> | undefined;
    if (typeof error !== 'object' || error === null || Array.isArray(error)) {
      found.push(`error body is not a JSON object: ${text.slice(0, 120)}`);
    } else {
      const keys = Object.keys(error).sort();
      if (keys.join() !== 'code,message,more_info,status') found.push(`error keys ${keys.join()}`);
      if (typeof error.code !== 'number') found.push('code is not a number');
      if (typeof error.message !== 'string') found.push('message is not a string');
      if (typeof error.more_info !== 'string') found.push('more_info is not a string');
      if (error.status !== status) found.push(`status ${String(error.status)} in a ${status} answer`);
    }
  }
  if (status < 300 && text !== '' && method !== 'HEAD' && typeof body !== 'object') {
    found.push(`success body is not JSON: ${text.slice(0, 120)}`);
  }
  return found;
}

describe('fuzzing every route through the local server', () => {
  it(`answers ${REQUESTS} hostile requests without a 5xx, with Twilio-shaped errors`, async () => {
    const { client, account, service, entity, device, factorSid } = await backendWithDevice(server.url);
    const totp = await entity.newFactors.create({ friendlyName: 'Authenticator', factorType: 'totp' });
    const challenge = await entity.challenges.create({ factorSid, 'details.message': 'Log in?' });
    const { token } = await client.verify.v2
      .services(service.sid)
      .accessTokens.create({ identity: 'user-0002-bob', factorType: 'push' });
    const fixture: Fixture = {
      serviceSid: service.sid,
      identity: 'user-0001-alice',
      pushFactorSid: factorSid,
      totpFactorSid: totp.sid,
      challengeSid: challenge.sid,
      authorizations: {
        account: basic(`${account.sid}:${account.authToken}`),
        device: basic(`token:${await device.deviceToken()}`),
        enrollment: basic(`token:${token}`),
      },
    };

    const requests = Array.from({ length: REQUESTS }, () => hostileRequest(fixture));
    // Deletions last, so the real resources serve most of the run.
    requests.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < requests.length; i += CONCURRENCY) {
      await Promise.all(
        requests.slice(i, i + CONCURRENCY).map(async (sent) => {
          const described = `${sent.method} ${sent.target.slice(0, 200)} ${JSON.stringify(sent.headers).slice(0, 200)}`;
          try {
            const { status, text: answer, body } = await targetRequest(server.url, sent.target, sent);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            for (const fault of faults(status, answer, body, sent.method)) {
              problems.push(`${described} → ${status}: ${fault}`);
            }
          } catch (error) {
            problems.push(`${described} → no answer: ${String(error)}`);
          }
        }),
      );
    }

    expect(problems).toEqual([]);
    // The run reached every route, and both sides of the door: successes and refusals.
    expect(new Set(requests.map((r) => r.route).filter(Boolean)).size).toBe(ROUTES.length);
    const count = (from: number, to: number) =>
      [...statuses].filter(([s]) => s >= from && s < to).reduce((sum, [, n]) => sum + n, 0);
    expect(count(200, 300)).toBeGreaterThan(10);
    expect(count(400, 500)).toBeGreaterThan(REQUESTS / 2);
    // And the server still serves an ordinary request.
    expect((await client.verify.v2.services.list()).length).toBeGreaterThanOrEqual(0);
  });
});
