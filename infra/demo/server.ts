import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import twilio from 'twilio';
import { IDENTITY_PATTERN } from '../../shared/domain/entity';
import { DemoApp, IDENTITY_RULE, type Session } from './app';
import { bundlePage } from './bundle';
import { DemoError, fromVerify } from './errors';
import { fileStamp, latestEvents } from './events';
import { ensureDemoService } from './service';
import type { DemoSettings } from './settings';

export interface DemoServer {
  /** http://localhost:<port>: the page's origin, the only one the demo's Verify service accepts passkeys from. */
  url: string;
  port: number;
  serviceSid: string;
  app: DemoApp;
  stop(): Promise<void>;
}

const SESSION_COOKIE = 'demo_session';
const MAX_SESSIONS = 1000;
const MAX_BODY = 64 * 1024;
/** How often a live connection looks at the events file and the pending push challenge. */
const LIVE_POLL_MS = 400;

/** Only the page's own script and styles, no inline code: the QR code is an `<img>` of a data URL. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

type Body = Record<string, unknown>;
type Action = (app: DemoApp, session: Session, body: Body) => unknown;

/** The page's JSON API: each POST is one step of a sign-up or sign-in (see `DemoApp`). */
const ACTIONS: Record<string, Action> = {
  '/api/signup': (app, session, body) => app.signUp(session, body),
  '/api/signout': (app, session) => app.signOut(session),
  '/api/passkey/options': (app, session) => app.passkeyOptions(session),
  '/api/passkey/register': (app, session, body) => app.passkeyRegister(session, body),
  '/api/totp/start': (app, session) => app.totpStart(session),
  '/api/totp/verify': (app, session, body) => app.totpVerify(session, body),
  '/api/push/start': (app, session) => app.pushStart(session),
  '/api/signin/passkey/options': (app, session, body) => app.passkeySignInOptions(session, body),
  '/api/signin/passkey': (app, session, body) => app.passkeySignIn(session, body),
  '/api/signin/totp': (app, session, body) => app.totpSignIn(session, body),
  '/api/signin/push': (app, session, body) => app.pushSignIn(session, body),
};

async function readJson(request: IncomingMessage): Promise<Body> {
  if (!String(request.headers['content-type']).startsWith('application/json')) {
    // Also what keeps another site's form from posting here: a form cannot send JSON.
    throw new DemoError(415, 'The demo API takes JSON.');
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new DemoError(413, 'Request too large.');
    chunks.push(chunk);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Body;
  } catch {
    // answered below
  }
  throw new DemoError(400, 'The request is not a JSON object.');
}

const sendJson = (response: ServerResponse, status: number, body: unknown) =>
  response
    .writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));

/** Sessions in memory, by an unguessable cookie (HttpOnly, SameSite=Strict); the oldest go past 1000. */
function sessionStore() {
  const sessions = new Map<string, Session>();
  return (request: IncomingMessage, response: ServerResponse): Session => {
    const cookie = /(?:^|;\s*)demo_session=([0-9a-f]{32})(?:;|$)/.exec(request.headers.cookie ?? '')?.[1];
    const known = cookie ? sessions.get(cookie) : undefined;
    if (known) return known;
    const session: Session = { id: randomBytes(16).toString('hex'), signedIn: false };
    sessions.set(session.id, session);
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    response.setHeader('Set-Cookie', `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict`);
    return session;
  };
}

/**
 * `GET /api/live`: server-sent events for the page. `events` (the service's latest events on the local
 * bus) whenever the events file changes, and `push` (the pending push sign-in's status, read from Verify)
 * whenever it changes, until the page goes away.
 */
