// @ts-nocheck
import { deletePushCredential } from '../../shared/app/push-credentials';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { noContent } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** 409 while a service names the credential (this service's choice: it never leaves a dangling reference). */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, principal }) => {
    const { PushCredentialSid } = pathParams(path, { Sid: 'PushCredentialSid' });
    await deletePushCredential(deps, principal.accountSid, PushCredentialSid);
    return noContent();
  });

export const handler = fromEnvironment(build);
