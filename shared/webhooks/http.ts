import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './addresses';

/** What a webhook send needs: no AWS, no other layer (bundled into the delivery Lambda). */
export interface WebhookHttpOptions {
  connectTimeoutMs: number;
  /** The whole request, from start to the end of the response. */
  timeoutMs: number;
  /** Loopback, private and other non-public addresses allowed (development). */
  allowPrivateAddresses: boolean;
  /** Replaced in tests; DNS by default. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export type WebhookHttpResult = { status: number } | { error: string };

const resolveAll = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

class RefusedAddress extends Error {
  code = 'EREFUSEDADDRESS';
}

/**
 * The addresses a connection may go to, out of those a hostname resolved to: deployed, the public ones
 * only (`isPublicAddress`); then those of the family the socket asks for, if it asks for one.
 */
export function usableAddresses(
  addresses: LookupAddress[],
  { family, allowPrivateAddresses }: { family?: number | string; allowPrivateAddresses: boolean },
): LookupAddress[] {
  const usable = allowPrivateAddresses
    ? addresses
    : addresses.filter((entry) => isPublicAddress(entry.address));
  return family ? usable.filter((entry) => entry.family === family) : usable;
}

/**
 * The agents' `lookup`: resolves the hostname and hands the socket only usable addresses, so the connection
 * goes to an address that was checked; none usable is an `EREFUSEDADDRESS` error.
 */
export function checkedLookup(
  resolve: (hostname: string) => Promise<LookupAddress[]>,
  allowPrivateAddresses: boolean,
): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = usableAddresses(addresses, { family: lookupOptions.family, allowPrivateAddresses });
        if (wanted.length === 0) {
          callback(new RefusedAddress(`${hostname} resolves to no public address`), '', 0);
        } else if (lookupOptions.all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * Webhook requests: POST, keep-alive connections per origin kept across invocations, a connect timeout and
 * a whole-request timeout, no redirect followed (a 3xx is an answer like any other non-2xx). Deployed,
 * the hostname is resolved and only public addresses (`isPublicAddress`) are used: the connection goes to
 * an address that was checked (the agent's `lookup`), so a DNS answer cannot change between the check and
 * the connection. An IP literal is checked as it is.
 */
export function createWebhookHttp(options: WebhookHttpOptions) {
  const stats = { requests: 0, connections: 0 };
  const lookup = checkedLookup(options.resolve ?? resolveAll, options.allowPrivateAddresses);
  const agentOptions = { keepAlive: true, maxSockets: 64, lookup };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const counted = new WeakSet<object>();

  const send = (url: string, headers: Record<string, string>, body: string, retried: boolean) =>
    new Promise<WebhookHttpResult>((done) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return done({ error: 'invalid-url' });
      }
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal) && !options.allowPrivateAddresses && !isPublicAddress(literal)) {
        return done({ error: 'refused-address' });
      }
      stats.requests++;
      const https = target.protocol === 'https:';
      let finished = false;
      /** Settles the send once, with a result or with that of a new attempt (a promise). */
      const finish = (result: WebhookHttpResult | Promise<WebhookHttpResult>) => {
        if (finished) return;
        finished = true;
        clearTimeout(whole);
        clearTimeout(connecting);
        done(result);
      };
      let connecting: NodeJS.Timeout | undefined;
      const request: ClientRequest = (https ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
      const whole = setTimeout(() => {
        finish({ error: 'timeout' });
        request.destroy();
      }, options.timeoutMs);
      request.on('socket', (socket) => {
        if (!counted.has(socket)) {
          counted.add(socket);
          stats.connections++;
        }
        if (socket.connecting) {
          connecting = setTimeout(() => {
            finish({ error: 'connect-timeout' });
            request.destroy();
          }, options.connectTimeoutMs);
          socket.once('connect', () => clearTimeout(connecting));
        }
      });
      request.on('response', (response) => {
        response.on('error', () => finish({ error: 'response-error' }));
        response.on('end', () => finish({ status: response.statusCode ?? 0 }));
        response.resume();
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the receiver closed just as it was reused: sent again once, on another
        // connection (a new one, or another kept-alive one: a second reset is then the answer); a duplicate,
        // should the receiver have read it, is deduplicated by its idempotency token.
        if (!finished && !retried && request.reusedSocket && error.code === 'ECONNRESET') {
          finish(send(url, headers, body, true));
          return;
        }
        finish({
          error: error instanceof RefusedAddress ? 'refused-address' : (error.code ?? 'request-error'),
        });
      });
      request.end(body);
    });

  return {
    post: (url: string, headers: Record<string, string>, body: string) => send(url, headers, body, false),
    stats,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