function live(
  request: IncomingMessage,
  response: ServerResponse,
  session: Session,
  context: { app: DemoApp; eventsFile: string; serviceSid: string; verifyUrl: string },
) {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let stamp = '';
  let pushSeen = '';
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = fileStamp(context.eventsFile);
      if (now !== stamp) {
        stamp = now;
        send('events', {
          file: context.eventsFile,
          events: latestEvents(context.eventsFile, context.serviceSid),
        });
      }
      const push = await context.app.pushStatus(session);
      const seen = push ? `${push.sid}:${push.status}` : pushSeen;
      if (push && seen !== pushSeen) send('push', push);
      pushSeen = seen;
    } catch (error) {
      send('failure', { message: fromVerify(error, context.verifyUrl).message });
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), LIVE_POLL_MS);
  request.on('close', () => clearInterval(timer));
}

/**
 * The demo site: the page (bundled now with esbuild), its JSON API and its live stream, on
 * http://localhost:<port>, with the Verify service it created for that origin. `pushTtlSeconds` is how
 * long a push sign-in waits (120 s).
 */
export async function startDemoServer(
  settings: DemoSettings,
  options: { pushTtlSeconds?: number; log?: (line: string) => void } = {},
): Promise<DemoServer> {
  const assets = await bundlePage();
  const client = twilio(settings.account.sid, settings.account.authToken);
  client.verify.baseUrl = settings.verifyUrl;
  const session = sessionStore();
  let app: DemoApp | undefined;
  let context: Parameters<typeof live>[3] | undefined;

  const page = (identityPattern: string) =>
    assets.html
      .replace('{{IDENTITY_PATTERN}}', identityPattern)
      .replaceAll('{{IDENTITY_RULE}}', IDENTITY_RULE);

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    const handle = async () => {
      if (method === 'GET' && path === '/') {
        response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
        response.end(page(IDENTITY_PATTERN.source.replaceAll('"', '&quot;')));
        return;
      }
      if (method === 'GET' && path === '/favicon.ico') {
        response.writeHead(204, SECURITY_HEADERS).end();
        return;
      }
      if (method === 'GET' && (path === '/app.js' || path === '/style.css')) {
        const js = path === '/app.js';
        response.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        });
        response.end(js ? assets.script : assets.css);
        return;
      }
      if (!app || !context) throw new DemoError(503, 'The demo is still starting.');
      if (method === 'GET' && path === '/api/state') {
        sendJson(response, 200, {
          ...(await app.state(session(request, response))),
          serviceSid: context.serviceSid,
          verifyUrl: settings.verifyUrl,
        });
        return;
      }
      if (method === 'GET' && path === '/api/live') {
        live(request, response, session(request, response), context);
        return;
      }
      const action = ACTIONS[path];
      if (!action) throw new DemoError(404, `Nothing at ${method} ${path}.`);
      if (method !== 'POST') throw new DemoError(405, `${path} takes POST.`);
      const body = await readJson(request);
      sendJson(response, 200, await action(app, session(request, response), body));
    };
    handle().catch((error: unknown) => {
      const failure = fromVerify(error, settings.verifyUrl);
      if (failure.status >= 500) (options.log ?? console.error)(`${method} ${path}: ${failure.message}`);
      if (response.headersSent) response.end();
      else sendJson(response, failure.status, { message: failure.message, code: failure.code ?? null });
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(settings.port, '127.0.0.1', () => done());
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://localhost:${port}`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  };
  try {
    const serviceSid = await ensureDemoService(client, {
      dir: settings.dir,
      accountSid: settings.account.sid,
      verifyUrl: settings.verifyUrl,
      origin: url,
    }).catch((error: unknown) => {
      throw fromVerify(error, settings.verifyUrl);
    });
    app = new DemoApp({
      client,
      serviceSid,
      verifyUrl: settings.verifyUrl,
      origin: url,
      dir: settings.dir,
      pushFile: settings.pushFile,
      pushTtlSeconds: options.pushTtlSeconds ?? 120,
    });
    context = { app, eventsFile: settings.eventsFile, serviceSid, verifyUrl: settings.verifyUrl };
    return { url, port, serviceSid, app, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
