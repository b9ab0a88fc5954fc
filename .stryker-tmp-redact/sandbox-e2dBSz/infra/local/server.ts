// @ts-nocheck
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dependencies } from '../../shared/dependencies';
import { FALLBACK_HANDLER, resolveRoute, ROUTES } from '../../shared/http/routes';

type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ROOT = resolve(import.meta.dirname, '../..');
/** API Gateway's payload limit; below it, the handlers' own 64 KB check answers (400, naming the body). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The handlers of the route table's modules (the same modules Lambda runs), built with these dependencies. */
function handlers(deps: Dependencies) {
  const built = new Map<string, Promise<LambdaHandler>>();
  const handlerOf = (module: string) => {
    let handler = built.get(module);
    if (!handler) {
      handler = import(pathToFileURL(resolve(ROOT, module)).href).then(
        (m: { build: (deps: Dependencies) => LambdaHandler }) => m.build(deps),
      );
      built.set(module, handler);
    }
    return handler;
  };
  /** Builds every handler now, so a broken module fails at start rather than on its first request. */
  const loadAll = async () => {
    await Promise.all([...ROUTES.map((route) => route.handler), FALLBACK_HANDLER].map(handlerOf));
  };
  return { handlerOf, loadAll };
}

/** The body, or undefined when it is over API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** A map for names the client chose (headers, query parameters): no prototype, so `constructor` is a name. */
const dictionary = <T>() => Object.create(null) as Record<string, T>;

/**
 * The request's path and query. A target that does not parse as one (`http://[`) reads as `/`, which no
 * route serves.
 */
function requestUrl(request: IncomingMessage): URL {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return new URL('http://localhost/');
  }
}

const twilioError = (code: number, status: number, message: string) =>
  JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/** An API Gateway REST (v1) proxy event for the request, as API Gateway would build it. */
export function toProxyEvent(
  request: IncomingMessage,
  body: string,
  match: { resource: string; pathParameters: Record<string, string> | null },
): APIGatewayProxyEvent {
  const url = requestUrl(request);
  const headers = dictionary<string>();
  const multiValueHeaders = dictionary<string[]>();
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i]!, request.rawHeaders[i + 1]!];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = dictionary<string[]>();
  const lastValues = dictionary<string>();
  for (const [name, value] of url.searchParams) {
    (query[name] ??= []).push(value);
    lastValues[name] = value;
  }
  const hasQuery = Object.keys(query).length > 0;
  const method = request.method ?? 'GET';
  return {
    resource: match.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? lastValues : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: undefined,
      domainName: request.headers.host ?? 'localhost',
      httpMethod: method,
      path: url.pathname,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: match.resource,
      stage: 'local',
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

const lambdaContext = (name: string): Context =>
  ({
    functionName: name,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 10_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as Context;

/**
 * Serves the API over HTTP by invoking the route table's handler modules with API Gateway events. `ready`
 * builds every handler (a broken module fails there rather than on its first request).
 */
export function createLocalServer(deps: Dependencies): Server & { ready: () => Promise<void> } {
  const { handlerOf, loadAll } = handlers(deps);
  const server = createServer(async (request, response) => {
    try {
      const path = requestUrl(request).pathname;
      const resolution = resolveRoute(request.method ?? 'GET', path);
      const route = resolution.kind === 'route' ? resolution.route : undefined;
      const body = await readBody(request);
      if (body === undefined) {
        response.writeHead(413, { 'Content-Type': 'application/json' });
        response.end(twilioError(20413, 413, 'Request body too large'));
        return;
      }
      const event = toProxyEvent(request, body, {
        resource: route?.path ?? '/{proxy+}',
        pathParameters: resolution.kind === 'route' ? resolution.params : null,
      });
      const handler = await handlerOf(route?.handler ?? FALLBACK_HANDLER);
      const result = await handler(event, lambdaContext(route?.name ?? 'Fallback'));
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
        headers[name] = values.map(String);
      response.writeHead(result.statusCode, headers);
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      console.error(error);
      response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end(twilioError(20500, 500, 'Internal Server Error'));
    }
  });
  return Object.assign(server, { ready: loadAll });
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const address = server.address() as { port: number };
  return `http://${host}:${address.port}`;
}
