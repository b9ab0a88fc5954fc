// @ts-nocheck
import { assertAuthPayloadShape } from '../domain/auth-payload';
import { newEntity, type Entity } from '../domain/entity';
import {
  conflict,
  factorLocked,
  factorVerificationFailed,
  invalidParameter,
  notFound,
  tooManyPushFactors,
  unauthenticated,
} from '../domain/errors';
import {
  MAX_PUSH_FACTORS_PER_ENTITY,
  newPushFactor,
  newTotpFactor,
  resolveTotpConfig,
  updateFactor as applyChanges,
  type Factor,
  type FactorChanges,
  type PushConfig,
  type StringMap,
} from '../domain/factor';
import { evaluateFactorVerification } from '../domain/factor-verification';
import { afterFailure } from '../domain/lockout';
import { totpIssuer, type Service } from '../domain/service';
import { newSid, SidPrefix } from '../domain/sid';
import { newTotpSecret, totpUri, type TotpConfig } from '../domain/totp';
import { decideOnFactor } from './factor-race';
import type { AppDeps, PageRequest } from './ports';
import { assertWithinScope, type Principal } from './principal';

type Deps = Pick<AppDeps, 'services' | 'entities' | 'factors' | 'sealer' | 'now'>;

export interface FactorKey {
  accountSid: string;
  serviceSid: string;
  identity: string;
  sid: string;
}

export type NewFactorRequest = {
  serviceSid: string;
  identity: string;
  friendlyName: string;
  metadata?: StringMap;
} & (
  | { factorType: 'totp'; secret?: string; config: Partial<TotpConfig> }
  | { factorType: 'push'; publicKey: string; config: Omit<PushConfig, 'credentialSid'> }
);

/**
 * Creates a factor, and its entity when this is the entity's first factor. With an enrollment token (the
 * Verify Push SDKs' way) only a push factor of the token's entity, and the token is spent with the
 * creation. The TOTP secret is sealed before it is stored; the returned binding (secret and URI for TOTP)
 * is the only time it leaves.
 */
export async function createFactor(deps: Deps, principal: Principal, request: NewFactorRequest) {
  const { serviceSid, identity } = request;
  const { accountSid } = principal;
  if (principal.kind === 'device') throw notFound();
  if (principal.kind === 'enrollment') {
    assertWithinScope(principal, { serviceSid, identity });
    if (request.factorType !== 'push')
      throw invalidParameter('FactorType', 'must be push with an access token');
  }
  const accessTokenSid = principal.kind === 'enrollment' ? principal.tokenSid : undefined;
  const now = deps.now();
  const [service, existing] = await Promise.all([
    deps.services.get(accountSid, serviceSid),
    deps.entities.get(accountSid, serviceSid, identity),
  ]);
  if (!service) throw notFound();
  let entity = existing;
  // A concurrent request may create or delete the entity between our read and our write; re-read once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const owner: Entity = entity ?? newEntity(accountSid, serviceSid, identity, now);
    const { factor, binding } = await buildFactor(deps, service, owner, request, now);
    const outcome = await deps.factors.create(factor, owner, entity === undefined, accessTokenSid);
    if (outcome === 'created') return { factor, binding };
    if (outcome === 'token-used') throw unauthenticated();
    if (outcome === 'push-limit') throw tooManyPushFactors(MAX_PUSH_FACTORS_PER_ENTITY);
    if (outcome === 'no-service') throw notFound();
    if (outcome === 'entity-deleting') throw conflict(`Entity ${identity} is being deleted; try again`);
    entity = await deps.entities.get(accountSid, serviceSid, identity);
  }
  throw conflict('The entity changed while the factor was being created; try again');
}

async function buildFactor(
  deps: Pick<Deps, 'sealer'>,
  service: Service,
  entity: Entity,
  request: NewFactorRequest,
  now: Date,
): Promise<{ factor: Factor; binding: Record<string, string> }> {
  const sid = newSid(SidPrefix.factor, now);
  const common = { sid, entity, friendlyName: request.friendlyName, metadata: request.metadata };
  if (request.factorType === 'push') {
    const factor = newPushFactor({ ...common, publicKey: request.publicKey, config: request.config }, now);
    return { factor, binding: { alg: 'ES256', public_key: request.publicKey } };
  }
  const secret = request.secret ?? newTotpSecret();
  const config = resolveTotpConfig(service, request.config);
  const sealedSecret = await deps.sealer.seal(secret, sid);
  const factor = newTotpFactor({ ...common, config, sealedSecret }, now);
  return {
    factor,
    binding: { secret, uri: totpUri(totpIssuer(service), request.friendlyName, secret, config) },
  };
}

