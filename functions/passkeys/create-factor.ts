import { createPasskeyFactor } from '../../shared/app/passkeys';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { newPasskeyFactorParams } from '../../shared/http/passkey-params';
import { newPasskeyFactorJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** `POST /v2/Services/{ServiceSid}/Passkeys/Factors` (JSON): a passkeys factor and its creation options. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, json, principal, baseUrl }) => {
      const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
      const params = newPasskeyFactorParams(json!);
      const { factor, credentials } = await createPasskeyFactor(deps, {
        accountSid: principal.accountSid,
        serviceSid: ServiceSid,
        ...params,
      });
      return created(newPasskeyFactorJson(factor, credentials, baseUrl));
    },
    { body: 'json' },
  );

export const handler = fromEnvironment(build);
