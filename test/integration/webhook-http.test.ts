import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedLookup, createWebhookHttp, usableAddresses } from '../../shared/webhooks/http';

/** The webhook HTTP sender against a local server: addresses, redirects, keep-alive, timeouts. */
let server: Server;
let port: number;
const seen: { path: string; host: string }[] = [];
let last: { headers: IncomingHttpHeaders; body: string } | undefined;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', host: req.headers.host ?? '' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      last = { headers: req.headers, body: Buffer.concat(chunks).toString() };
      if (req.url === '/redirect') res.writeHead(302, { Location: '/target' }).end();
      else if (req.url === '/hang') return;
      else if (req.url === '/slow') setTimeout(() => res.writeHead(204).end(), 500);
      else res.writeHead(204).end();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const options = { connectTimeoutMs: 1_000, timeoutMs: 2_000 };

describe('webhook HTTP', () => {
  it('refuses loopback and private addresses when deployed, literal or resolved, without connecting', async () => {
    const resolved: Record<string, string> = {
      'loopback.test': '127.0.0.1',
      'private.test': '10.0.0.1',
      'metadata.test': '169.254.169.254',
      'mapped.test': '::ffff:127.0.0.1',
      'ula.test': 'fd00::1',
    };
    const http = createWebhookHttp({
      ...options,
      allowPrivateAddresses: false,
      resolve: async (hostname) => [
        { address: resolved[hostname]!, family: resolved[hostname]!.includes(':') ? 6 : 4 },
      ],
    });
    const before = seen.length;
    for (const url of [
      `http://127.0.0.1:${port}/x`,
      `http://[::1]:${port}/x`,
      `http://[::ffff:127.0.0.1]:${port}/x`,
      ...Object.keys(resolved).map((host) => `http://${host}:${port}/x`),
    ]) {
      expect(await http.post(url, {}, 'a=b'), url).toEqual({ error: 'refused-address' });
    }
    expect(seen.length).toBe(before);
    http.close();
  });

  it('connects to the address its lookup checked, with the URL host in the request', async () => {
    const http = createWebhookHttp({
      ...options,
      allowPrivateAddresses: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(await http.post(`http://receiver.test:${port}/checked`, {}, 'a=b')).toEqual({ status: 204 });
    expect(seen.at(-1)).toEqual({ path: '/checked', host: `receiver.test:${port}` });
    http.close();
  });

  it('follows no redirect: a 302 is the answer', async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const before = seen.length;
    expect(await http.post(`http://127.0.0.1:${port}/redirect`, {}, '')).toEqual({ status: 302 });
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/redirect']);
    http.close();
  });

  it('keeps connections alive: 50 requests to one receiver over one connection', async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const before = connections;
    for (let i = 0; i < 50; i++)
      expect(await http.post(`http://127.0.0.1:${port}/ok`, {}, `i=${i}`)).toEqual({ status: 204 });
    expect(connections - before).toBe(1);
    expect(http.stats.connections).toBe(1);
    http.close();
  });

  it('sends again, once, on a new connection when a kept-alive one is reset as it is reused', async () => {
    let tcpConnections = 0;
    const tcp = createTcpServer((socket) => {
      tcpConnections++;
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString().startsWith('POST')) return;
        if (++requests === 1) socket.write('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n');
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    expect(await http.post(url, {}, 'a=1')).toEqual({ status: 204 });
    expect(await http.post(url, {}, 'a=2')).toEqual({ status: 204 });
    expect(tcpConnections).toBe(2);
    http.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('gives up on a receiver that never answers', async () => {
    const http = createWebhookHttp({ connectTimeoutMs: 1_000, timeoutMs: 200, allowPrivateAddresses: true });
    expect(await http.post(`http://127.0.0.1:${port}/hang`, {}, '')).toEqual({ error: 'timeout' });
    http.close();
  });

  it('reports a refused connection and a malformed URL as failures', async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await http.post(`http://127.0.0.1:${closedPort}/`, {}, '')).toEqual({ error: 'ECONNREFUSED' });
    expect(await http.post('not a url', {}, '')).toEqual({ error: 'invalid-url' });
    http.close();
  });

  it("sends the caller's headers, the body and its length in bytes, and counts the requests it sends", async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'c2lnbmVk' };
    expect(await http.post(`http://127.0.0.1:${port}/ok`, headers, 'name=é')).toEqual({ status: 204 });
    expect(last?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': 'c2lnbmVk',
      'content-length': '7',
    });
    expect(last?.body).toBe('name=é');
    expect(http.stats.requests).toBe(1);
    await http.post(`http://127.0.0.1:${port}/ok`, {}, '');
    expect(http.stats.requests).toBe(2);
    http.close();
  });

  it('counts neither a refused address nor a malformed URL as a request', async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: false });
    expect(await http.post(`http://127.0.0.1:${port}/x`, {}, '')).toEqual({ error: 'refused-address' });
    expect(await http.post('not a url', {}, '')).toEqual({ error: 'invalid-url' });
    expect(http.stats).toEqual({ requests: 0, connections: 0 });
    http.close();
  });

  it('speaks TLS to an https URL: a plain-HTTP receiver is a TLS failure, not an answer', async () => {
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const before = seen.length;
    expect(await http.post(`https://127.0.0.1:${port}/ok`, {}, '')).toEqual({ error: 'EPROTO' });
    expect(seen.length).toBe(before);
    http.close();
  });

  it('gives up on a connection that is not made in time', async () => {
    // The lookup never answers, so the socket stays connecting: no address, local or remote, is dialled.
    const http = createWebhookHttp({
      connectTimeoutMs: 20,
      timeoutMs: 5_000,
      allowPrivateAddresses: true,
      resolve: () => new Promise<LookupAddress[]>(() => {}),
    });
    expect(await http.post(`http://unanswered.test:${port}/`, {}, '')).toEqual({ error: 'connect-timeout' });
    http.close();
  });

  it('stops the connect timeout once connected, and starts none on a reused connection', async () => {
    // Each answer takes longer than the connect timeout: only the whole-request timeout applies to it.
    const http = createWebhookHttp({ connectTimeoutMs: 250, timeoutMs: 5_000, allowPrivateAddresses: true });
    expect(await http.post(`http://127.0.0.1:${port}/slow`, {}, '')).toEqual({ status: 204 });
    expect(await http.post(`http://127.0.0.1:${port}/slow`, {}, '')).toEqual({ status: 204 });
    expect(http.stats.connections).toBe(1);
    http.close();
  });

  it('reports a response cut short as a response error', async () => {
    const tcp = createTcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
    expect(await http.post(url, {}, '')).toEqual({ error: 'response-error' });
    http.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('reports a failed lookup by its code, or as a request error when it has none', async () => {
    const failing = (error: Error) =>
      createWebhookHttp({ ...options, allowPrivateAddresses: true, resolve: () => Promise.reject(error) });
    const notFound = failing(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect(await notFound.post('http://missing.test/', {}, '')).toEqual({ error: 'ENOTFOUND' });
    const uncoded = failing(new Error('no code'));
    expect(await uncoded.post('http://missing.test/', {}, '')).toEqual({ error: 'request-error' });
    notFound.close();
    uncoded.close();
  });

  it('resolves a hostname with the system resolver by default, and refuses what it resolves to when deployed', async () => {
    // `localhost` comes from the hosts file: no DNS server is asked.
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: false });
    const before = seen.length;
    expect(await http.post(`http://localhost:${port}/x`, {}, '')).toEqual({ error: 'refused-address' });
    expect(seen.length).toBe(before);
    http.close();
  });

  /**
   * A TCP receiver that answers the first `answered` requests on each connection with a 204, and the next one
   * by resetting the connection or, given `instead`, with those bytes.
   */
  async function resettingReceiver(answered: number, instead?: string) {
    const received = { connections: 0, requests: 0 };
    const tcp = createTcpServer((socket) => {
      received.connections++;
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString().startsWith('POST')) return;
        received.requests++;
        if (++requests <= answered) socket.write('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n');
        else if (instead) socket.end(instead);
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
    const close = () => new Promise<void>((resolve) => tcp.close(() => resolve()));
    return { url, received, close };
  }

  it('does not send again when a new connection is reset', async () => {
    const receiver = await resettingReceiver(0);
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    expect(await http.post(receiver.url, {}, 'a=1')).toEqual({ error: 'ECONNRESET' });
    expect(receiver.received).toEqual({ connections: 1, requests: 1 });
    expect(http.stats.requests).toBe(1);
    http.close();
    await receiver.close();
  });

  it('sends again only once: a reset of the second kept-alive connection too is the answer', async () => {
    const receiver = await resettingReceiver(1);
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    // Two kept-alive connections, each answered once: the next two requests on them are reset.
    expect(
      await Promise.all([http.post(receiver.url, {}, 'a=1'), http.post(receiver.url, {}, 'a=2')]),
    ).toEqual([{ status: 204 }, { status: 204 }]);
    expect(await http.post(receiver.url, {}, 'a=3')).toEqual({ error: 'ECONNRESET' });
    expect(receiver.received).toEqual({ connections: 2, requests: 4 });
    expect(http.stats).toEqual({ requests: 4, connections: 2 });
    http.close();
    await receiver.close();
  });

  it('does not send again on a kept-alive connection that fails otherwise than by a reset', async () => {
    const receiver = await resettingReceiver(1, 'not HTTP\r\n\r\n');
    const http = createWebhookHttp({ ...options, allowPrivateAddresses: true });
    expect(await http.post(receiver.url, {}, 'a=1')).toEqual({ status: 204 });
    expect(await http.post(receiver.url, {}, 'a=2')).toEqual({ error: 'HPE_INVALID_CONSTANT' });
    expect(receiver.received).toEqual({ connections: 1, requests: 2 });
    http.close();
    await receiver.close();
  });

  it('does not send again a request it gave up on over a kept-alive connection', async () => {
    const http = createWebhookHttp({ connectTimeoutMs: 1_000, timeoutMs: 200, allowPrivateAddresses: true });
    expect(await http.post(`http://127.0.0.1:${port}/ok`, {}, '')).toEqual({ status: 204 });
    const before = seen.length;
    expect(await http.post(`http://127.0.0.1:${port}/hang`, {}, '')).toEqual({ error: 'timeout' });
    // Giving up destroys the request, which then fails as reset ('socket hang up'): let that error arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(http.stats.requests).toBe(2);
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/hang']);
    http.close();
  });
});

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });
const resolvedMix = [
  v4('127.0.0.1'),
  v6('2606:4700::1111'),
  v4('10.0.0.1'),
  v4('93.184.216.34'),
  v6('fd00::1'),
];

