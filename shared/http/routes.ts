/**
 * The route table: the single source for the CDK REST API (one Lambda per route) and the local server.
 * `handler` is the module, relative to the repository root, whose `handler` export serves the route.
 */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Route {
  name: string;
  method: HttpMethod;
  path: string;
  handler: string;
  /** Seals or opens TOTP secrets, so its function gets the KMS key. */
  secrets?: true;
}

const SERVICE = '/v2/Services/{ServiceSid}';
const ENTITY = `${SERVICE}/Entities/{Identity}`;

export const ROUTES: readonly Route[] = [
  { name: 'CreateService', method: 'POST', path: '/v2/Services', handler: 'functions/services/create.ts' },
  { name: 'ListServices', method: 'GET', path: '/v2/Services', handler: 'functions/services/list.ts' },
  { name: 'FetchService', method: 'GET', path: SERVICE, handler: 'functions/services/fetch.ts' },
  { name: 'UpdateService', method: 'POST', path: SERVICE, handler: 'functions/services/update.ts' },
  { name: 'DeleteService', method: 'DELETE', path: SERVICE, handler: 'functions/services/delete.ts' },
  {
    name: 'CreateEntity',
    method: 'POST',
    path: `${SERVICE}/Entities`,
    handler: 'functions/entities/create.ts',
  },
  { name: 'ListEntities', method: 'GET', path: `${SERVICE}/Entities`, handler: 'functions/entities/list.ts' },
  { name: 'FetchEntity', method: 'GET', path: ENTITY, handler: 'functions/entities/fetch.ts' },
  { name: 'DeleteEntity', method: 'DELETE', path: ENTITY, handler: 'functions/entities/delete.ts' },
  {
    name: 'CreateFactor',
    method: 'POST',
    path: `${ENTITY}/Factors`,
    handler: 'functions/factors/create.ts',
    secrets: true,
  },
  { name: 'ListFactors', method: 'GET', path: `${ENTITY}/Factors`, handler: 'functions/factors/list.ts' },
  {
    name: 'FetchFactor',
    method: 'GET',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/fetch.ts',
  },
  {
    name: 'UpdateFactor',
    method: 'POST',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/update.ts',
    secrets: true,
  },
  {
    name: 'DeleteFactor',
    method: 'DELETE',
    path: `${ENTITY}/Factors/{Sid}`,
    handler: 'functions/factors/delete.ts',
  },
  {
    name: 'CreateChallenge',
    method: 'POST',
    path: `${ENTITY}/Challenges`,
    handler: 'functions/challenges/create.ts',
    secrets: true,
  },
  {
    name: 'ListChallenges',
    method: 'GET',
    path: `${ENTITY}/Challenges`,
    handler: 'functions/challenges/list.ts',
  },
  {
    name: 'FetchChallenge',
    method: 'GET',
    path: `${ENTITY}/Challenges/{Sid}`,
    handler: 'functions/challenges/fetch.ts',
  },
  {
    name: 'UpdateChallenge',
    method: 'POST',
    path: `${ENTITY}/Challenges/{Sid}`,
    handler: 'functions/challenges/update.ts',
    secrets: true,
  },
  {
    name: 'CreateAccessToken',
    method: 'POST',
    path: `${SERVICE}/AccessTokens`,
    handler: 'functions/access-tokens/create.ts',
  },
];

/** Answers every request no route serves: 404 for an unknown path, 405 for a known path's other methods. */
export const FALLBACK_HANDLER = 'functions/fallback.ts';

const SLASH = 0x2f;

/** Path parameters when `path` fits the `{Name}` placeholders of `template`, else undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  // Trailing slashes are trimmed by hand: `/\/+$/` backtracks quadratically over a long run of slashes.
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  // A path with more segments than the template stops splitting at one more.
  const actual = path.slice(0, end).split('/', expected.length + 1);
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    const segment = actual[i]!;
    const name = part.match(/^\{(\w+)\}$/)?.[1];
    if (name) {
      if (segment === '') return undefined;
      params[name] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}

export type Resolution =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: HttpMethod[] }
  | { kind: 'unknown-path' };

export function resolveRoute(method: string, path: string): Resolution {
  const matching = ROUTES.flatMap((route) => {
    const params = matchPath(route.path, path);
    return params ? [{ route, params }] : [];
  });
  const hit = matching.find(({ route }) => route.method === method);
  if (hit) return { kind: 'route', ...hit };
  if (matching.length > 0)
    return { kind: 'wrong-method', allowed: matching.map(({ route }) => route.method) };
  return { kind: 'unknown-path' };
}
