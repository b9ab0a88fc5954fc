import { answerChallenge } from '../../shared/app/challenges';
import { secretSealer } from '../../shared/crypto';
import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { answerParams } from '../../shared/http/challenge-params';
import { challengeJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { challengeStore, factorStore } from '../../shared/store';

const deps = { factors: factorStore(), challenges: challengeStore(), sealer: secretSealer() };

/** Verifies a challenge: two reads (challenge and factor, in parallel for a device) and one conditional write. */
export const handler = apiHandler(
  async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid, Identity, ChallengeSid } = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Identity: 'Identity',
      Sid: 'ChallengeSid',
    });
    const input = answerParams(form);
    const challenge = await deps.challenges.get(principal.accountSid, ServiceSid, Identity, ChallengeSid);
    if (!challenge) throw notFound();
    assertWithinScope(principal, {
      serviceSid: ServiceSid,
      identity: Identity,
      factorSid: challenge.factorSid,
    });
    const now = new Date();
    return ok(challengeJson(await answerChallenge(deps, challenge, input, now), baseUrl, now));
  },
  { auth: [accountCredentials, deviceCredentials] },
);
