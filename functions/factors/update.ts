import { verifyFactor } from '../../shared/app/factors';
import { secretSealer } from '../../shared/crypto';
import { notFound } from '../../shared/domain/errors';
import { updateFactor } from '../../shared/domain/factor';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { factorUpdate, hasChanges } from '../../shared/http/factor-params';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { factorStore } from '../../shared/store';

const deps = { factors: factorStore(), sealer: secretSealer() };

/** Updates a factor's settings and, with `AuthPayload`, verifies it. */
export const handler = apiHandler(
  async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid, Identity, FactorSid } = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Identity: 'Identity',
      Sid: 'FactorSid',
    });
    assertWithinScope(principal, { serviceSid: ServiceSid, identity: Identity, factorSid: FactorSid });
    let factor = await deps.factors.get(principal.accountSid, ServiceSid, Identity, FactorSid);
    if (!factor) throw notFound();
    const { changes, authPayload } = factorUpdate(form, factor);
    const now = new Date();
    // Verification first: when it is refused (locked, or a wrong code on a verified factor), the settings
    // in the same request are not saved either.
    if (authPayload !== undefined) factor = await verifyFactor(deps, factor, authPayload, now);
    if (hasChanges(changes)) {
      factor = updateFactor(factor, changes, now);
      if (!(await deps.factors.saveSettings(factor))) throw notFound();
    }
    return ok(factorJson(factor, baseUrl));
  },
  { auth: [accountCredentials, deviceCredentials] },
);
