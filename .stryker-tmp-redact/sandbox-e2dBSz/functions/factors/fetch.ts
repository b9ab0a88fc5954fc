// @ts-nocheck
import { getFactor } from '../../shared/app/factors';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { factorKey } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, principal, baseUrl }) =>
      ok(factorJson(await getFactor(deps, principal, factorKey(path, principal)), baseUrl)),
    { auth: [accountCredentials, deviceCredentials] },
  );

export const handler = fromEnvironment(build);
