// @ts-nocheck
import { getChallenge } from '../../shared/app/challenges';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { challengeJson, signatureFieldsHeader } from '../../shared/http/resources';
import { challengeKey } from '../../shared/http/schemas';

/** One read. While pending, `Twilio-Verify-Signature-Fields` tells a device what its answer must sign. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, principal, baseUrl }) => {
      const challenge = await getChallenge(deps, principal, challengeKey(path, principal));
      const now = deps.now();
      return {
        status: 200,
        body: challengeJson(challenge, baseUrl, now),
        headers: signatureFieldsHeader(challenge, now),
      };
    },
    { auth: [accountCredentials, deviceCredentials] },
  );

export const handler = fromEnvironment(build);
