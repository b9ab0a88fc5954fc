import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Config } from '../config';
import { DomainError, invalidParameter } from '../domain/errors';
import {
  authenticate,
  takeRequestToken,
  type AuthDeps,
  type AuthenticatorKind,
  type Principal,
} from './auth';
import { accountCredentials } from './auth/account';
import { corsHeaders } from './cors';
import { twilioError } from './errors';
import { MAX_BODY_BYTES, parseForm, queryParams, type Params } from './form';
import { parseUserJson } from './params';
import { observeRequests } from './observe';
import { appendKeys } from '../observability/invocation';
import { log } from '../observability/log';
import { errorResponse, toProxyResult, type ApiResponse } from './responses';

/** What the HTTP wrapper itself uses: the settings, the clock and the stores credentials are checked against. */
export type HandlerDeps = AuthDeps & { config: Config; now: () => Date };

export interface ApiRequest {
  method: string;
  /** The request path below the API's base, e.g. `/v2/Services/VA…`. */
  path: string;
  pathParams: Record<string, string>;
  query: Params;
  form: Params;
  /** The JSON body of a route built with `body: 'json'` (an object; `{}` when empty), else undefined. */
  json?: Record<string, unknown>;
  principal: Principal;
  /** Base of every URL in responses: `PUBLIC_BASE_URL`, else derived from the request. */
  baseUrl: string;
}

/** How a route's body is read: form-encoded (Twilio's usual), JSON (the passkeys routes), or not at all. */
export type BodyKind = 'form' | 'json' | 'none';

type ApiContext = Context & { api: Partial<ApiRequest> };
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext>;

/** A header, by its lower-case name; only the event's own entries count, whatever names the client sent. */
const header = (event: APIGatewayProxyEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** Where the API is reached: the stage or base-path prefix is what `requestContext.path` adds to `path`. */
function publicBaseUrl(event: APIGatewayProxyEvent, config: Config): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const fullPath = event.requestContext.path ?? event.path;
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  const host = event.requestContext.domainName ?? header(event, 'host');
  const protocol = header(event, 'x-forwarded-proto') ?? 'https';
  return `${protocol}://${host}${prefix}`;
}

/** The request body as text, within the size limit; undefined when there is none. */
function bodyText(event: APIGatewayProxyEvent): string | undefined {
  if (event.httpMethod !== 'POST' || !event.body) return undefined;
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw invalidParameter('request body', `must be at most ${MAX_BODY_BYTES} bytes`);
  }
  return body;
}

const contentTypeOf = (event: APIGatewayProxyEvent) =>
  header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();

/**
 * A JSON body (the passkeys routes, as Twilio's spec and twilio-node send them): an object, parsed with
 * null prototypes (`parseUserJson`); an empty body is `{}`. Anything else is a 400 naming the body.
 */
function readJson(event: APIGatewayProxyEvent): Record<string, unknown> {
  const body = bodyText(event);
  if (body === undefined || body.trim() === '') return Object.create(null) as Record<string, unknown>;
  if (contentTypeOf(event) !== 'application/json') {
    throw invalidParameter('Content-Type', 'must be application/json');
  }
  let parsed: unknown;
  try {
    parsed = parseUserJson(body);
  } catch {
    throw invalidParameter('request body', 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('request body', 'must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function readForm(event: APIGatewayProxyEvent): Params {
  const body = bodyText(event);
  if (body === undefined) return new Map();
  const contentType = contentTypeOf(event);
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
const parseRequest = (body: BodyKind, config: Config): Middleware => ({
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
      form: body === 'form' ? readForm(event) : new Map(),
      ...(body === 'json' ? { json: readJson(event) } : {}),
      baseUrl: publicBaseUrl(event, config),
    };
  },
});

/** Checks the credentials (refusing malformed ones without a read), then the account's request rate. */
const authentication = (deps: HandlerDeps, kinds: readonly AuthenticatorKind[]): Middleware => {
  const authenticators = kinds.map((kind) => kind(deps));
  return {
    before: async ({ event, context }) => {
      const now = deps.now();
      const principal = await authenticate(header(event, 'authorization'), authenticators, deps.config, now);
      // Every later log line of the request names the account (and the credential kind).
      appendKeys({ account_sid: principal.accountSid, principal: principal.kind });
      takeRequestToken(principal.accountSid, deps.config, now);
      context.api = { principal };
    },
  };
};

/** Adds the CORS headers to whatever leaves, including errors. */
const cors = (config: Config): Middleware => {
  const add: Middleware['after'] = ({ event, response }) => {
    if (response) {
      const allowed = corsHeaders(header(event, 'origin'), config.allowedOrigins);
      response.headers = { ...allowed, ...response.headers };
    }
  };
  return { after: add, onError: add };
};

/** Every failure leaves as a Twilio error body; anything unexpected is logged and answered with a 500. */
const twilioErrors = (deps: HandlerDeps): Middleware => ({
  onError: (request) => {
    const { error } = request;
    if (!(error instanceof DomainError)) log.error('Unhandled error', { error });
    request.response = toProxyResult(errorResponse(twilioError(error, request.event.path, deps.now())));
  },
});

/**
 * Wraps a route's logic as a Lambda handler for API Gateway REST (proxy) events: the request is parsed and
 * authenticated (with the credential kinds in `auth`; none for `[]`) before `handle` runs, whatever
 * `handle` throws becomes a Twilio error response, and every response carries the CORS headers. Every
 * request is observed (`observe.ts`): structured log lines, security events and metrics.
 */
export function apiHandler(
  deps: HandlerDeps,
  handle: (request: ApiRequest) => Promise<ApiResponse>,
  {
    auth = [accountCredentials],
    body = 'form',
  }: { auth?: readonly AuthenticatorKind[]; body?: BodyKind } = {},
): ProxyHandler {
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext>()
    .use(cors(deps.config))
    .use(twilioErrors(deps));
  if (auth.length > 0) chain.use(authentication(deps, auth));
  chain.use(parseRequest(body, deps.config));
  const handler = chain.handler(async (_event, context) =>
    toProxyResult(await handle(context.api as ApiRequest)),
  );
  // `api` is added to the context by the middlewares above; callers pass a plain Lambda context.
  return observeRequests(deps.config, handler as unknown as ProxyHandler);
}
