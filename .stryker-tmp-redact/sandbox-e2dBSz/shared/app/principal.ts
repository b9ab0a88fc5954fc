// @ts-nocheck
import { notFound } from '../domain/errors';

/**
 * Who is calling. Account credentials (`AC…:auth token`) and API keys (`SK…:secret`) act for their account;
 * a device (`token:<JWT signed by a push factor's key>`) acts only for its own factor; an enrollment token
 * (`token:<access token>`) only creates one push factor for one entity.
 */
export type Principal =
  | { kind: 'account'; accountSid: string }
  | { kind: 'device'; accountSid: string; serviceSid: string; identity: string; factorSid: string }
  | {
      kind: 'enrollment';
      accountSid: string;
      serviceSid: string;
      identity: string;
      factorFriendlyName: string | null;
      tokenSid: string;
    };

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
