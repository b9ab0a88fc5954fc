// @ts-nocheck
import { createHash } from 'node:crypto';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import tls from 'node:tls';
import { APNS_TOKEN_REASONS, classifyApns, parseRetryAfter } from './errors';
import { signJwt } from './jwt';
import { apnsRequest } from './payloads';
import type { ApnAuth, ProviderCredential, PushMessage, PushProvider, SendOutcome } from './types';

/** APNs provider API over HTTP/2 with node:http2 (reference §3.1). */

export const APNS_PRODUCTION = 'https://api.push.apple.com';
export const APNS_SANDBOX = 'https://api.sandbox.push.apple.com';
/** Apple: refresh the provider token no more than once every 20 minutes and no less than once every 60 minutes. */
export const APNS_TOKEN_REFRESH_MS = 40 * 60_000;

export interface ApnsProviderOptions {
  /** Replaces both Apple hosts (the local stand-in, a proxy). */
  baseUrl?: string;
  /** Certificates to trust IN ADDITION to Node's roots; verification is never disabled. */
  ca?: string | string[];
  /** Per request; default 5 s. */
  timeoutMs?: number;
  now?: () => number;
}

type TokenAuth = Extract<ApnAuth, { kind: 'token' }>;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A transport failure of one request: the stream never produced a whole answer. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly responded: boolean,
  ) {
    super(message);
  }
}

/**
 * Node's default trust store. With an explicit `ca`, Node uses only that list, so the extra certificates are added to the
 * defaults: `tls.getCACertificates('default')` (Node ≥ 22.15, includes NODE_EXTRA_CA_CERTS) or, on older Nodes,
 * `tls.rootCertificates` (the bundled roots; NODE_EXTRA_CA_CERTS then only applies when `ca` is not given).
 */
