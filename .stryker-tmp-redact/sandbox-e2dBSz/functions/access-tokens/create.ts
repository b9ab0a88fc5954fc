// @ts-nocheck
import * as z from 'zod/mini';
import { createAccessToken } from '../../shared/app/access-tokens';
import { ACCESS_TOKEN_TTL } from '../../shared/domain/access-token';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { integer, oneOf, parseParams, text } from '../../shared/http/params';
import { accessTokenJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { identity, pathParams } from '../../shared/http/schemas';

const Fields = {
  Identity: identity(),
  FactorType: oneOf(['push']),
  FactorFriendlyName: z.optional(text(64)),
  Ttl: z.optional(integer(ACCESS_TOKEN_TTL.min, ACCESS_TOKEN_TTL.max)),
};

/** An enrollment token for the Verify Push SDKs: creates one push factor for one entity, once. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
    const p = parseParams(form, Fields);
    const { accessToken, token } = await createAccessToken(deps, {
      accountSid: principal.accountSid,
      serviceSid: ServiceSid,
      identity: p.Identity,
      factorFriendlyName: p.FactorFriendlyName ?? null,
      ttl: p.Ttl ?? ACCESS_TOKEN_TTL.default,
    });
    return created(accessTokenJson(accessToken, token, baseUrl));
  });

export const handler = fromEnvironment(build);
