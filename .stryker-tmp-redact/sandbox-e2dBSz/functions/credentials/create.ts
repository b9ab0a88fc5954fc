// @ts-nocheck
import { createPushCredential } from '../../shared/app/push-credentials';
import { secretSealer } from '../../shared/crypto';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { PUSH_CREDENTIAL_TYPES } from '../../shared/domain/push-credential';
import { apiHandler } from '../../shared/http/api-handler';
import { oneOf, parseParams } from '../../shared/http/params';
import { pushCredentialJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pushCredentialInput } from '../../shared/http/schemas';

/** Notify v1 `POST /v1/Credentials`: the secret is checked, sealed, and never returned. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ form, principal, baseUrl }) => {
    const { Type } = parseParams(form, { Type: oneOf(PUSH_CREDENTIAL_TYPES) });
    const credential = await createPushCredential(
      deps,
      principal.accountSid,
      Type,
      pushCredentialInput(form),
    );
    return created(pushCredentialJson(credential, baseUrl));
  });

export const handler = fromEnvironment(build, { sealer: secretSealer });
