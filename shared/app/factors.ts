import { newEntity, type Entity } from '../domain/entity';
import {
  conflict,
  factorVerificationAttemptsReached,
  factorVerificationFailed,
  notFound,
  tooManyPushFactors,
  unauthenticated,
} from '../domain/errors';
import {
  MAX_PUSH_FACTORS_PER_ENTITY,
  newPushFactor,
  newTotpFactor,
  resolveTotpConfig,
  type Factor,
  type PushConfig,
  type StringMap,
} from '../domain/factor';
import { evaluateFactorVerification } from '../domain/factor-verification';
import { totpIssuer, type Service } from '../domain/service';
import { newSid, SidPrefix } from '../domain/sid';
import { newTotpSecret, totpUri, type TotpConfig } from '../domain/totp';
import type { EntityStore, FactorStore, SecretSealer, ServiceStore } from './ports';

export interface FactorDeps {
  services: ServiceStore;
  entities: EntityStore;
  factors: FactorStore;
  sealer: SecretSealer;
}

interface Owner {
  accountSid: string;
  serviceSid: string;
  identity: string;
}

export type NewFactorRequest = Owner & {
  friendlyName: string;
  metadata?: StringMap;
  /** The enrollment token the device created it with (spent with the creation). */
  accessTokenSid?: string;
} & (
    | { factorType: 'totp'; secret?: string; config: Partial<TotpConfig> }
    | { factorType: 'push'; publicKey: string; config: Omit<PushConfig, 'credentialSid'> }
  );

/**
 * Creates a factor, and its entity when this is the entity's first factor. The TOTP secret is sealed
 * before it is stored; the returned binding (secret and URI for TOTP) is the only time it leaves.
 */
export async function createFactor(deps: FactorDeps, request: NewFactorRequest, now: Date) {
  const { accountSid, serviceSid, identity } = request;
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
    const outcome = await deps.factors.create(factor, owner, entity === undefined, request.accessTokenSid);
    if (outcome === 'created') return { factor, binding };
    if (outcome === 'token-used') throw unauthenticated();
    if (outcome === 'push-limit') throw tooManyPushFactors(MAX_PUSH_FACTORS_PER_ENTITY);
    if (outcome === 'no-service') throw notFound();
    entity = await deps.entities.get(accountSid, serviceSid, identity);
  }
  throw conflict('The entity changed while the factor was being created; try again');
}

async function buildFactor(
  deps: FactorDeps,
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

/**
 * Verifies a factor with its `AuthPayload`. A wrong payload on an unverified factor answers the factor,
 * still unverified (Twilio's behaviour since 2021); on an already verified factor it is a 403 (60311), so
 * that reading `status` can never make a wrong code look right. Five failures lock the factor (429).
 */
export async function verifyFactor(
  deps: Pick<FactorDeps, 'factors' | 'sealer'>,
  factor: Factor,
  authPayload: string,
  now: Date,
) {
  const secret =
    factor.factorType === 'totp' ? await deps.sealer.open(factor.sealedSecret, factor.sid) : undefined;
  const decision = evaluateFactorVerification(factor, authPayload, now, secret);
  if (decision.outcome === 'locked') throw factorVerificationAttemptsReached();
  if (decision.outcome === 'failed') return failedVerification(deps, factor);
  const stored = await deps.factors.recordVerified(factor, decision.acceptedStep, now);
  if (stored) return stored;
  // The factor changed under us: locked, deleted, or this code was just accepted by a concurrent request.
  const current = await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
  if (!current) throw notFound();
  return failedVerification(deps, current);
}

async function failedVerification(deps: Pick<FactorDeps, 'factors'>, factor: Factor): Promise<Factor> {
  const attempts = await deps.factors.recordFailedAttempt(factor);
  if (attempts === undefined) {
    const current = await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
    if (!current) throw notFound();
    throw factorVerificationAttemptsReached();
  }
  if (factor.status === 'verified') throw factorVerificationFailed();
  return { ...factor, failedAttempts: attempts };
}
