import { verifyPasskeyFactor } from '../../shared/app/passkeys';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { credentialParams } from '../../shared/http/passkey-params';
import { factorJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** `POST /v2/Services/{ServiceSid}/Passkeys/VerifyFactor` (JSON): a registration response verifies its factor. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, json, principal, baseUrl }) => {
      const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
      const key = { accountSid: principal.accountSid, serviceSid: ServiceSid };
      const factor = await verifyPasskeyFactor(deps, key, credentialParams(json!));
      return ok(factorJson(factor, baseUrl));
    },
    { body: 'json' },
  );

export const handler = fromEnvironment(build);
