// @ts-nocheck
import { updatePushCredential } from '../../shared/app/push-credentials';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { apiHandler } from '../../shared/http/api-handler';
import { pushCredentialJson } from '../../shared/http/resources';
import { ok } from '../../shared/http/responses';
import { pathParams, pushCredentialInput } from '../../shared/http/schemas';

export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal, baseUrl }) => {
    const { PushCredentialSid } = pathParams(path, { Sid: 'PushCredentialSid' });
    const input = pushCredentialInput(form);
    const credential = await updatePushCredential(deps, principal.accountSid, PushCredentialSid, input);
    return ok(pushCredentialJson(credential, baseUrl));
  });

export const handler = fromEnvironment(build, { sealer: secretSealer });
