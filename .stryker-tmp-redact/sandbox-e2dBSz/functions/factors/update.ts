// @ts-nocheck
import { updateFactor } from '../../shared/app/factors';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { factorUpdate } from '../../shared/http/factor-params';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { factorKey } from '../../shared/http/schemas';

/** Updates a factor's settings and, with `AuthPayload`, verifies it. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, form, principal, baseUrl }) => {
      const key = factorKey(path, principal);
      const factor = await updateFactor(deps, principal, key, factorUpdate(form));
      return ok(factorJson(factor, baseUrl));
    },
    { auth: [accountCredentials, deviceCredentials] },
  );

export const handler = fromEnvironment(build, { sealer: secretSealer });
