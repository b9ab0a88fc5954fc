import * as z from 'zod/mini';
import { ACCESS_TOKEN_TTL, newAccessToken } from '../../shared/domain/access-token';
import { notFound } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';
import { integer, oneOf, parseParams, text } from '../../shared/http/params';
import { accessTokenJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { identity, pathParams } from '../../shared/http/schemas';
import { accessTokenStore, serviceStore } from '../../shared/store';

const services = serviceStore();
const accessTokens = accessTokenStore();

const Fields = {
  Identity: identity(),
  FactorType: oneOf(['push']),
  FactorFriendlyName: z.optional(text(64)),
  Ttl: z.optional(integer(ACCESS_TOKEN_TTL.min, ACCESS_TOKEN_TTL.max)),
};

/** An enrollment token for the Verify Push SDKs: creates one push factor for one entity, once. */
export const handler = apiHandler(async ({ pathParams: path, form, principal, baseUrl }) => {
  const { ServiceSid } = pathParams(path, { ServiceSid: 'ServiceSid' });
  const p = parseParams(form, Fields);
  if (!(await services.get(principal.accountSid, ServiceSid))) throw notFound();
  const { accessToken, token } = newAccessToken(
    {
      accountSid: principal.accountSid,
      serviceSid: ServiceSid,
      identity: p.Identity,
      factorFriendlyName: p.FactorFriendlyName ?? null,
      ttl: p.Ttl ?? ACCESS_TOKEN_TTL.default,
    },
    new Date(),
  );
  await accessTokens.create(accessToken);
  return created(accessTokenJson(accessToken, token, baseUrl));
});
