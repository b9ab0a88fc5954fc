import { notFound } from '../../domain/errors';
import type { Principal } from '.';

/**
 * A device may reach only its own factor (and that factor's challenges); an enrollment token only its
 * entity. Anything else is answered as if it did not exist, like another account's resources.
 */
export function assertWithinScope(
  principal: Principal,
  target: { serviceSid: string; identity: string; factorSid?: string },
): void {
  if (principal.kind === 'account') return;
  const sameEntity = principal.serviceSid === target.serviceSid && principal.identity === target.identity;
  const sameFactor =
    principal.kind !== 'device' || target.factorSid === undefined || principal.factorSid === target.factorSid;
  if (!sameEntity || !sameFactor) throw notFound();
}
