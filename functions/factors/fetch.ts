import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { factorStore } from '../../shared/store';

const factors = factorStore();

export const handler = apiHandler(
  async ({ pathParams: path, principal, baseUrl }) => {
    const { ServiceSid, Identity, FactorSid } = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Identity: 'Identity',
      Sid: 'FactorSid',
    });
    assertWithinScope(principal, { serviceSid: ServiceSid, identity: Identity, factorSid: FactorSid });
    const factor = await factors.get(principal.accountSid, ServiceSid, Identity, FactorSid);
    if (!factor) throw notFound();
    return ok(factorJson(factor, baseUrl));
  },
  { auth: [accountCredentials, deviceCredentials] },
);
