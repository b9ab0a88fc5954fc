import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, invalidParameter, NotFoundError } from '../domain/errors';
import { authenticate, type Authenticator, type Principal } from './auth';
import { accountCredentials } from './auth/account';
import { corsHeaders } from './cors';
import { MAX_BODY_BYTES, parseForm, queryParams, type Params } from './form';
import { errorResponse, toProxyResult, type ApiResponse } from './responses';

export interface ApiRequest {
  method: string;
  /** The request path below the API's base, e.g. `/v2/Services/VA…`. */
  path: string;
  pathParams: Record<string, string>;
  query: Params;
  form: Params;
  principal: Principal;
  /** Base of every URL in responses: `PUBLIC_BASE_URL`, else derived from the request. */
  baseUrl: string;
}

type ApiContext = Context & { api: Partial<ApiRequest> };
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext>;

/** A header, by its lower-case name; only the event's own entries count, whatever names the client sent. */
const header = (event: APIGatewayProxyEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** Where the API is reached: the stage or base-path prefix is what `requestContext.path` adds to `path`. */
function publicBaseUrl(event: APIGatewayProxyEvent): string {
  if (process.env.PUBLIC_BASE_URL) return process.env.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const fullPath = event.requestContext.path ?? event.path;
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  const host = event.requestContext.domainName ?? header(event, 'host');
  const protocol = header(event, 'x-forwarded-proto') ?? 'https';
  return `${protocol}://${host}${prefix}`;
}

function readForm(event: APIGatewayProxyEvent): Params {
  if (event.httpMethod !== 'POST' || !event.body) return new Map();
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw invalidParameter('request body', `must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const contentType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw invalidParameter('Content-Type', 'must be application/x-www-form-urlencoded');
  }
  return parseForm(body);
}

function decodePathParam(name: string, value: string | undefined): string {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    throw invalidParameter(name, 'is not valid URL encoding');
  }
}

/** Runs after authentication: a caller without credentials learns nothing from the parsing. */
const parseRequest = (readBody: boolean): Middleware => ({
  before: ({ event, context }) => {
    context.api = {
      ...context.api,
      method: event.httpMethod,
      path: event.path,
      pathParams: Object.fromEntries(
        Object.entries(event.pathParameters ?? {}).map(([name, value]) => [
          name,
          decodePathParam(name, value),
        ]),
      ),
      query: queryParams(event.multiValueQueryStringParameters),
      form: readBody ? readForm(event) : new Map(),
      baseUrl: publicBaseUrl(event),
    };
  },
});

const authentication = (authenticators: readonly Authenticator[]): Middleware => ({
  before: async ({ event, context }) => {
    context.api = { principal: await authenticate(header(event, 'authorization'), authenticators) };
  },
});

/** Adds the CORS headers to whatever leaves, including errors. */
const cors = (): Middleware => {
  const add: Middleware['after'] = ({ event, response }) => {
    if (response) response.headers = { ...corsHeaders(header(event, 'origin')), ...response.headers };
  };
  return { after: add, onError: add };
};

/** Every failure leaves as a Twilio error body; anything unexpected is logged and answered with a 500. */
const twilioErrors = (): Middleware => ({
  onError: (request) => {
    const { error } = request;
    if (!(error instanceof ApiError)) {
      console.error(
        JSON.stringify({ level: 'ERROR', message: 'Unhandled error', error: String(error?.stack) }),
      );
    }
    const apiError =
      error instanceof NotFoundError
        ? new ApiError(404, 20404, `The requested resource ${request.event.path} was not found`)
        : error instanceof ApiError
          ? error
          : new ApiError(500, 20500, 'Internal Server Error');
    request.response = toProxyResult(errorResponse(apiError));
  },
});

/**
 * Wraps a route's logic as a Lambda handler for API Gateway REST (proxy) events: the request is parsed and
 * authenticated (with the credential kinds in `auth`; none for `[]`) before `handle` runs, whatever
 * `handle` throws becomes a Twilio error response, and every response carries the CORS headers.
 */
export function apiHandler(
  handle: (request: ApiRequest) => Promise<ApiResponse>,
  {
    auth = [accountCredentials],
    readBody = true,
  }: { auth?: readonly Authenticator[]; readBody?: boolean } = {},
): ProxyHandler {
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext>()
    .use(cors())
    .use(twilioErrors());
  if (auth.length > 0) chain.use(authentication(auth));
  chain.use(parseRequest(readBody));
  const handler = chain.handler(async (_event, context) =>
    toProxyResult(await handle(context.api as ApiRequest)),
  );
  // `api` is added to the context by the middlewares above; callers pass a plain Lambda context.
  return handler as unknown as ProxyHandler;
}
