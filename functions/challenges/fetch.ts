import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { challengeJson, signatureFieldsHeader } from '../../shared/http/resources';
import { pathParams } from '../../shared/http/schemas';
import { challengeStore } from '../../shared/store';

const challenges = challengeStore();

/** One read. While pending, `Twilio-Verify-Signature-Fields` tells a device what its answer must sign. */
export const handler = apiHandler(
  async ({ pathParams: path, principal, baseUrl }) => {
    const { ServiceSid, Identity, ChallengeSid } = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Identity: 'Identity',
      Sid: 'ChallengeSid',
    });
    const challenge = await challenges.get(principal.accountSid, ServiceSid, Identity, ChallengeSid);
    if (!challenge) throw notFound();
    assertWithinScope(principal, {
      serviceSid: ServiceSid,
      identity: Identity,
      factorSid: challenge.factorSid,
    });
    const now = new Date();
    return {
      status: 200,
      body: challengeJson(challenge, baseUrl, now),
      headers: signatureFieldsHeader(challenge, now),
    };
  },
  { auth: [accountCredentials, deviceCredentials] },
);
