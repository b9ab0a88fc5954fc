import { randomBytes } from 'node:crypto';
import { MAX_BODY_BYTES } from '../../shared/http/form';
import type { Checks } from './report';

export interface HttpTarget {
  /** The API's base URL, without a trailing slash. */
  url: string;
  /** `Basic …` for the account under test. */
  authorization: string;
  accountSid: string;
  /** The origin a browser would send (must be in `allowedOrigins` unless that is `*`). */
  origin: string;
}

export const basicAuth = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const FORM = 'application/x-www-form-urlencoded';

async function send(url: string, init: RequestInit) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

const contains = (list: string | null, item: string) =>
  (list ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .includes(item.toLowerCase());

/**
 * The allowed origin answered for `origin`: `*` without credentials, or the origin itself with
 * `Access-Control-Allow-Credentials: true` (see shared/http/cors.ts).
 */
function allowedOrigin(headers: Headers, origin: string): string {
  const allow = headers.get('access-control-allow-origin');
  if (allow === null) {
    throw new Error(`no Access-Control-Allow-Origin for ${origin}: is it in allowedOrigins? (pass --origin)`);
  }
  const credentials = headers.get('access-control-allow-credentials');
  if (allow === '*' && credentials !== null) throw new Error('"*" with Allow-Credentials');
  if (allow !== '*' && (allow !== origin || credentials !== 'true')) {
    throw new Error(`Allow-Origin ${allow}, Allow-Credentials ${credentials} for ${origin}`);
  }
  return allow;
}

/** An OPTIONS preflight answered without credentials, and a GET with `Origin` carrying the CORS headers. */
export async function corsChecks(checks: Checks, target: HttpTarget, path: string) {
  const { url, origin } = target;
  await checks.run('CORS preflight (OPTIONS)', async () => {
    const { status, headers } = await send(`${url}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
    const allow = allowedOrigin(headers, origin);
    if (!contains(headers.get('access-control-allow-methods'), 'POST')) throw new Error('POST not allowed');
    if (!contains(headers.get('access-control-allow-headers'), 'Authorization')) {
      throw new Error('the Authorization header is not allowed');
    }
    return `HTTP ${status}, Allow-Origin ${allow}`;
  });
  await checks.run('CORS headers on a GET with Origin', async () => {
    const { status, headers } = await send(`${url}${path}`, {
      headers: { Origin: origin, Authorization: target.authorization, Accept: 'application/json' },
    });
    if (status !== 200) throw new Error(`HTTP ${status}`);
    const allow = allowedOrigin(headers, origin);
    if (!contains(headers.get('access-control-expose-headers'), 'Twilio-Verify-Signature-Fields')) {
      throw new Error('Twilio-Verify-Signature-Fields is not exposed');
    }
    return `HTTP ${status}, Allow-Origin ${allow}, Twilio-Verify-* exposed`;
  });
}

/** A Twilio-shaped error (`{code, message, more_info, status}`) with a 4xx status, or why not. */
function refusal(status: number, body: unknown, expected?: number): string {
  const error = body as { code?: unknown; message?: unknown; more_info?: unknown; status?: unknown };
  if (expected !== undefined && status !== expected) throw new Error(`HTTP ${status}, expected ${expected}`);
  if (status < 400 || status > 499) throw new Error(`HTTP ${status}, expected 4xx`);
  if (
    typeof error?.code !== 'number' ||
    typeof error.message !== 'string' ||
    typeof error.more_info !== 'string' ||
    error.status !== status
  ) {
    throw new Error(`HTTP ${status} without a Twilio error body`);
  }
  return `HTTP ${status}, code ${error.code}`;
}

/**
 * Hostile requests, each refused with a 4xx Twilio error: a body past the handlers' limit, a malformed
 * form, SQL and JSON junk, and a wrong auth token (401). None of them can create anything.
 */
export async function hostileChecks(checks: Checks, target: HttpTarget) {
  const { url, authorization } = target;
  const post = (body: string, contentType = FORM) =>
    send(`${url}/v2/Services`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': contentType, Accept: 'application/json' },
      body,
    });
  const hostile = async (name: string, request: () => ReturnType<typeof send>, expected?: number) => {
    await checks.run(`hostile: ${name}`, async () => {
      const { status, body } = await request();
      return refusal(status, body, expected);
    });
  };

  const kb = Math.ceil(MAX_BODY_BYTES / 1024) + 1;
  await hostile(`oversized body (${kb} KB) → 4xx`, () => post(`FriendlyName=${'a'.repeat(kb * 1024)}`));
  await hostile('malformed form → 4xx', () => post('FriendlyName=%E0%A4%A&%%=1'));
  await hostile('SQL in a path → 4xx', () =>
    send(`${url}/v2/Services/${encodeURIComponent("VA' OR '1'='1'; DROP TABLE services; --")}`, {
      headers: { Authorization: authorization, Accept: 'application/json' },
    }),
  );
  await hostile('JSON junk body → 4xx', () =>
    post('{"FriendlyName":{"$ne":null},"__proto__":{"admin":true}}', 'application/json'),
  );
  await hostile(
    'wrong auth token → 401',
    () =>
      send(`${url}/v2/Services`, {
        headers: {
          Authorization: basicAuth(target.accountSid, randomBytes(16).toString('hex')),
          Accept: 'application/json',
        },
      }),
    401,
  );
}
