// @ts-nocheck
import { effectiveStatus } from '../domain/challenge';
import {
  challengeAlreadyResponded,
  challengeExpired,
  notFound,
  notNotifiable,
  tooManyNotifications,
} from '../domain/errors';
import {
  MAX_RESENDS,
  newNotification,
  notificationTtl,
  pushTarget,
  type PushPlatform,
} from '../domain/notification';
import type { ProviderCredential, PushProvider, SendOutcome } from '../push/types';
import { getChallenge, type ChallengeKey } from './challenges';
import type { AppDeps } from './ports';
import type { Principal } from './principal';
import { openPushCredential } from './push-credentials';

const WHY_NOT: Record<ReturnType<typeof whyNot>, string> = {
  'not-push': 'it is not a push challenge',
  'platform-none': 'its factor has notification platform none (the app polls for challenges)',
  'no-token': 'its factor has no notification token',
  'dead-token': 'the push provider rejected its factor’s notification token; the app must update it',
};
const whyNot = (target: ReturnType<typeof pushTarget>) =>
  'none' in target ? target.none : ('not-push' as const);

/**
 * Notifies a pending push challenge's device again (Verify's Notifications resource): 201 with the
 * notification, which the sender delivers like the first one. Refused, naming why, for a challenge that
 * has expired (403, 60323) or been answered (409), whose factor takes no pushes (400), or that was
 * notified again `MAX_RESENDS` times already (429).
 */
export async function createNotification(
  deps: Pick<AppDeps, 'challenges' | 'factors' | 'now'>,
  principal: Principal,
  key: ChallengeKey,
  ttl: number,
) {
  const challenge = await getChallenge(deps, principal, key);
  const now = deps.now();
  const status = effectiveStatus(challenge, now);
  if (status === 'expired') throw challengeExpired();
  if (status !== 'pending') throw challengeAlreadyResponded(status);
  if (challenge.factorType !== 'push') throw notNotifiable(WHY_NOT['not-push']);
  const factor = await deps.factors.get(key.accountSid, key.serviceSid, key.identity, challenge.factorSid);
  if (!factor) throw notFound();
  const target = pushTarget(factor);
  if ('none' in target) throw notNotifiable(WHY_NOT[whyNot(target)]);
  if ((challenge.notifications ?? []).length >= MAX_RESENDS) throw tooManyNotifications(MAX_RESENDS);
  const notification = newNotification(challenge, ttl, now);
  // The challenge may predate the factor's current platform or token: notify on the platform it has now.
  const notified = { ...challenge, pushPlatform: target.platform };
  const outcome = await deps.challenges.addNotification(notified, notification, now, MAX_RESENDS);
  if (outcome === 'added') return notification;
  // Answered, expired or out of resends meanwhile: read it again to say which.
  const current = await getChallenge(deps, principal, key);
  const currentStatus = effectiveStatus(current, now);
  if (currentStatus === 'expired') throw challengeExpired();
  if (currentStatus !== 'pending') throw challengeAlreadyResponded(currentStatus);
  throw tooManyNotifications(MAX_RESENDS);
}

/** What the sender is asked to deliver (a `notification.requested` event). */
export interface DeliveryRequest {
  accountSid: string;
  serviceSid: string;
  identity: string;
  challengeSid: string;
  /** Null for the notification sent when the challenge was created. */
  notificationSid: string | null;
  /** Null for the creation's notification: the default, within the challenge's lifetime. */
  ttl: number | null;
}

/**
 * How notifications leave: a provider per platform, and (only where configured, e.g. `npm start`'s local
 * providers) a credential for services that have none of their own.
 */
export interface PushDelivery {
  providers: Record<PushPlatform, PushProvider>;
  fallbackCredential?: (platform: PushPlatform) => ProviderCredential | undefined;
}

export type DeliveryDeps = Pick<AppDeps, 'challenges' | 'factors' | 'pushCredentials' | 'sealer' | 'now'> & {
  push: PushDelivery;
};

export type DeliveryResult =
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'attempted';
      provider: PushPlatform;
      entitySid: string;
      factorSid: string;
      outcome: SendOutcome;
      tokenInvalidated: boolean;
    };

/**
 * Delivers one notification: reads the challenge, its factor and its service's credential from the table
 * (the request carries none of them), and sends if the challenge is still pending and the factor can take
 * pushes, always to the factor's current token. A token the provider declares dead is recorded on the
 * factor (nothing more is sent to it until the device updates it). 'skipped' when there is nothing to
 * send: the challenge was answered, expired or deleted, the factor takes no pushes, or no credential.
 */
export async function deliverNotification(
  deps: DeliveryDeps,
  request: DeliveryRequest,
): Promise<DeliveryResult> {
  const { accountSid, serviceSid, identity, challengeSid } = request;
  const challenge = await deps.challenges.get(accountSid, serviceSid, identity, challengeSid);
  const now = deps.now();
  if (!challenge) return { kind: 'skipped', reason: 'challenge-gone' };
  if (effectiveStatus(challenge, now) !== 'pending')
    return { kind: 'skipped', reason: 'challenge-not-pending' };
  const { factor, service } = await deps.factors.getWithService(
    accountSid,
    serviceSid,
    identity,
    challenge.factorSid,
  );
  if (!factor || !service) return { kind: 'skipped', reason: 'factor-gone' };
  const target = pushTarget(factor);
  if ('none' in target) return { kind: 'skipped', reason: target.none };
  const credential = await credentialFor(deps, accountSid, service.push, target.platform);
  if (!credential) return { kind: 'skipped', reason: `no-${target.platform}-credential` };
  const ttlSeconds = notificationTtl(challenge, request.ttl, now);
  const outcome = await deps.push.providers[target.platform].send(credential, {
    challengeSid,
    factorSid: factor.sid,
    message: challenge.message ?? '',
    token: target.token,
    appId: target.appId ?? '',
    ttlSeconds,
    now,
  });
  const tokenInvalidated =
    outcome.kind === 'dead-token' && (await deps.factors.markTokenDead(factor, target.token));
  return {
    kind: 'attempted',
    provider: target.platform,
    entitySid: factor.entitySid,
    factorSid: factor.sid,
    outcome,
    tokenInvalidated,
  };
}

async function credentialFor(
  deps: DeliveryDeps,
  accountSid: string,
  push: { apnCredentialSid: string | null; fcmCredentialSid: string | null },
  platform: PushPlatform,
): Promise<ProviderCredential | undefined> {
  const sid = platform === 'apn' ? push.apnCredentialSid : push.fcmCredentialSid;
  const stored = sid ? await deps.pushCredentials.get(accountSid, sid) : undefined;
  if (stored) return openPushCredential(deps, stored);
  return deps.push.fallbackCredential?.(platform);
}
