// @ts-nocheck
import { createChallenge } from '../../shared/app/challenges';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { newChallengeParams } from '../../shared/http/challenge-params';
import { challengeJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { entityOwner } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const owner = entityOwner(path, principal);
    const now = deps.now();
    const challenge = await createChallenge(deps, { ...owner, ...newChallengeParams(form, now) });
    return created(challengeJson(challenge, baseUrl, now));
  });

export const handler = fromEnvironment(build, { sealer: secretSealer });
