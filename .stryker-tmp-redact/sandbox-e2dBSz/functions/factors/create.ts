// @ts-nocheck
import { createFactor } from '../../shared/app/factors';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { enrollmentCredentials } from '../../shared/http/auth/enrollment';
import { newFactorRequest } from '../../shared/http/factor-params';
import { factorJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** With account credentials, or as the Verify Push SDKs do it: with an enrollment token, used once. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, form, principal, baseUrl }) => {
      const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
      const request = newFactorRequest(form, { serviceSid: ServiceSid, identity: Identity });
      const { factor, binding } = await createFactor(deps, principal, request);
      return created(factorJson(factor, baseUrl, binding));
    },
    { auth: [accountCredentials, enrollmentCredentials] },
  );

export const handler = fromEnvironment(build, { sealer: secretSealer });
