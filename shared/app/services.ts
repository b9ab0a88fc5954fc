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

export async function deleteService(deps: Deps, accountSid: string, sid: string) {
  if (!(await deps.services.delete(accountSid, sid))) throw notFound();
}
