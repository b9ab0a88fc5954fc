import { effectiveStatus, type Challenge } from '../domain/challenge';
import { newEntity, type Entity } from '../domain/entity';
import {
  challengeAlreadyResponded,
  challengeExpired,
  conflict,
  notFound,
  passkeyInvalid,
  passkeyNotFound,
  PasskeyCode,
} from '../domain/errors';
import { newPasskeysFactor, type PasskeysFactor } from '../domain/factor';
import {
  AUTHENTICATION_TIMEOUT_MS,
  REGISTRATION_TIMEOUT_MS,
  resolvePasskeysConfig,
  sidOfChallenge,
  webauthnChallenge,
  type PasskeyChallenge,
  type PasskeyCredentialRecord,
  type RequestedConfig,
} from '../domain/passkeys';
import { passkeysOf } from '../domain/service';
import { newSid, SidPrefix } from '../domain/sid';
import { formatDate } from '../domain/time';
import { base64url, decodeBase64url, parseClientData, SUPPORTED_ALGORITHMS } from '../domain/webauthn/parse';
import { checkCredentialIds, verifyAssertion, verifyRegistration } from '../domain/webauthn/verify';
import type { AppDeps } from './ports';

/**
 * Twilio Verify Passkeys: registering a passkey (a factor) and signing in with one (a challenge). The
 * WebAuthn checks are the domain's (`domain/webauthn`); here the records are found from what the browser
 * signed, and each answer is one conditional write.
 */

export type PasskeyDeps = Pick<AppDeps, 'services' | 'entities' | 'factors' | 'passkeys' | 'now'>;

interface ServiceKey {
  accountSid: string;
  serviceSid: string;
}

/** A credential as posted to VerifyFactor and ApproveChallenge (WebAuthn JSON; binary fields base64url). */
export interface CredentialBody {
  id?: string;
  rawId?: string;
  type?: string;
  response: {
    clientDataJSON?: string;
    attestationObject?: string;
    transports?: string[];
    authenticatorData?: string;
    signature?: string;
    userHandle?: string;
  };
}

/**
 * `POST /Passkeys/Factors`: a new unverified passkeys factor (and its entity, when new) and the creation
 * options for `navigator.credentials.create()`. The relying party and criteria come from the request's
 * `config`, field by field, else from the service.
 */
export async function createPasskeyFactor(
  deps: PasskeyDeps,
  request: ServiceKey & { identity: string; friendlyName: string; config?: RequestedConfig },
) {
  const { accountSid, serviceSid, identity } = request;
  const [service, existing, registered] = await Promise.all([
    deps.services.get(accountSid, serviceSid),
    deps.entities.get(accountSid, serviceSid, identity),
    deps.passkeys.verifiedFactorsOf(accountSid, serviceSid, identity),
  ]);
  if (!service) throw notFound();
  const config = resolvePasskeysConfig(passkeysOf(service), request.config);
  const now = deps.now();
  let entity: Entity | undefined = existing;
  // A concurrent request may create or delete the entity between our read and our write; re-read once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const owner = entity ?? newEntity(accountSid, serviceSid, identity, now);
    const factor = newPasskeysFactor(
      {
        sid: newSid(SidPrefix.factor, now),
        entity: owner,
        friendlyName: request.friendlyName,
        config,
        registrationExpiresAt: new Date(now.getTime() + REGISTRATION_TIMEOUT_MS),
      },
      now,
    );
    const outcome = await deps.factors.create(factor, owner, entity === undefined);
    if (outcome === 'created') {
      const credentials = registered.map((f) => f.credential!);
      return { factor, credentials };
    }
    if (outcome === 'no-service') throw notFound();
    if (outcome === 'entity-deleting') throw conflict(`Entity ${identity} is being deleted; try again`);
    entity = await deps.entities.get(accountSid, serviceSid, identity);
  }
  throw conflict('The entity changed while the factor was being created; try again');
}

/** The body's `response`, which both credential routes require. */
function clientDataOf(body: CredentialBody) {
  return parseClientData(body.response.clientDataJSON);
}

/**
 * `POST /Passkeys/VerifyFactor`: the registration response for a factor's creation options (W3C §7.1). The
 * factor is the one whose SID the signed challenge names; it must still be unverified and within its
 * options' timeout. Verified, it stores the credential; the credential ID must be new to the service.
 */
