// @ts-nocheck
import {
  X509Certificate,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, {
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { dirname } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { localServerCertificate } from './certificates';

/**
 * Local stand-ins for Apple's and Google's push servers (dev and test only): they check what the real ones check —
 * authentication first — record every delivered notification, and can be scripted to answer a token with an error.
 * Where the real server's exact answer is not documented, the stand-in's choice is marked UNVERIFIED.
 */

export interface Delivery {
  provider: 'apns' | 'fcm';
  token: string;
  headers: Record<string, string>;
  payload: unknown;
  time: string;
}

export interface StandInOptions {
  /** Default: a free port. */
  port?: number;
  /** Appends each delivery as one JSON line (file mode 0600, directory 0700). */
  file?: string;
  log?: (line: string) => void;
  /** The server's clock (token ages), default Date.now. */
  now?: () => number;
}

/** What a scripted token gets instead of the normal answer (once per entry, in order). */
export type ScriptedAnswer =
  | { status: number; reason?: string; retryAfter?: string | number }
  /** reset: RST_STREAM (APNs) · disconnect: the connection is dropped mid-request · hang: no answer at all. */
  | { action: 'reset' | 'disconnect' | 'hang' };

export interface FcmScriptedAnswer {
  status: number;
  /** FcmError code in `details[]` (UNREGISTERED, QUOTA_EXCEEDED…); none for a bare Google error. */
  errorCode?: string;
  message?: string;
  retryAfter?: string | number;
}

function recorder(options: StandInOptions, received: Delivery[]) {
  if (options.file) mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  return (delivery: Delivery) => {
    received.push(delivery);
    if (options.file) appendFileSync(options.file, `${JSON.stringify(delivery)}\n`, { mode: 0o600 });
  };
}

function scripts<T>() {
  const queues = new Map<string, T[]>();
  return {
    add(token: string, answers: T[]) {
      queues.set(token, [...(queues.get(token) ?? []), ...answers]);
    },
    next(token: string): T | undefined {
      const queue = queues.get(token);
      const answer = queue?.shift();
      if (queue && queue.length === 0) queues.delete(token);
      return answer;
    },
  };
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

// ───────────────────────────────────────────── APNs ─────────────────────────────────────────────

export interface LocalApns {
  url: string;
  /** PEM of the CA that issued the server certificate: what a client must trust. */
  ca: string;
  trustKey(teamId: string, keyId: string, publicKeyPem: string): void;
  trustCertificate(certificatePem: string): void;
  stats: {
    connections: number;
    requests: number;
    /** Distinct provider tokens (JWTs) seen. */
    providerTokens: number;
    /** How many connections each identity (`team:<id>` / `cert:<sha256>`) used. */
    sessionsByAuth: Record<string, number>;
  };
  received: Delivery[];
  script(token: string, ...answers: ScriptedAnswer[]): void;
  /** Sends GOAWAY on every open connection and closes them (what Apple does on `Shutdown`). */
  goaway(): void;
  stop(): Promise<void>;
}

const PUSH_TYPES = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'widgets',
  'controls',
]);
/** Apple's documented limit for alert pushes is 4096 bytes (UNVERIFIED in the reference; VoIP: 5120). */
const APNS_MAX_PAYLOAD = 4096;

export async function startLocalApns(options: StandInOptions = {}): Promise<LocalApns> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const { ca, cert, key } = localServerCertificate('Local APNs');
  const keys = new Map<string, { teamId: string; key: KeyObject }>();
  const certificates = new Set<string>();
  const tokensSeen = new Set<string>();
  const sessionIdentity = new WeakMap<Http2Session, string>();
  const sessions = new Set<ServerHttp2Session>();
  const received: Delivery[] = [];
  const record = recorder(options, received);
  const scripted = scripts<ScriptedAnswer>();
  const stats: LocalApns['stats'] = { connections: 0, requests: 0, providerTokens: 0, sessionsByAuth: {} };

  const server = http2.createSecureServer({ cert, key, requestCert: true, rejectUnauthorized: false });
  server.on('session', (session) => {
    stats.connections++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });

  /** `team:<id>` or `cert:<sha256>`, or the 403 reason. */
  async function authenticate(stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    const authorization = header(headers, 'authorization');
    if (authorization !== undefined) {
      const jwt = /^bearer (\S+)$/i.exec(authorization)?.[1];
      if (!jwt) return { reason: 'InvalidProviderToken' };
      let protectedHeader;
      try {
        protectedHeader = decodeProtectedHeader(jwt);
      } catch {
        return { reason: 'InvalidProviderToken' };
      }
      const trusted = typeof protectedHeader.kid === 'string' ? keys.get(protectedHeader.kid) : undefined;
      if (protectedHeader.alg !== 'ES256' || !trusted) return { reason: 'InvalidProviderToken' };
      let claims: { iss?: unknown; iat?: unknown };
      try {
        const { payload } = await compactVerify(jwt, trusted.key, { algorithms: ['ES256'] });
        claims = JSON.parse(new TextDecoder().decode(payload)) as typeof claims;
      } catch {
        return { reason: 'InvalidProviderToken' };
      }
      if (claims.iss !== trusted.teamId || typeof claims.iat !== 'number')
        return { reason: 'InvalidProviderToken' };
      const seconds = Math.floor(now() / 1000);
      // A token from the future: Apple's exact answer is UNVERIFIED; InvalidProviderToken is the natural one.
      if (claims.iat > seconds + 60) return { reason: 'InvalidProviderToken' };
      if (seconds - claims.iat > 3600) return { reason: 'ExpiredProviderToken' };
      if (!tokensSeen.has(jwt)) {
        tokensSeen.add(jwt);
        stats.providerTokens = tokensSeen.size;
      }
      return { identity: `team:${trusted.teamId}` };
    }
    const peer = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate?.();
    if (peer && peer.fingerprint256) {
      if (!certificates.has(peer.fingerprint256)) return { reason: 'BadCertificate' };
      return { identity: `cert:${peer.fingerprint256.replaceAll(':', '').toLowerCase()}` };
    }
    return { reason: 'MissingProviderToken' };
  }

  server.on('stream', (stream, headers) => {
    stats.requests++;
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => void handle(stream, headers, Buffer.concat(chunks)));
  });

  async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) {
    const apnsId = header(headers, 'apns-id') ?? randomUUID();
    const path = header(headers, ':path') ?? '';
    const token = decodeURIComponent(/^\/3\/device\/([^/?]*)$/.exec(path)?.[1] ?? '');
    const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      log(`apns ${status}${reason ? ` ${reason}` : ''} ${token}`);
      if (stream.destroyed || stream.closed) return;
      stream.respond({
        ':status': status,
        'apns-id': apnsId,
        ...(reason ? { 'content-type': 'application/json' } : {}),
        ...extra,
      });
      stream.end(
        reason ? JSON.stringify(status === 410 ? { reason, timestamp: now() } : { reason }) : undefined,
      );
    };

    if (header(headers, ':method') !== 'POST') return answer(405, 'MethodNotAllowed');
    if (!/^\/3\/device\/[^/?]*$/.test(path)) return answer(404, 'BadPath');

    const auth = await authenticate(stream, headers);
    if (!auth.identity) return answer(403, auth.reason);
    const session = stream.session;
    if (session) {
      const first = sessionIdentity.get(session);
      // Apple: one connection must not carry tokens of different developer accounts. Its exact answer is UNVERIFIED.
      if (first !== undefined && first !== auth.identity) return answer(403, 'InvalidProviderToken');
      if (first === undefined) {
        sessionIdentity.set(session, auth.identity);
        stats.sessionsByAuth[auth.identity] = (stats.sessionsByAuth[auth.identity] ?? 0) + 1;
      }
    }

    const topic = header(headers, 'apns-topic');
    if (!topic) return answer(400, 'MissingTopic');
    const pushType = header(headers, 'apns-push-type');
    if (!pushType || !PUSH_TYPES.has(pushType)) return answer(400, 'InvalidPushType');
    const priority = header(headers, 'apns-priority');
    if (priority !== undefined && !['10', '5', '1'].includes(priority)) return answer(400, 'BadPriority');
    const expiration = header(headers, 'apns-expiration');
    if (expiration !== undefined && !/^\d+$/.test(expiration)) return answer(400, 'BadExpirationDate');
    const collapseId = header(headers, 'apns-collapse-id');
    if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return answer(400, 'BadCollapseId');
    if (!/^[0-9a-fA-F]+$/.test(token)) return answer(400, 'BadDeviceToken');
    if (body.length === 0) return answer(400, 'PayloadEmpty');
    if (body.length > APNS_MAX_PAYLOAD) return answer(413, 'PayloadTooLarge');
    let payload: { aps?: { alert?: unknown } } | null;
    try {
      payload = JSON.parse(body.toString('utf8')) as typeof payload;
    } catch {
      payload = null;
    }
    // Apple's reason for malformed JSON is not in its table: 'BadPayload' is the stand-in's own (UNVERIFIED).
    if (
      typeof payload !== 'object' ||
      payload === null ||
      typeof payload.aps !== 'object' ||
      payload.aps === null
    )
      return answer(400, 'BadPayload');
    if (pushType === 'alert' && payload.aps.alert === undefined) return answer(400, 'InvalidPushType');

    const script = scripted.next(token);
    if (script && 'action' in script) {
      log(`apns ${script.action} ${token}`);
      if (script.action === 'reset') stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else if (script.action === 'disconnect') stream.session?.destroy();
      return;
    }
    if (script)
      return answer(
        script.status,
        script.reason,
        script.retryAfter === undefined ? {} : { 'retry-after': String(script.retryAfter) },
      );

    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers))
      if (name.startsWith('apns-') && value !== undefined)
        kept[name] = Array.isArray(value) ? value.join(',') : value;
    record({ provider: 'apns', token, headers: kept, payload, time: new Date(now()).toISOString() });
    answer(200);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    ca,
    trustKey(teamId, keyId, publicKeyPem) {
      keys.set(keyId, { teamId, key: createPublicKey(publicKeyPem) });
    },
    trustCertificate(certificatePem) {
      certificates.add(new X509Certificate(certificatePem).fingerprint256);
    },
    stats,
    received,
    script: (token, ...answers) => scripted.add(token, answers),
    goaway() {
      for (const session of sessions) session.close();
    },
    async stop() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ───────────────────────────────────────────── FCM ─────────────────────────────────────────────

