import { notFound } from '../domain/errors';
import {
  createService as newService,
  updateService as changeService,
  type ServiceChanges,
} from '../domain/service';
import type { AppDeps, PageRequest } from './ports';

type Deps = Pick<AppDeps, 'services' | 'now'>;

export async function createService(
  deps: Deps,
  accountSid: string,
  input: ServiceChanges & { friendlyName: string },
) {
  const service = newService(accountSid, input, deps.now());
  await deps.services.create(service);
  return service;
}

export async function getService(deps: Deps, accountSid: string, sid: string) {
  const service = await deps.services.get(accountSid, sid);
  if (!service) throw notFound();
  return service;
}

export const listServices = (deps: Deps, accountSid: string, page: PageRequest) =>
  deps.services.list(accountSid, page);

export async function updateService(deps: Deps, accountSid: string, sid: string, changes: ServiceChanges) {
  const service = changeService(await getService(deps, accountSid, sid), changes, deps.now());
  if (!(await deps.services.update(service))) throw notFound();
  return service;
}

/** How long a DELETE request works on a deletion before it leaves the rest to the deleter. */
export const DELETE_BUDGET_MS = 3_000;

/**
 * Deletes a service: marks it `deleting` (from then on it answers 404 and gains no children), removes
 * what is below it for up to `budgetMs`, and the service itself last. What is left when the time is up the
 * deleter finishes: the mark's stream record started it. A retry of the DELETE on a service being deleted
 * answers 204 too, works for its own budget, and when work is still left hands it to the deleter again
 * (in case the first deleter gave up). 404 only when there is no such service at all.
 */
export async function deleteService(
  deps: Deps,
  accountSid: string,
  sid: string,
  budgetMs: number = DELETE_BUDGET_MS,
) {
  const mark = await deps.services.markDeleting(accountSid, sid, deps.now());
  if (mark === 'missing') throw notFound();
  const work = { deadline: Date.now() + budgetMs, from: 'first' } as const;
  const progress = await deps.services.purge(accountSid, sid, work);
  if (progress === 'more' && mark === 'deleting') await deps.services.continueLater(accountSid, sid);
}