export async function verifyPasskeyFactor(deps: PasskeyDeps, key: ServiceKey, body: CredentialBody) {
  const clientData = clientDataOf(body);
  const factorSid = sidOfChallenge(clientData.challenge, 'YF');
  const factor =
    factorSid && (await deps.passkeys.getRegistration(key.accountSid, key.serviceSid, factorSid));
  if (!factor)
    throw passkeyNotFound(PasskeyCode.factorNotFound, 'No passkeys factor awaits this registration');
  if (factor.status !== 'unverified') {
    throw passkeyInvalid(PasskeyCode.factorStatus, 'Illegal factor status: the factor is verified already');
  }
  const now = deps.now();
  if (Date.parse(factor.registrationExpiresAt) <= now.getTime()) throw challengeExpired();
  const { relyingParty, userVerification } = factor.config;
  const credential = verifyRegistration(
    {
      id: body.id,
      rawId: body.rawId,
      type: body.type,
      clientData,
      attestationObject: body.response.attestationObject,
    },
    {
      challenge: webauthnChallenge(factor.sid),
      origins: relyingParty.origins,
      rpId: relyingParty.id,
      userVerification,
      algorithms: SUPPORTED_ALGORITHMS,
    },
  );
  const verified: PasskeysFactor = {
    ...factor,
    status: 'verified',
    dateUpdated: formatDate(now),
    credential: {
      id: credential.credentialId,
      publicKey: credential.publicKey,
      alg: credential.alg,
      transports: body.response.transports ?? [],
      backupEligible: credential.backupEligible,
      aaguid: credential.aaguid,
    },
  };
  const record: PasskeyCredentialRecord = {
    ...verified.credential!,
    accountSid: factor.accountSid,
    serviceSid: factor.serviceSid,
    identity: factor.identity,
    entitySid: factor.entitySid,
    factorSid: factor.sid,
    factorFriendlyName: factor.friendlyName,
    rpId: relyingParty.id,
    signCount: credential.signCount,
    backupState: credential.backupState,
  };
  const outcome = await deps.passkeys.register(verified, record);
  if (outcome === 'factor-changed') {
    throw passkeyInvalid(
      PasskeyCode.factorStatus,
      'Illegal factor status: the factor was verified or deleted meanwhile',
    );
  }
  if (outcome === 'credential-exists') {
    throw passkeyInvalid(
      PasskeyCode.attestedCredentialData,
      'This credential is registered already with this service',
      'id',
    );
  }
  return verified;
}

/**
 * `POST /Passkeys/Challenges`: a sign-in challenge. Without `identity` it is usernameless (empty
 * `allowCredentials`, the relying party of the service); with it, its verified passkeys (or the one
 * `factorSid` names) are the allowed credentials.
 */
export async function createPasskeyChallenge(
  deps: PasskeyDeps,
  key: ServiceKey,
  request: { identity?: string; factorSid?: string },
): Promise<PasskeyChallenge> {
  const { accountSid, serviceSid } = key;
  const { identity, factorSid } = request;
  if (factorSid !== undefined && identity === undefined) {
    throw passkeyInvalid(PasskeyCode.factorNotFound, 'identity is required with factor_sid', 'identity');
  }
  const [service, factors] = await Promise.all([
    deps.services.get(accountSid, serviceSid),
    identity === undefined ? undefined : deps.passkeys.verifiedFactorsOf(accountSid, serviceSid, identity),
  ]);
  if (!service) throw notFound();
  const allowed = factors?.filter((f) => factorSid === undefined || f.sid === factorSid);
  if (allowed && allowed.length === 0) {
    throw passkeyNotFound(
      PasskeyCode.factorNotFound,
      'No verified passkeys factor matches identity and factor_sid',
    );
  }
  // The factor's own relying party when one is named, else the service's.
  const settings = passkeysOf(service);
  const rp =
    factorSid !== undefined
      ? allowed![0]!.config.relyingParty
      : resolvePasskeysConfig(settings, {
          authenticatorAttachment: 'any',
          discoverableCredentials: 'preferred',
          userVerification: settings.userVerification ?? 'preferred',
        }).relyingParty;
  const now = deps.now();
  const first = allowed?.[0];
  const challenge: PasskeyChallenge = {
    sid: newSid(SidPrefix.challenge, now),
    accountSid,
    serviceSid,
    entitySid: first?.entitySid ?? '',
    identity: identity ?? '',
    factorSid: factorSid ?? '',
    factorType: 'passkeys',
    ...(factorSid !== undefined ? { factorFriendlyName: first!.friendlyName } : {}),
    status: 'pending',
    respondedReason: 'none',
    message: null,
    fields: [],
    includeDate: false,
    hiddenDetails: null,
    metadata: null,
    failedAttempts: 0,
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
    dateResponded: null,
    expirationDate: formatDate(new Date(now.getTime() + AUTHENTICATION_TIMEOUT_MS)),
    passkeys: {
      rpId: rp.id,
      origins: rp.origins,
      userVerification:
        (factorSid !== undefined ? first!.config.userVerification : settings.userVerification) ?? 'preferred',
      allowCredentials: (allowed ?? []).map((f) => f.credential!.id),
      timeout: AUTHENTICATION_TIMEOUT_MS,
      bound: identity !== undefined,
    },
  };
  if ((await deps.passkeys.createChallenge(challenge)) === 'no-factor') throw notFound();
  return challenge;
}

function assertPending(challenge: Challenge, now: Date) {
  const status = effectiveStatus(challenge, now);
  if (status === 'expired') throw challengeExpired();
  if (status !== 'pending') throw challengeAlreadyResponded(status);
}