/** A factor the principal may see: a device only its own. */
export async function getFactor(deps: Pick<Deps, 'factors'>, principal: Principal, key: FactorKey) {
  assertWithinScope(principal, { ...key, factorSid: key.sid });
  const factor = await deps.factors.get(key.accountSid, key.serviceSid, key.identity, key.sid);
  if (!factor) throw notFound();
  return factor;
}

/** An entity's factors; 404 when the entity does not exist (read in parallel with the page). */
export async function listFactors(
  deps: Pick<Deps, 'entities' | 'factors'>,
  owner: { accountSid: string; serviceSid: string; identity: string },
  page: PageRequest,
) {
  const { accountSid, serviceSid, identity } = owner;
  const [entity, factors] = await Promise.all([
    deps.entities.get(accountSid, serviceSid, identity),
    deps.factors.list(accountSid, serviceSid, identity, page),
  ]);
  if (!entity) throw notFound();
  return factors;
}

/**
 * `POST …/Factors/{Sid}`: verifies the factor when `AuthPayload` is given, then saves the settings changes.
 * Verification goes first: when it is refused (locked, or a wrong code on a verified factor) the settings
 * of the same request are not saved either.
 */
export async function updateFactor(
  deps: Deps,
  principal: Principal,
  key: FactorKey,
  input: { changes: (factor: Factor) => FactorChanges; authPayload?: string },
) {
  let factor = await getFactor(deps, principal, key);
  const changes = input.changes(factor);
  if (input.authPayload !== undefined) factor = await verifyFactor(deps, factor, input.authPayload);
  if (hasChanges(changes)) {
    factor = applyChanges(factor, changes, deps.now());
    if (!(await deps.factors.saveSettings(factor))) throw notFound();
  }
  return factor;
}

const hasChanges = (changes: FactorChanges) =>
  changes.friendlyName !== undefined ||
  Object.keys(changes.totp ?? {}).length > 0 ||
  Object.keys(changes.push ?? {}).length > 0;

/**
 * Verifies a factor with its `AuthPayload`. A wrong payload on an unverified factor answers the factor,
 * still unverified (Twilio's behaviour since 2021); on an already verified factor it is a 403 (60311), so
 * that reading `status` can never make a wrong code look right. Every failure counts toward the
 * factor-wide lock (`lockout.ts`), shared with the factor's challenges; a locked factor answers 429 (60310)
 * whatever the payload. The outcome is one conditional write on the factor's lock state as read; when a
 * concurrent attempt changed it first, the factor is read again and the payload decided again.
 */
export async function verifyFactor(
  deps: Pick<Deps, 'factors' | 'sealer' | 'now'>,
  factor: Factor,
  authPayload: string,
): Promise<Factor> {
  assertAuthPayloadShape(factor.factorType, authPayload, 'factor');
  const secret =
    factor.factorType === 'totp' ? await deps.sealer.open(factor.sealedSecret, factor.sid) : undefined;
  return decideOnFactor(deps, factor, async (current) => {
    const now = deps.now();
    const decision = evaluateFactorVerification(current, authPayload, now, secret);
    if (decision.outcome === 'locked') throw factorLocked(decision.until);
    if (decision.outcome === 'verified')
      return deps.factors.recordVerified(current, decision.acceptedStep, now);
    // A wrong payload, or a right TOTP code whose step was accepted already (by a concurrent request, say).
    const stored = await deps.factors.recordFailure(current, afterFailure(current, now));
    if (stored !== 'factor-changed' && current.status === 'verified') throw factorVerificationFailed();
    return stored;
  });
}

export async function deleteFactor(deps: Pick<Deps, 'factors'>, principal: Principal, key: FactorKey) {
  const factor = await getFactor(deps, principal, key);
  if (!(await deps.factors.delete(factor))) throw notFound();
}