describe("webhook address choice (the agents' lookup)", () => {
  it('keeps only public addresses when deployed, all of them in development', () => {
    expect(usableAddresses(resolvedMix, { allowPrivateAddresses: false })).toEqual([
      v6('2606:4700::1111'),
      v4('93.184.216.34'),
    ]);
    expect(usableAddresses(resolvedMix, { allowPrivateAddresses: true })).toEqual(resolvedMix);
  });

  it('keeps the family the socket asks for, any family when it asks for none', () => {
    expect(usableAddresses(resolvedMix, { family: 4, allowPrivateAddresses: false })).toEqual([
      v4('93.184.216.34'),
    ]);
    expect(usableAddresses(resolvedMix, { family: 6, allowPrivateAddresses: true })).toEqual([
      v6('2606:4700::1111'),
      v6('fd00::1'),
    ]);
    expect(usableAddresses(resolvedMix, { family: 0, allowPrivateAddresses: true })).toEqual(resolvedMix);
  });

  it('leaves nothing when no address is public', () => {
    expect(usableAddresses([v4('127.0.0.1'), v6('::1')], { allowPrivateAddresses: false })).toEqual([]);
    expect(usableAddresses([v4('93.184.216.34')], { family: 6, allowPrivateAddresses: false })).toEqual([]);
  });

  /** Calls a lookup and gives back the arguments of its callback. */
  const lookUp = (lookup: LookupFunction, hostname: string, lookupOptions: object) =>
    new Promise<unknown[]>((resolve) =>
      lookup(hostname, lookupOptions, (...args: unknown[]) => resolve(args)),
    );
  const resolving = (addresses: LookupAddress[]) => {
    const asked: string[] = [];
    const resolve = async (hostname: string) => (asked.push(hostname), addresses);
    return { resolve, asked };
  };

  it('answers with every usable address when asked for all, else with the first and its family', async () => {
    const { resolve, asked } = resolving(resolvedMix);
    const lookup = checkedLookup(resolve, false);
    expect(await lookUp(lookup, 'receiver.test', { all: true })).toEqual([
      null,
      [v6('2606:4700::1111'), v4('93.184.216.34')],
    ]);
    expect(await lookUp(lookup, 'receiver.test', {})).toEqual([null, '2606:4700::1111', 6]);
    expect(await lookUp(lookup, 'receiver.test', { family: 4 })).toEqual([null, '93.184.216.34', 4]);
    expect(asked).toEqual(['receiver.test', 'receiver.test', 'receiver.test']);
  });

  it('refuses a hostname with no usable address, and passes a failed resolution on', async () => {
    const [error, address, family] = await lookUp(
      checkedLookup(resolving([v4('127.0.0.1'), v4('10.0.0.1')]).resolve, false),
      'inside.test',
      { all: true },
    );
    expect(error).toMatchObject({
      code: 'EREFUSEDADDRESS',
      message: 'inside.test resolves to no public address',
    });
    expect([address, family]).toEqual(['', 0]);
    expect(await lookUp(checkedLookup(resolving([v4('127.0.0.1')]).resolve, true), 'local.test', {})).toEqual(
      [null, '127.0.0.1', 4],
    );
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect(
      await lookUp(
        checkedLookup(() => Promise.reject(failure), false),
        'missing.test',
        {},
      ),
    ).toEqual([failure, '', 0]);
  });
});
