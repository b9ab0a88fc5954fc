import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { assertWithinScope } from '../../shared/http/auth/scope';
import { listChallengeParams } from '../../shared/http/challenge-params';
import { assertTokenWithin, listJson, listRequest } from '../../shared/http/lists';
import { challengeJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';
import { challengeStore, entityStore } from '../../shared/store';
import { Keys } from '../../shared/store/keys';

const entities = entityStore();
const challenges = challengeStore();

/** Challenges of an entity by creation (`Order`), filtered by `FactorSid` and effective `Status`. */
export const handler = apiHandler(
  async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
    const { ServiceSid, Identity } = pathParams(path, { ServiceSid: 'ServiceSid', Identity: 'Identity' });
    const { FactorSid, Status, Order } = listChallengeParams(query);
    const request = listRequest(query);
    // A device lists only its own factor's challenges.
    const factorSid = principal.kind === 'device' ? principal.factorSid : FactorSid;
    assertWithinScope(principal, { serviceSid: ServiceSid, identity: Identity, factorSid: FactorSid });
    assertTokenWithin(request, Keys.challengesOf(principal.accountSid, ServiceSid, Identity).skPrefix);
    const now = new Date();
    const [entity, page] = await Promise.all([
      entities.get(principal.accountSid, ServiceSid, Identity),
      challenges.list(principal.accountSid, ServiceSid, Identity, request, {
        ascending: Order !== 'desc',
        factorSid,
        status: Status,
        now,
      }),
    ]);
    if (!entity) throw notFound();
    const records = page.items.map((challenge) => challengeJson(challenge, baseUrl, now));
    const filters = { FactorSid, Status, Order };
    return ok(listJson('challenges', records, page, request, `${baseUrl}${listPath}`, filters));
  },
  { auth: [accountCredentials, deviceCredentials] },
);
