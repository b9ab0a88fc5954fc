import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { corsChecks, hostileChecks } from '../../../infra/smoke/http-checks';
import { Checks } from '../../../infra/smoke/report';

/** A server answering every request with `respond`, to show the checks fail on a wrong answer. */
async function serve(respond: (response: ServerResponse, method: string, path: string) => void) {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => respond(response, request.method ?? 'GET', request.url ?? '/'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${port}`,
    authorization: 'Basic eDp5',
    accountSid: `AC${'a'.repeat(32)}`,
    origin: 'https://app.example',
  };
}
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const results = async (run: (checks: Checks) => Promise<void>) => {
  const checks = new Checks();
  await run(checks);
  return checks.results;
};

describe('the smoke test’s HTTP checks', () => {
  it('fail on an API that accepts anything and sends no CORS headers', async () => {
    const target = await serve((response) => response.writeHead(200).end('{}'));
    const rows = await results(async (checks) => {
      await corsChecks(checks, target, '/v2/Services/VA1');
      await hostileChecks(checks, target);
    });
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.ok)).toEqual([]);
    expect(rows[0]!.detail).toMatch(/no Access-Control-Allow-Origin for https:\/\/app.example/);
    expect(rows.find((r) => r.name.includes('wrong auth'))!.detail).toBe('HTTP 200, expected 401');
  });

  it('fail on a 5xx, on a 4xx without a Twilio error, and on "*" with credentials', async () => {
    const target = await serve((response, method, path) => {
      const cors = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'Authorization',
      };
      if (method === 'POST') response.writeHead(500, cors).end('{"code":20500}');
      else if (path === '/v2/Services/VA1') response.writeHead(method === 'GET' ? 200 : 204, cors).end();
      else response.writeHead(404, cors).end('Not Found');
    });
    const rows = await results(async (checks) => {
      await corsChecks(checks, target, '/v2/Services/VA1');
      await hostileChecks(checks, target);
    });
    expect(rows.map((r) => `${r.ok} ${r.detail}`)).toEqual([
      'false "*" with Allow-Credentials',
      'false "*" with Allow-Credentials',
      'false HTTP 500, expected 4xx',
      'false HTTP 500, expected 4xx',
      'false HTTP 404 without a Twilio error body',
      'false HTTP 500, expected 4xx',
      'false HTTP 404, expected 401',
    ]);
  });
});
