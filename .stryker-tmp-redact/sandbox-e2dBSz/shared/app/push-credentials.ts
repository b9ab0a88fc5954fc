// @ts-nocheck
import { conflict, invalidParameter, missingParameter, notFound } from '../domain/errors';
import {
  credentialSecretContext,
  newPushCredential,
  type PushCredential,
  type PushCredentialType,
} from '../domain/push-credential';
import { formatDate } from '../domain/time';
import { parseApnCertificate, parseApnTokenSecret, parseFcmSecret } from '../push/credentials';
import type { ApnAuth, FcmServiceAccount, ProviderCredential } from '../push/types';
import type { AppDeps, PageRequest } from './ports';

type Deps = Pick<AppDeps, 'pushCredentials' | 'now'>;
type SealingDeps = Deps & Pick<AppDeps, 'sealer'>;

/** What a create or update request gives (Notify v1 form parameters). */
export interface CredentialInput {
  friendlyName?: string;
  certificate?: string;
  privateKey?: string;
  sandbox?: boolean;
  apiKey?: string;
  secret?: string;
}

/** What is sealed: the provider's secret, in the shape the senders use. */
type SealedSecret = { type: 'fcm'; serviceAccount: FcmServiceAccount } | { type: 'apn'; auth: ApnAuth };

const failed = <T extends object>(parsed: T | { error: string }): parsed is { error: string } =>
  'error' in parsed;

/**
 * The secret a request gives for a credential of `type`, checked (a 400 naming the parameter otherwise);
 * undefined when it gives none. fcm takes the service-account JSON in `Secret`; apn a token-auth key as
 * JSON in `Secret`, or a certificate with its key in `Certificate` and `PrivateKey`.
 */
function secretOf(type: PushCredentialType, input: CredentialInput): SealedSecret | undefined {
  if (input.apiKey !== undefined) {
    throw invalidParameter(
      'ApiKey',
      'legacy GCM/FCM server keys are not supported (Google retired them); give the service account JSON in Secret',
    );
  }
  const certificateGiven = input.certificate !== undefined || input.privateKey !== undefined;
  if (type === 'fcm') {
    if (certificateGiven) {
      const name = input.certificate !== undefined ? 'Certificate' : 'PrivateKey';
      throw invalidParameter(name, 'is for apn credentials; an fcm credential takes Secret');
    }
    if (input.secret === undefined) return undefined;
    const parsed = parseFcmSecret(input.secret);
    if (failed(parsed)) throw invalidParameter('Secret', parsed.error);
    return { type, serviceAccount: parsed };
  }
  if (input.secret !== undefined && certificateGiven) {
    throw invalidParameter(
      'Secret',
      'give either Secret (token auth) or Certificate and PrivateKey, not both',
    );
  }
  if (input.secret !== undefined) {
    const parsed = parseApnTokenSecret(input.secret);
    if (failed(parsed)) throw invalidParameter('Secret', parsed.error);
    return { type, auth: parsed };
  }
  if (!certificateGiven) return undefined;
  if (input.certificate === undefined) throw missingParameter('Certificate');
  if (input.privateKey === undefined) throw missingParameter('PrivateKey');
  const parsed = parseApnCertificate(input.certificate, input.privateKey);
  if (failed(parsed)) throw invalidParameter('Certificate', parsed.error);
  return { type, auth: parsed };
}

const seal = (deps: SealingDeps, sid: string, secret: SealedSecret) =>
  deps.sealer.seal(JSON.stringify(secret), credentialSecretContext(sid));

export async function createPushCredential(
  deps: SealingDeps,
  accountSid: string,
  type: PushCredentialType,
  input: CredentialInput,
) {
  const secret = secretOf(type, input);
  if (!secret) throw missingParameter(type === 'fcm' ? 'Secret' : 'Secret (or Certificate and PrivateKey)');
  const fields = newPushCredential(
    accountSid,
    { type, friendlyName: input.friendlyName ?? null, sandbox: input.sandbox ?? false },
    deps.now(),
  );
  const credential: PushCredential = { ...fields, sealedSecret: await seal(deps, fields.sid, secret) };
  await deps.pushCredentials.create(credential);
  return credential;
}

export async function getPushCredential(deps: Deps, accountSid: string, sid: string) {
  const credential = await deps.pushCredentials.get(accountSid, sid);
  if (!credential) throw notFound();
  return credential;
}

export const listPushCredentials = (deps: Deps, accountSid: string, page: PageRequest) =>
  deps.pushCredentials.list(accountSid, page);

/** Changes the name, the sandbox flag or the secret (checked as on create); the type stays. */
export async function updatePushCredential(
  deps: SealingDeps,
  accountSid: string,
  sid: string,
  input: CredentialInput,
) {
  const current = await getPushCredential(deps, accountSid, sid);
  const secret = secretOf(current.type, input);
  const credential: PushCredential = {
    ...current,
    friendlyName: input.friendlyName ?? current.friendlyName,
    sandbox: current.type === 'apn' && (input.sandbox ?? current.sandbox),
    sealedSecret: secret ? await seal(deps, sid, secret) : current.sealedSecret,
    dateUpdated: formatDate(deps.now()),
  };
  if (!(await deps.pushCredentials.update(credential))) throw notFound();
  return credential;
}

/** Deletes a credential, unless a service names it (409: take it off the service first). */
export async function deletePushCredential(deps: Deps, accountSid: string, sid: string) {
  const outcome = await deps.pushCredentials.delete(accountSid, sid, deps.now());
  if (outcome === 'missing') throw notFound();
  if (outcome === 'in-use') {
    throw conflict(`Credential ${sid} is in use by a service; remove it from Push.* of the service first`);
  }
}

/** A credential's secret, opened, in the form the senders take. */
export async function openPushCredential(
  deps: Pick<AppDeps, 'sealer'>,
  credential: PushCredential,
): Promise<ProviderCredential> {
  const secret = JSON.parse(
    await deps.sealer.open(credential.sealedSecret, credentialSecretContext(credential.sid)),
  ) as SealedSecret;
  return secret.type === 'fcm'
    ? { type: 'fcm', sid: credential.sid, serviceAccount: secret.serviceAccount }
    : { type: 'apn', sid: credential.sid, sandbox: credential.sandbox, auth: secret.auth };
}
