import { newEntity } from '../domain/entity';
import { conflict, notFound } from '../domain/errors';
import type { AppDeps, PageRequest } from './ports';

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

export async function deleteEntity(deps: Deps, accountSid: string, serviceSid: string, identity: string) {
  if (!(await deps.entities.delete(accountSid, serviceSid, identity))) throw notFound();
}
