// @ts-nocheck
import { listChallenges } from '../../shared/app/challenges';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { accountCredentials } from '../../shared/http/auth/account';
import { deviceCredentials } from '../../shared/http/auth/device';
import { listChallengeParams } from '../../shared/http/challenge-params';
import { listJson, listRequest } from '../../shared/http/lists';
import { challengeJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { entityOwner } from '../../shared/http/schemas';

/** Challenges of an entity by creation (`Order`), filtered by `FactorSid` and effective `Status`. */
export const build = (deps: Dependencies) =>
  apiHandler(
    deps,
    async ({ pathParams: path, query, principal, baseUrl, path: listPath }) => {
      const { FactorSid, Status, Order } = listChallengeParams(query);
      const request = listRequest(query);
      const filter = { factorSid: FactorSid, status: Status, ascending: Order !== 'desc' };
      const page = await listChallenges(deps, principal, entityOwner(path, principal), filter, request);
      const now = deps.now();
      const records = page.items.map((challenge) => challengeJson(challenge, baseUrl, now));
      const filters = { FactorSid, Status, Order };
      return ok(listJson('challenges', records, page, request, `${baseUrl}${listPath}`, filters));
    },
    { auth: [accountCredentials, deviceCredentials] },
  );

export const handler = fromEnvironment(build);
