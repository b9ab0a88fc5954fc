import { createFactor } from '../../shared/app/factors';
import { secretSealer } from '../../shared/crypto';
import { apiHandler } from '../../shared/http/api-handler';
import { newFactorRequest } from '../../shared/http/factor-params';
import { factorJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { serviceStore, entityStore, factorStore } from '../../shared/store';

const deps = {
  services: serviceStore(),
  entities: entityStore(),
  factors: factorStore(),
  sealer: secretSealer(),
};

export const handler = apiHandler(async ({ pathParams: path, form, principal, baseUrl }) => {
  const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  const owner = { accountSid: principal.accountSid, serviceSid: ServiceSid, identity: Identity };
  const { factor, binding } = await createFactor(deps, newFactorRequest(form, owner), new Date());
  return created(factorJson(factor, baseUrl, binding));
});
