// @ts-nocheck
import { newEntity } from '../domain/entity';
import { conflict, notFound } from '../domain/errors';
import type { AppDeps, PageRequest } from './ports';
import { DELETE_BUDGET_MS } from './services';

type Deps = Pick<AppDeps, 'services' | 'entities' | 'now'>;

export async function createEntity(deps: Deps, accountSid: string, serviceSid: string, identity: string) {
  const entity = newEntity(accountSid, serviceSid, identity, deps.now());
  const outcome = await deps.entities.create(entity);
  if (outcome === 'no-service') throw notFound();
  if (outcome === 'exists') throw conflict(`Entity ${identity} already exists`);
  return entity;
}

export async function getEntity(deps: Deps, accountSid: string, serviceSid: string, identity: string) {
  const entity = await deps.entities.get(accountSid, serviceSid, identity);
  if (!entity) throw notFound();
  return entity;
}

/** A service's entities; 404 when the service does not exist (read in parallel with the page). */
export async function listEntities(deps: Deps, accountSid: string, serviceSid: string, page: PageRequest) {
  const [service, entities] = await Promise.all([
    deps.services.get(accountSid, serviceSid),
    deps.entities.list(accountSid, serviceSid, page),
  ]);
  if (!service) throw notFound();
  return entities;
}

/**
 * Deletes an entity as `deleteService` deletes a service: mark (from then on it answers 404, and factor
 * creation for its identity answers 409 until it is gone), remove its factors, device keys, challenges and
 * timers for up to `budgetMs`, the entity item last; the deleter finishes what is left.
 */
export async function deleteEntity(
  deps: Deps,
  accountSid: string,
  serviceSid: string,
  identity: string,
  budgetMs: number = DELETE_BUDGET_MS,
) {
  const mark = await deps.entities.markDeleting(accountSid, serviceSid, identity, deps.now());
  if (mark === 'missing') throw notFound();
  const work = { deadline: Date.now() + budgetMs, from: 'first' } as const;
  const progress = await deps.entities.purge(accountSid, serviceSid, identity, work);
  if (progress === 'more' && mark === 'deleting') {
    await deps.entities.continueLater(accountSid, serviceSid, identity);
  }
}
