import { createFactor } from '../../shared/app/factors';
import { secretSealer } from '../../shared/crypto';
import { invalidParameter } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { enrollmentCredentials } from '../../shared/http/auth/enrollment';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { newFactorRequest } from '../../shared/http/factor-params';
import { factorJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { entityStore, factorStore, serviceStore } from '../../shared/store';

const deps = {
  services: serviceStore(),
  entities: entityStore(),
  factors: factorStore(),
  sealer: secretSealer(),
};

/** With account credentials, or as the Verify Push SDKs do it: with an enrollment token, used once. */
export const handler = apiHandler(
  async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
    const owner = { accountSid: principal.accountSid, serviceSid: ServiceSid, identity: Identity };
    const request = newFactorRequest(form, owner);
    if (principal.kind === 'enrollment') {
      assertWithinScope(principal, owner);
      if (request.factorType !== 'push')
        throw invalidParameter('FactorType', 'must be push with an access token');
      request.accessTokenSid = principal.tokenSid;
    }
    const { factor, binding } = await createFactor(deps, request, new Date());
    return created(factorJson(factor, baseUrl, binding));
  },
  { auth: [accountCredentials, enrollmentCredentials] },
);
