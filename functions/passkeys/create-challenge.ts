import { createPasskeyChallenge } from '../../shared/app/passkeys';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { passkeyChallengeParams } from '../../shared/http/passkey-params';
import { passkeyChallengeJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** `POST /v2/Services/{ServiceSid}/Passkeys/Challenges` (JSON): a sign-in challenge and its request options. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, json, principal, baseUrl }) => {
      const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
      const key = { accountSid: principal.accountSid, serviceSid: ServiceSid };
      const challenge = await createPasskeyChallenge(deps, key, passkeyChallengeParams(json!));
      return created(passkeyChallengeJson(challenge, baseUrl, deps.now()));
    },
    { body: 'json' },
  );

export const handler = fromEnvironment(build);