function defaultRoots(): string[] {
  const get = (tls as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : [...tls.rootCertificates];
}

/** The error's code (and its cause's: a stream cancelled because the session failed carries ECONNREFUSED…). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const own = (err as { code?: unknown }).code;
  const cause = (err.cause as { code?: unknown } | undefined)?.code;
  const text = typeof own === 'string' ? own : err.message;
  return typeof cause === 'string' ? `${text} (${cause})` : text;
}

function reasonOf(body: string): string | undefined {
  try {
    const reason = (JSON.parse(body) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Provider tokens (ES256 JWT, header `kid`, claims `iss` = team id and `iat`), one per (team, key) shared by every send,
 * minted again once 40 minutes old — or when `replacing` (the token APNs just refused) is still the current one.
 */
export function createProviderTokens(now: () => number = Date.now) {
  const tokens = new Map<string, { jwt: string; issuedAt: number }>();
  return (auth: TokenAuth, replacing?: string): string => {
    const id = `${auth.teamId}:${auth.keyId}`;
    const cached = tokens.get(id);
    if (cached) {
      const age = now() - cached.issuedAt;
      const fresh = age >= 0 && age < APNS_TOKEN_REFRESH_MS;
      // A concurrent send may already have replaced the refused token: use that one rather than minting again.
      if (replacing === undefined ? fresh : cached.jwt !== replacing) return cached.jwt;
    }
    const issuedAt = now();
    const jwt = signJwt(
      'ES256',
      { kid: auth.keyId },
      { iss: auth.teamId, iat: Math.floor(issuedAt / 1000) },
      auth.privateKey,
    );
    tokens.set(id, { jwt, issuedAt });
    return jwt;
  };
}

/** `baseUrl` when given (for sandbox and production alike), else Apple's sandbox or production host. */
export function apnsOrigin(credential: { sandbox: boolean }, baseUrl?: string): string {
  return baseUrl ?? (credential.sandbox ? APNS_SANDBOX : APNS_PRODUCTION);
}

export function createApnsProvider(options: ApnsProviderOptions = {}): PushProvider {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const ca = options.ca === undefined ? undefined : [...defaultRoots(), ...[options.ca].flat()];
  /** One session per (origin, auth identity): Apple forbids mixing developer accounts on one connection. */
  const sessions = new Map<string, ClientHttp2Session>();
  const providerToken = createProviderTokens(now);

  function identity(auth: ApnAuth): string {
    return auth.kind === 'token'
      ? `team:${auth.teamId}`
      : `cert:${createHash('sha256').update(auth.certificate).update('\0').update(auth.privateKey).digest('hex')}`;
  }

  function sessionFor(origin: string, auth: ApnAuth): { session: ClientHttp2Session; fresh: boolean } {
    const key = `${origin} ${identity(auth)}`;
    const existing = sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return { session: existing, fresh: false };
    const session = http2.connect(origin, {
      ...(ca ? { ca } : {}),
      ...(auth.kind === 'certificate' ? { cert: auth.certificate, key: auth.privateKey } : {}),
    });
    const forget = () => {
      if (sessions.get(key) === session) sessions.delete(key);
    };
    // GOAWAY (Apple's Shutdown, an idle timeout): finish what is in flight, open a new session for the next send.
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    // An idle session must not keep a process (the local server, a test, a script) alive; requests hold their timer.
    session.unref();
    sessions.set(key, session);
    return { session, fresh: true };
  }

  function request(
    session: ClientHttp2Session,
    path: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      let responded = false;
      let done = false;
      let status = 0;
      let replyHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      const fail = (message: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(new TransportError(message, responded));
      };
      const timer = setTimeout(() => {
        fail('timeout');
        stream?.close(http2.constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      let stream: http2.ClientHttp2Stream | undefined;
      try {
        stream = session.request({
          ':method': 'POST',
          ':path': path,
          ...headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
        });
      } catch (err) {
        fail(describe(err)); // ERR_HTTP2_INVALID_SESSION, ERR_HTTP2_GOAWAY_SESSION…
        return;
      }
      stream.on('response', (h) => {
        responded = true;
        status = Number(h[':status']);
        replyHeaders = h;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (!responded) return fail('stream ended without a response');
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ status, headers: replyHeaders, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.on('error', (err) => fail(describe(err)));
      stream.on('close', () => fail(`stream closed (${stream?.rstCode ?? 'no code'})`));
      stream.end(body);
    });
  }

  async function send(credential: ProviderCredential, message: PushMessage): Promise<SendOutcome> {
    if (credential.type !== 'apn') return { kind: 'permanent', reason: 'not an APNs credential' };
    const { auth } = credential;
    const origin = apnsOrigin(credential, options.baseUrl);
    const { path, headers, body } = apnsRequest(message);
    const payload = Buffer.from(JSON.stringify(body));
    let reminted = false;
    let reconnected = false;
    for (;;) {
      let session: ClientHttp2Session;
      let fresh: boolean;
      let jwt: string | undefined;
      try {
        ({ session, fresh } = sessionFor(origin, auth));
        jwt = auth.kind === 'token' ? providerToken(auth) : undefined;
      } catch (err) {
        // The key or certificate cannot be used at all (unparseable PEM, mismatched pair).
        return { kind: 'permanent', reason: `credential unusable: ${describe(err)}` };
      }
      let reply: Reply;
      try {
        reply = await request(
          session,
          path,
          jwt ? { ...headers, authorization: `bearer ${jwt}` } : headers,
          payload,
        );
      } catch (err) {
        const responded = err instanceof TransportError && err.responded;
        // The session is suspect (a thawed Lambda's dead socket, a reset): drop it. A reused session gets one
        // reconnect and retry, as long as APNs had not started answering this request.
        session.destroy();
        if (!fresh && !reconnected && !responded) {
          reconnected = true;
          continue;
        }
        return { kind: 'retry', reason: describe(err) };
      }
      const reason = reasonOf(reply.body);
      if (reply.status === 403 && jwt && reason && APNS_TOKEN_REASONS.has(reason) && !reminted) {
        reminted = true;
        providerToken(auth as TokenAuth, jwt);
        continue;
      }
      const apnsId = reply.headers['apns-id'];
      const retryAfter = reply.headers['retry-after'];
      return classifyApns({
        status: reply.status,
        reason,
        apnsId: typeof apnsId === 'string' ? apnsId : undefined,
        retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, now()),
      });
    }
  }

  async function close(): Promise<void> {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.all(
      open.map(
        (session) =>
          new Promise<void>((resolve) => {
            if (session.closed || session.destroyed) return resolve();
            const force = setTimeout(() => session.destroy(), timeoutMs);
            session.close(() => {
              clearTimeout(force);
              resolve();
            });
          }),
      ),
    );
  }

  return { send, close };
}
