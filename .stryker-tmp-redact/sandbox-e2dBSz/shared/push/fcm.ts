// @ts-nocheck
import { classifyFcm, fcmErrorCode, parseRetryAfter } from './errors';
import { signJwt } from './jwt';
import { fcmRequest } from './payloads';
import type { FcmServiceAccount, ProviderCredential, PushMessage, PushProvider, SendOutcome } from './types';

/** FCM HTTP v1 with an OAuth2 JWT-bearer access token (reference §3.2). */

export const FCM_BASE_URL = 'https://fcm.googleapis.com';
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Access tokens are reused until this long before they expire. */
export const FCM_TOKEN_MARGIN_MS = 5 * 60_000;

export interface FcmProviderOptions {
  /** Replaces https://fcm.googleapis.com (the local stand-in). The token endpoint is the credential's `tokenUri`. */
  baseUrl?: string;
  /** Per HTTP request (token or send); default 5 s. */
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

interface AccessToken {
  value: string;
  expiresAt: number;
}

/** A token request that failed, with the outcome the send reports. */
class TokenFailure extends Error {
  constructor(readonly outcome: Exclude<SendOutcome, { kind: 'sent' }>) {
    super(outcome.reason);
  }
}

const describe = (err: unknown) => {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof cause === 'string'
    ? `${err.message} (${cause})`
    : err.name === 'TimeoutError'
      ? 'timeout'
      : err.message;
};

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createFcmProvider(options: FcmProviderOptions = {}): PushProvider {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const http = options.fetch ?? fetch;
  const baseUrl = (options.baseUrl ?? FCM_BASE_URL).replace(/\/+$/, '');
  /** Per (clientEmail, tokenUri). */
  const tokens = new Map<string, AccessToken>();
  /** Concurrent sends share one token request. */
  const pending = new Map<string, Promise<AccessToken>>();

  async function requestToken(account: FcmServiceAccount): Promise<AccessToken> {
    const iat = Math.floor(now() / 1000);
    let assertion: string;
    try {
      assertion = signJwt(
        'RS256',
        account.privateKeyId ? { kid: account.privateKeyId } : {},
        { iss: account.clientEmail, scope: FCM_SCOPE, aud: account.tokenUri, iat, exp: iat + 3600 },
        account.privateKey,
      );
    } catch (err) {
      throw new TokenFailure({ kind: 'permanent', reason: `credential unusable: ${describe(err)}` });
    }
    let response: Response;
    let body: unknown;
    try {
      response = await http(account.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await readJson(response);
    } catch (err) {
      throw new TokenFailure({ kind: 'retry', reason: `token request failed: ${describe(err)}` });
    }
    const answer = (body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (response.ok && typeof answer.access_token === 'string') {
      const given = Number(answer.expires_in);
      const seconds = Number.isFinite(given) && given > 0 ? given : 3599;
      return { value: answer.access_token, expiresAt: now() + seconds * 1000 };
    }
    const status = response.status;
    const reason = `token request refused: ${typeof answer.error === 'string' ? answer.error : `HTTP ${status}`}`;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      throw new TokenFailure({
        kind: 'retry',
        status,
        reason,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    // invalid_grant (bad signature, unknown key, clock), invalid_scope, invalid_client…: an operator must fix the credential.
    throw new TokenFailure({ kind: 'permanent', status, reason });
  }

  /** The cached access token, or a new one when it is within 5 minutes of expiry or when `replacing` was refused. */
  function accessToken(account: FcmServiceAccount, replacing?: string): Promise<AccessToken> {
    const key = `${account.clientEmail} ${account.tokenUri}`;
    const cached = tokens.get(key);
    if (cached && cached.value !== replacing && now() < cached.expiresAt - FCM_TOKEN_MARGIN_MS)
      return Promise.resolve(cached);
    const inFlight = pending.get(key);
    if (inFlight) return inFlight;
    const request = requestToken(account)
      .then((token) => {
        tokens.set(key, token);
        return token;
      })
      .finally(() => pending.delete(key));
    pending.set(key, request);
    return request;
  }

  async function send(credential: ProviderCredential, message: PushMessage): Promise<SendOutcome> {
    if (credential.type !== 'fcm') return { kind: 'permanent', reason: 'not an FCM credential' };
    const account = credential.serviceAccount;
    const { path, body } = fcmRequest(account.projectId, message);
    const text = JSON.stringify(body);
    let refused: string | undefined;
    for (;;) {
      let token: AccessToken;
      try {
        token = await accessToken(account, refused);
      } catch (err) {
        if (err instanceof TokenFailure) return err.outcome;
        return { kind: 'retry', reason: describe(err) };
      }
      let response: Response;
      let answer: unknown;
      try {
        response = await http(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.value}`, 'content-type': 'application/json' },
          body: text,
          signal: AbortSignal.timeout(timeoutMs),
        });
        answer = await readJson(response);
      } catch (err) {
        return { kind: 'retry', reason: describe(err) };
      }
      // 401 without an FcmError: the access token expired or was revoked. Refresh once and retry once.
      // (401 THIRD_PARTY_AUTH_ERROR is the APNs key configured in Firebase: no refresh cures that.)
      if (response.status === 401 && fcmErrorCode(answer) === undefined && refused === undefined) {
        refused = token.value;
        continue;
      }
      return classifyFcm({
        status: response.status,
        body: answer,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
      });
    }
  }

  async function close(): Promise<void> {
    tokens.clear();
    pending.clear();
  }

  return { send, close };
}
