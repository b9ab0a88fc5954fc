// @ts-nocheck
import { invalidParameter, notFound } from '../domain/errors';
import {
  createService as newService,
  updateService as changeService,
  type ServiceChanges,
} from '../domain/service';
import type { AppDeps, PageRequest } from './ports';

type Deps = Pick<AppDeps, 'services' | 'now'>;
type WriteDeps = Deps & Pick<AppDeps, 'pushCredentials'>;

const CREDENTIAL_SETTINGS = [
  ['apn', 'pushApnCredentialSid', 'Push.ApnCredentialSid'],
  ['fcm', 'pushFcmCredentialSid', 'Push.FcmCredentialSid'],
] as const;

/**
 * The push credentials a service write names must be this account's, live, and of the setting's type
 * (a 400 naming the setting otherwise). The store checks the same in the write's transaction, so a
 * credential deleted in between is refused the same way.
 */
async function checkCredentials(deps: WriteDeps, accountSid: string, changes: ServiceChanges) {
  for (const [type, field, parameter] of CREDENTIAL_SETTINGS) {
    const sid = changes[field];
    if (sid === undefined) continue;
    const credential = await deps.pushCredentials.get(accountSid, sid);
    if (!credential) throw invalidParameter(parameter, 'is not a push credential of this account');
    if (credential.type !== type) {
      throw invalidParameter(parameter, `is an ${credential.type} credential; it takes an ${type} one`);
    }
  }
}

const credentialGone = (changes: ServiceChanges) => {
  const [, , parameter] =
    CREDENTIAL_SETTINGS.find(([, field]) => changes[field] !== undefined) ?? CREDENTIAL_SETTINGS[0];
  return invalidParameter(parameter, 'is not a push credential of this account');
};

export async function createService(
  deps: WriteDeps,
  accountSid: string,
  input: ServiceChanges & { friendlyName: string },
) {
  await checkCredentials(deps, accountSid, input);
  const service = newService(accountSid, input, deps.now());
  if ((await deps.services.create(service)) === 'credential-missing') throw credentialGone(input);
  return service;
}

export async function getService(deps: Deps, accountSid: string, sid: string) {
  const service = await deps.services.get(accountSid, sid);
  if (!service) throw notFound();
  return service;
}

export const listServices = (deps: Deps, accountSid: string, page: PageRequest) =>
  deps.services.list(accountSid, page);

export async function updateService(
  deps: WriteDeps,
  accountSid: string,
  sid: string,
  changes: ServiceChanges,
) {
  const service = changeService(await getService(deps, accountSid, sid), changes, deps.now());
  await checkCredentials(deps, accountSid, changes);
  const outcome = await deps.services.update(service);
  if (outcome === 'missing') throw notFound();
  if (outcome === 'credential-missing') throw credentialGone(changes);
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