/**
 * `POST /Passkeys/ApproveChallenge`: an assertion (W3C §7.2). The challenge is the one whose SID the signed
 * challenge names, the credential the one `id` names (read together, in one request). A credential whose
 * sign count went backwards is refused and flagged on its factor. Approving is one transaction that holds
 * only while the challenge is pending and unexpired and the credential's count is as read, so a replayed or
 * racing assertion approves at most once.
 */
export async function approvePasskeyChallenge(deps: PasskeyDeps, key: ServiceKey, body: CredentialBody) {
  const credentialId = decodeBase64url(body.id);
  if (!credentialId || credentialId.length === 0) {
    throw passkeyInvalid(PasskeyCode.id, 'id is missing or not base64url', 'id');
  }
  checkCredentialIds(body.id, body.rawId ?? body.id, credentialId);
  if (body.type !== undefined && body.type !== 'public-key') {
    throw passkeyInvalid(PasskeyCode.response, 'type must be public-key', 'type');
  }
  const clientData = clientDataOf(body);
  const challengeSid = sidOfChallenge(clientData.challenge, 'YC');
  const id = base64url(credentialId);
  const { challenge, credential } = challengeSid
    ? await deps.passkeys.getForAssertion(key.accountSid, key.serviceSid, challengeSid, id)
    : {};
  if (!challenge)
    throw passkeyNotFound(PasskeyCode.challengeNotFound, 'No passkeys challenge matches this assertion');
  const now = deps.now();
  assertPending(challenge, now);
  if (!credential)
    throw passkeyNotFound(PasskeyCode.factorNotFound, 'No passkey of this service has this credential ID');
  checkOwner(challenge, credential, body.response.userHandle);
  const result = verifyAssertion(
    { clientData, authenticatorData: body.response.authenticatorData, signature: body.response.signature },
    credential,
    { challenge: webauthnChallenge(challenge.sid), ...challenge.passkeys },
  );
  if (result.outcome === 'counter-regressed') {
    await deps.passkeys.recordCounterRegression(credential, now);
    throw passkeyInvalid(
      PasskeyCode.authenticatorData,
      `Authenticator sign count ${result.signCount} is not above ${result.storedSignCount}: the passkey may have been cloned`,
      'response.authenticatorData',
    );
  }
  const approved: PasskeyChallenge = {
    ...challenge,
    status: 'approved',
    entitySid: credential.entitySid,
    identity: credential.identity,
    factorSid: credential.factorSid,
    factorFriendlyName: credential.factorFriendlyName,
    dateUpdated: formatDate(now),
    dateResponded: formatDate(now),
  };
  const outcome = await deps.passkeys.approve(approved, credential, result, now);
  if (outcome === 'credential-changed')
    throw conflict('This passkey was used by a concurrent sign-in; try again');
  if (outcome === 'challenge-changed') {
    const again = await deps.passkeys.getForAssertion(key.accountSid, key.serviceSid, challenge.sid, id);
    if (again.challenge) assertPending(again.challenge, deps.now());
    throw conflict('The challenge changed while it was being approved; try again');
  }
  return approved;
}

/**
 * §7.2 steps 5–6 and the challenge's binding: the credential must be one the challenge allows, of its
 * relying party, and of its identity (and factor) when it names one; a user handle, when given (always for
 * a usernameless challenge), must be the credential's entity.
 */
function checkOwner(
  challenge: PasskeyChallenge,
  credential: PasskeyCredentialRecord,
  userHandle: string | undefined,
) {
  const { allowCredentials, rpId, bound } = challenge.passkeys;
  if (allowCredentials.length > 0 && !allowCredentials.includes(credential.id)) {
    throw passkeyInvalid(PasskeyCode.id, 'id is not one of the challenge’s allowed credentials', 'id');
  }
  if (credential.rpId !== rpId) {
    throw passkeyInvalid(
      PasskeyCode.relyingPartyMismatch,
      'The passkey does not belong to the challenge’s relying party',
    );
  }
  if (bound && credential.identity !== challenge.identity) {
    throw passkeyInvalid(PasskeyCode.id, 'id is not a passkey of the challenge’s identity', 'id');
  }
  const handle = userHandle === undefined || userHandle === '' ? undefined : decodeBase64url(userHandle);
  if (userHandle !== undefined && userHandle !== '' && !handle) {
    throw passkeyInvalid(PasskeyCode.response, 'response.userHandle is not base64url', 'response.userHandle');
  }
  if (!handle && !bound) {
    throw passkeyInvalid(
      PasskeyCode.response,
      'response.userHandle is required to sign in without an identity (a discoverable credential)',
      'response.userHandle',
    );
  }
  if (handle && handle.toString('latin1') !== credential.entitySid) {
    throw passkeyNotFound(
      PasskeyCode.entityNotFound,
      'response.userHandle is not the entity of this passkey',
    );
  }
}
