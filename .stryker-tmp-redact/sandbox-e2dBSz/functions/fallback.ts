// @ts-nocheck
import { methodNotAllowed, notFound } from '../shared/domain/errors';
import { fromEnvironment, type Dependencies } from '../shared/dependencies';
import { apiHandler } from '../shared/http/api-handler';
import { noContent } from '../shared/http/responses';
import { resolveRoute } from '../shared/http/routes';

/**
 * Serves what no route does: CORS preflights (OPTIONS), and as JSON, 405 (with `Allow`) for a known
 * path's other methods, else 404.
 * On AWS it is the `ANY` method of every API resource; locally the server calls it for unmatched requests.
 */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ method, path }) => {
      // A CORS preflight: the CORS middleware adds the headers; no credentials are asked for.
      if (method === 'OPTIONS') return noContent();
      const resolution = resolveRoute(method, path);
      if (resolution.kind === 'wrong-method') throw methodNotAllowed(resolution.allowed);
      throw notFound();
    },
    { auth: [], readBody: false },
  );

export const handler = fromEnvironment(build);
