// @ts-nocheck
import { request as httpRequest } from 'node:http';
import twilio from 'twilio';
import { freePort } from '../../infra/local/dynamodb';
import { createLocalServer, listen } from '../../infra/local/server';
import type { Config } from '../../shared/config';
import { testDeps } from './deps';
import { createAccount } from './fixtures';

/**
 * The local server (the same one `npm start` runs) on a free port, against the test DynamoDB Local, with
 * the test worker's configuration (`settings` override values; the public base URL is the server's own).
 */
export async function startTestServer(settings: Partial<Config> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const deps = testDeps({ publicBaseUrl: url, ...settings });
  const server = createLocalServer(deps);
  await listen(server, port);
  return { url, deps, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** The official twilio-node client pointed at our server, for a fresh account. */
export async function twilioFor(url: string) {
  const account = await createAccount();
  const client = twilio(account.sid, account.authToken);
  client.verify.baseUrl = url;
  return { client, account };
}

/** The failure of a call made with the twilio client, as the fields a caller sees. */
export async function failureOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const { status, code, message, moreInfo } = error as {
      status: number;
      code: number;
      message: string;
      moreInfo: string;
    };
    return { status, code, message, moreInfo };
  }
  throw new Error('expected the call to fail');
}

/** A request without the twilio client, for what it would refuse to send. */
export async function rawRequest(
  url: string,
  options: {
    method?: string;
    auth?: { sid: string; authToken: string };
    body?: string;
    headers?: Record<string, string>;
  },
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) {
    headers.Authorization = `Basic ${Buffer.from(`${options.auth.sid}:${options.auth.authToken}`).toString('base64')}`;
  }
  if (options.body !== undefined) headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body: options.body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

/**
 * A request whose target and headers are sent exactly as given (`fetch` would normalise `http://[` or `..`
 * away), with the raw text of the answer and its JSON body when it has one.
 */
export function targetRequest(
  url: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; text: string; body: unknown }>((resolve, reject) => {
    // Content-Length always: without it Node sends a GET's body as if it were the next request.
    const length = options.body === undefined ? {} : { 'Content-Length': Buffer.byteLength(options.body) };
    const request = httpRequest(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: target,
        headers: { ...options.headers, ...length },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: unknown;
          try {
            body = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, text, body });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
