import { createChallenge } from '../../shared/app/challenges';
import { secretSealer } from '../../shared/crypto';
import { apiHandler } from '../../shared/http/api-handler';
import { newChallengeParams } from '../../shared/http/challenge-params';
import { challengeJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { challengeStore, factorStore } from '../../shared/store';

const deps = { factors: factorStore(), challenges: challengeStore(), sealer: secretSealer() };

export const handler = apiHandler(async ({ pathParams: path, form, principal, baseUrl }) => {
  const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
  const now = new Date();
  const owner = { accountSid: principal.accountSid, serviceSid: ServiceSid, identity: Identity };
  const challenge = await createChallenge(deps, { ...owner, ...newChallengeParams(form, now) }, now);
  return created(challengeJson(challenge, baseUrl, now));
});
