// @ts-nocheck
import { answerChallenge } from '../../shared/app/challenges';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { answerParams } from '../../shared/http/challenge-params';
import { challengeJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { challengeKey } from '../../shared/http/schemas';

/** Answers a challenge: a device's signed approval or denial, or a TOTP code. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, form, principal, baseUrl }) => {
      const input = answerParams(form);
      const challenge = await answerChallenge(deps, principal, challengeKey(path, principal), input);
      return ok(challengeJson(challenge, baseUrl, deps.now()));
    },
    { auth: [accountCredentials, deviceCredentials] },
  );

export const handler = fromEnvironment(build, { sealer: secretSealer });
