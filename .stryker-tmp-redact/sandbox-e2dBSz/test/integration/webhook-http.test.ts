// @ts-nocheck
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHttp } from '../../shared/webhooks/http';

/** The webhook HTTP sender against a local server: addresses, redirects, keep-alive, timeouts. */
let server: Server;
let port: number;
const seen: { path: string; host: string }[] = [];
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', host: req.headers.host ?? '' });
    req.resume();
    if (req.url === '/redirect') res.writeHead(302, { Location: '/target' }).end();
    else if (req.url === '/hang') return;
    else res.writeHead(204).end();
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
});