export interface LocalFcm {
  url: string;
  /** Its OAuth2 token endpoint (the service account's `token_uri`). */
  tokenUri: string;
  /** `projectId` defaults to the one in `…@<project>.iam.gserviceaccount.com`. */
  trustServiceAccount(clientEmail: string, publicKeyPem: string, projectId?: string): void;
  stats: { connections: number; tokenRequests: number; sends: number };
  received: Delivery[];
  script(token: string, ...answers: (FcmScriptedAnswer | { action: 'disconnect' | 'hang' })[]): void;
  /** Invalidates every access token issued so far (the next send gets 401). */
  revokeTokens(): void;
  stop(): Promise<void>;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's error JSON; `details[].errorCode` is what FCM clients classify by. */
export function googleError(status: number, message: string, errorCode?: string) {
  return {
    error: {
      code: status,
      message,
      status: STATUS_NAMES[status] ?? 'UNKNOWN',
      ...(errorCode
        ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] }
        : {}),
    },
  };
}

async function readBody(request: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalFcm(options: StandInOptions = {}): Promise<LocalFcm> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const accounts = new Map<string, { key: KeyObject; projectId: string }>();
  const issued = new Map<string, { clientEmail: string; projectId: string; expiresAt: number }>();
  const received: Delivery[] = [];
  const record = recorder(options, received);
  const scripted = scripts<FcmScriptedAnswer | { action: 'disconnect' | 'hang' }>();
  const stats: LocalFcm['stats'] = { connections: 0, tokenRequests: 0, sends: 0 };
  const sockets = new Set<Socket>();
  let tokenUri = '';
  let messageCount = 0;

  const json = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    response.end(JSON.stringify(body));
  };

  /** RFC 7523 JWT-bearer grant, as Google's token endpoint checks it. Error descriptions are approximations. */
  async function token(request: IncomingMessage, response: ServerResponse) {
    stats.tokenRequests++;
    const form = new URLSearchParams(await readBody(request));
    const refuse = (description: string, error = 'invalid_grant') => {
      log(`fcm token refused: ${description}`);
      json(response, 400, { error, error_description: description });
    };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return refuse('Invalid grant_type', 'unsupported_grant_type');
    const assertion = form.get('assertion') ?? '';
    let claims: { iss?: unknown; aud?: unknown; scope?: unknown; iat?: unknown; exp?: unknown };
    let account: { key: KeyObject; projectId: string } | undefined;
    try {
      const protectedHeader = decodeProtectedHeader(assertion);
      if (protectedHeader.alg !== 'RS256') return refuse('Invalid JWT Signature.');
      const unverified = JSON.parse(
        Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'),
      ) as {
        iss?: unknown;
      };
      account = typeof unverified.iss === 'string' ? accounts.get(unverified.iss) : undefined;
      if (!account) return refuse('Invalid grant: account not found');
      const { payload } = await compactVerify(assertion, account.key, { algorithms: ['RS256'] });
      claims = JSON.parse(new TextDecoder().decode(payload)) as typeof claims;
    } catch {
      return refuse('Invalid JWT Signature.');
    }
    if (claims.aud !== tokenUri) return refuse('Invalid JWT: Failed audience check.');
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(SCOPE))
      return refuse('Invalid OAuth scope or ID token audience provided.', 'invalid_scope');
    const seconds = Math.floor(now() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp <= iat ||
      exp - iat > 3600 ||
      iat > seconds + 60 ||
      exp <= seconds
    )
      return refuse(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    const accessToken = `ya29.local-${randomBytes(24).toString('base64url')}`;
    issued.set(accessToken, {
      clientEmail: String(claims.iss),
      projectId: account.projectId,
      expiresAt: now() + 3599_000,
    });
    json(response, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  async function send(request: IncomingMessage, response: ServerResponse, projectId: string) {
    stats.sends++;
    const text = await readBody(request);
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer ? issued.get(bearer) : undefined;
    if (!grant || grant.expiresAt <= now())
      return json(
        response,
        401,
        googleError(
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      );
    if (grant.projectId !== projectId)
      return json(
        response,
        403,
        googleError(
          403,
          `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${projectId}' (or it may not exist).`,
        ),
      );
    const invalid = (message: string) => {
      log(`fcm 400 ${message}`);
      json(response, 400, googleError(400, message, 'INVALID_ARGUMENT'));
    };
    let body: { message?: Record<string, unknown> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return invalid('Invalid JSON payload received.');
    }
    const message = body?.message;
    if (typeof message !== 'object' || message === null) return invalid('Message is missing.');
    const targets = ['token', 'topic', 'condition'].filter((t) => message[t] !== undefined);
    if (targets.length !== 1 || targets[0] !== 'token')
      return invalid('Exactly one of token, topic or condition must be set; this stand-in accepts a token.');
    const token = message.token;
    if (typeof token !== 'string' || !/^[A-Za-z0-9_:.-]{1,4096}$/.test(token))
      return invalid('The registration token is not a valid FCM registration token');
    const data = message.data;
    if (data !== undefined) {
      if (typeof data !== 'object' || data === null || Array.isArray(data))
        return invalid("Invalid value at 'message.data'.");
      for (const [name, value] of Object.entries(data)) {
        if (typeof value !== 'string')
          return invalid(`Invalid value at 'message.data[${name}].value' (TYPE_STRING).`);
        if (name === 'from' || name === 'message_type' || /^(google|gcm)(\.|$)/.test(name))
          return invalid(`Invalid data payload key: ${name}`);
      }
      if (Buffer.byteLength(JSON.stringify(data)) > 4096) return invalid('Message is too big');
    }
    const android = message.android as { ttl?: unknown; priority?: unknown } | undefined;
    if (android !== undefined) {
      if (android.ttl !== undefined) {
        const ttl = typeof android.ttl === 'string' ? /^(\d+)(\.\d{1,9})?s$/.exec(android.ttl) : null;
        if (!ttl || Number(ttl[1]) > 2_419_200) return invalid("Invalid value at 'message.android.ttl'.");
      }
      if (android.priority !== undefined && android.priority !== 'NORMAL' && android.priority !== 'HIGH')
        return invalid("Invalid value at 'message.android.priority'.");
    }

    const script = scripted.next(token);
    if (script && 'action' in script) {
      log(`fcm ${script.action} ${token}`);
      if (script.action === 'disconnect') request.socket.destroy();
      return;
    }
    if (script) {
      log(`fcm ${script.status} ${script.errorCode ?? ''} ${token}`);
      return json(
        response,
        script.status,
        googleError(script.status, script.message ?? script.errorCode ?? 'error', script.errorCode),
        script.retryAfter === undefined ? {} : { 'retry-after': String(script.retryAfter) },
      );
    }
    const name = `projects/${projectId}/messages/0:${Date.now()}%${(++messageCount).toString(16).padStart(8, '0')}`;
    const headers: Record<string, string> = {};
    const contentType = request.headers['content-type'];
    if (contentType) headers['content-type'] = contentType;
    record({ provider: 'fcm', token, headers, payload: message, time: new Date(now()).toISOString() });
    log(`fcm 200 ${token}`);
    json(response, 200, { name });
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url.pathname);
    const work =
      request.method === 'POST' && url.pathname === '/token'
        ? token(request, response)
        : request.method === 'POST' && sendPath
          ? send(request, response, decodeURIComponent(sendPath[1]!))
          : Promise.resolve(json(response, 404, googleError(404, 'Not found')));
    work.catch(() => {
      if (!response.headersSent) json(response, 400, googleError(400, 'Bad request'));
    });
  });
  server.on('connection', (socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  tokenUri = `${url}/token`;

  return {
    url,
    tokenUri,
    trustServiceAccount(clientEmail, publicKeyPem, projectId) {
      const project = projectId ?? /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(clientEmail)?.[1];
      if (!project) throw new Error(`no project for ${clientEmail}: pass projectId`);
      accounts.set(clientEmail, { key: createPublicKey(publicKeyPem), projectId: project });
    },
    stats,
    received,
    script: (token, ...answers) => scripted.add(token, answers),
    revokeTokens: () => issued.clear(),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ───────────────────────────────────────────── keys ─────────────────────────────────────────────

export interface LocalPushKeys {
  apns: {
    teamId: string;
    keyId: string;
    /** To `trustKey(teamId, keyId, publicKey)`. */
    publicKey: string;
    /** What the API accepts for an APNs token credential. */
    secret: { team_id: string; key_id: string; private_key: string };
  };
  fcm: {
    projectId: string;
    clientEmail: string;
    /** To `trustServiceAccount(clientEmail, publicKey)`. */
    publicKey: string;
    /** Google's service-account JSON without `token_uri`: add the stand-in's `tokenUri`. */
    secret: {
      type: 'service_account';
      project_id: string;
      private_key_id: string;
      private_key: string;
      client_email: string;
    };
  };
}

/** A local APNs token key (P-256) and a local FCM service account (RSA 2048), new on every call. */
export function localPushKeys(): LocalPushKeys {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
  const teamId = 'LOCALTEAM1';
  const keyId = 'LOCALKEY01';
  const projectId = 'local-project';
  const clientEmail = `local@${projectId}.iam.gserviceaccount.com`;
  return {
    apns: {
      teamId,
      keyId,
      publicKey: pem(ec.publicKey, 'spki'),
      secret: { team_id: teamId, key_id: keyId, private_key: pem(ec.privateKey, 'pkcs8') },
    },
    fcm: {
      projectId,
      clientEmail,
      publicKey: pem(rsa.publicKey, 'spki'),
      secret: {
        type: 'service_account',
        project_id: projectId,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: pem(rsa.privateKey, 'pkcs8'),
        client_email: clientEmail,
      },
    },
  };
}

// ──────────────────────────────────────── both, ready to use ────────────────────────────────────────

export interface LocalPushProviders {
  apns: LocalApns;
  fcm: LocalFcm;
  keys: LocalPushKeys;
  /** The secrets as the Credentials API takes them: APNs `{team_id,key_id,private_key}`, FCM service-account JSON. */
  secrets: { apn: string; fcm: string };
  stop(): Promise<void>;
}

/**
 * Both stand-ins with a new local APNs key and FCM service account already trusted, and the secrets to register
 * (what a fresh local runtime hands a new user). With `dir`, deliveries go to `dir/apns.jsonl` and `dir/fcm.jsonl`.
 */
export async function startLocalPushProviders(
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<LocalPushProviders> {
  const keys = localPushKeys();
  const file = (name: string) => (options.dir ? `${options.dir}/${name}.jsonl` : undefined);
  const [apns, fcm] = await Promise.all([
    startLocalApns({ file: file('apns'), log: options.log }),
    startLocalFcm({ file: file('fcm'), log: options.log }),
  ]);
  apns.trustKey(keys.apns.teamId, keys.apns.keyId, keys.apns.publicKey);
  fcm.trustServiceAccount(keys.fcm.clientEmail, keys.fcm.publicKey, keys.fcm.projectId);
  return {
    apns,
    fcm,
    keys,
    secrets: {
      apn: JSON.stringify(keys.apns.secret),
      fcm: JSON.stringify({ ...keys.fcm.secret, token_uri: fcm.tokenUri }),
    },
    stop: async () => {
      await Promise.all([apns.stop(), fcm.stop()]);
    },
  };
}
