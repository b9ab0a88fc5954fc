// @ts-nocheck
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { matchPath, ROUTES } from '../../shared/http/routes';

/** An API Gateway REST proxy event for a request to one of the routes, as API Gateway delivers it. */
export function apiEvent(options: {
  method: string;
  path: string;
  body?: string;
  auth?: { username: string; password: string };
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  const [path, search = ''] = options.path.split('?');
  const route = ROUTES.find((r) => r.method === options.method && matchPath(r.path, path!));
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) (query[name] ??= []).push(value);
  const headers: Record<string, string> = {
    Host: 'verify.example.test',
    ...(options.body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    ...(options.auth
      ? {
          Authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`,
        }
      : {}),
    ...options.headers,
  };
  return {
    resource: route?.path ?? '/{proxy+}',
    path: path!,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: search
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v[0]!]))
      : null,
    multiValueQueryStringParameters: search ? query : null,
    pathParameters: route ? (matchPath(route.path, path!) ?? null) : null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      domainName: 'verify.example.test',
      path: `/prod${path}`,
      stage: 'prod',
      httpMethod: options.method,
      requestId: 'test',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

export const lambdaContext = { awsRequestId: 'test', functionName: 'test' } as Context;

export const form = (params: Record<string, string | string[]>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  }
  return search.toString();
};
