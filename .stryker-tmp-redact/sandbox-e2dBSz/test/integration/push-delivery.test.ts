// @ts-nocheck
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createChallenge } from '../../shared/app/challenges';
import { respond } from '../../shared/domain/challenge';
import { createFactor, updateFactor, verifyFactor } from '../../shared/app/factors';
import {
  createNotification,
  deliverNotification,
  type DeliveryRequest,
} from '../../shared/app/notifications';
import type { EventPublisher } from '../../shared/app/ports';
import { createPushCredential } from '../../shared/app/push-credentials';
import { processPushQueue, type SenderDeps } from '../../shared/app/push-sender';
import { updateService } from '../../shared/app/services';
import type { DomainEvent } from '../../shared/domain/events';
import { MAX_RESENDS } from '../../shared/domain/notification';
import type { ProviderCredential, PushMessage, PushProvider, SendOutcome } from '../../shared/push/types';
import { testDeps, twilioCode } from '../support/deps';
import { backend, newOwner, pushFactorRequest } from '../support/factors';
import { deviceKey, signFactorSid } from '../support/fixtures';
import { fcmSecret } from '../support/push-secrets';

const deps = testDeps();
const TOKEN = 'f'.repeat(64);

/** A provider that records what it is asked to send and answers from a script (default: sent). */
function scriptedProvider(...script: SendOutcome[]) {
  const sent: { credential: ProviderCredential; message: PushMessage }[] = [];
  const provider: PushProvider = {
    send: (credential, message) => {
      sent.push({ credential, message });
      return Promise.resolve(script.shift() ?? { kind: 'sent', id: `projects/p/messages/${sent.length}` });
    },
    close: () => Promise.resolve(),
  };
  return { provider, sent };
}

/** A service with an FCM credential, and a verified push factor on FCM with a notification token. */
async function pushReady(platform: 'fcm' | 'none' = 'fcm', credential = true) {
  const owner = await newOwner(deps);
  if (credential) {
    const fcm = await createPushCredential(deps, owner.accountSid, 'fcm', { secret: fcmSecret().secret });
    await updateService(deps, owner.accountSid, owner.serviceSid, { pushFcmCredentialSid: fcm.sid });
  }
  const device = deviceKey();
  const request = pushFactorRequest(owner.serviceSid, owner.identity, device.publicKey);
  request.config = {
    sdkVersion: '1',
    appId: 'com.owlbank.app',
    notificationPlatform: platform,
    notificationToken: platform === 'none' ? null : TOKEN,
  };
  const { factor } = await createFactor(deps, backend(owner.accountSid), request);
  const verified = await verifyFactor(deps, factor, signFactorSid(device.privateKey, factor.sid));
  const challenge = await createChallenge(deps, {
    ...owner,
    factorSid: factor.sid,
    expirationDate: new Date(Date.now() + 120_000),
    message: 'Approve the login?',
    hiddenDetails: { ip: '10.0.0.1' },
  });
  const request_: DeliveryRequest = {
    ...owner,
    challengeSid: challenge.sid,
    notificationSid: null,
    ttl: null,
  };
  return { owner, factor: verified, challenge, device, request: request_ };
}

const withProvider = (provider: PushProvider, fallback?: ProviderCredential) => ({
  ...deps,
  sealer: deps.sealer,
  push: { providers: { apn: provider, fcm: provider }, fallbackCredential: fallback && (() => fallback) },
});

describe('delivering a notification (DynamoDB Local, a scripted provider)', () => {
  it('sends to the factor’s token with the service’s credential, within the challenge’s lifetime, and nothing hidden', async () => {
    const { challenge, factor, request } = await pushReady();
    expect(challenge.pushPlatform).toBe('fcm');
    const { provider, sent } = scriptedProvider();
    const result = await deliverNotification(withProvider(provider), request);
    expect(result).toMatchObject({ kind: 'attempted', provider: 'fcm', outcome: { kind: 'sent' } });
    expect(sent).toHaveLength(1);
    const [{ credential, message }] = sent as [(typeof sent)[0]];
    expect(credential).toMatchObject({ type: 'fcm', serviceAccount: { projectId: 'owl-bank' } });
    expect(message).toMatchObject({
      challengeSid: challenge.sid,
      factorSid: factor.sid,
      message: 'Approve the login?',
      token: TOKEN,
      appId: 'com.owlbank.app',
    });
    expect(message.ttlSeconds).toBeGreaterThan(100);
    expect(message.ttlSeconds).toBeLessThanOrEqual(120);
    expect(JSON.stringify(message)).not.toContain('10.0.0.1');
  });

  it('records a dead token on the factor, sends nothing more to it, and resumes when the device updates its token', async () => {
    const { owner, factor, request } = await pushReady();
    const { provider, sent } = scriptedProvider({ kind: 'dead-token', status: 410, reason: 'Unregistered' });
    const first = await deliverNotification(withProvider(provider), request);
    expect(first).toMatchObject({ kind: 'attempted', tokenInvalidated: true });
    expect(await deliverNotification(withProvider(provider), request)).toEqual({
      kind: 'skipped',
      reason: 'dead-token',
    });
    expect(sent).toHaveLength(1);
    await updateFactor(
      deps,
      backend(owner.accountSid),
      { ...owner, sid: factor.sid },
      {
        changes: () => ({ push: { notificationToken: 'e'.repeat(64) } }),
      },
    );
    expect(await deliverNotification(withProvider(provider), request)).toMatchObject({
      outcome: { kind: 'sent' },
    });
    expect(sent.at(-1)!.message.token).toBe('e'.repeat(64));
  });

  it('sends nothing for an answered challenge, a factor on platform none, or a service without a credential', async () => {
    const { provider, sent } = scriptedProvider();
    const answered = await pushReady();
    const denied = respond(answered.challenge, 'denied', new Date());
    const factor = answered.factor;
    expect(await deps.challenges.answer(denied, new Date(), { kind: 'unchanged', factor })).toBe('answered');
    expect(await deliverNotification(withProvider(provider), answered.request)).toEqual({
      kind: 'skipped',
      reason: 'challenge-not-pending',
    });
    const none = await pushReady('none');
    expect(none.challenge.pushPlatform).toBeUndefined();
    expect(await deliverNotification(withProvider(provider), none.request)).toEqual({
      kind: 'skipped',
      reason: 'platform-none',
    });
    const bare = await pushReady('fcm', false);
    expect(await deliverNotification(withProvider(provider), bare.request)).toEqual({
      kind: 'skipped',
      reason: 'no-fcm-credential',
    });
    expect(sent).toHaveLength(0);
    // Where a fallback credential is configured (npm start's local providers), it serves such services.
    const fallback: ProviderCredential = {
      type: 'fcm',
      sid: 'local',
      serviceAccount: {
        projectId: 'local',
        clientEmail: 'l@l',
        privateKey: 'k',
        tokenUri: 'http://127.0.0.1/token',
      },
    };
    expect(await deliverNotification(withProvider(provider, fallback), bare.request)).toMatchObject({
      outcome: { kind: 'sent' },
    });
    expect(sent[0]!.credential).toBe(fallback);
  });
});

describe('resending (Notifications)', () => {
  const account = (accountSid: string) => backend(accountSid);

  it(`adds up to ${MAX_RESENDS} resends to a pending push challenge, then 429`, async () => {
    const { owner, challenge } = await pushReady();
    const key = { ...owner, sid: challenge.sid };
    for (let i = 0; i < MAX_RESENDS; i++) {
      const notification = await createNotification(deps, account(owner.accountSid), key, 150);
      expect(notification).toMatchObject({ challengeSid: challenge.sid, ttl: 150, priority: 'high' });
      expect(notification.sid).toMatch(/^NT[0-9a-f]{32}$/);
    }
    await expect(createNotification(deps, account(owner.accountSid), key, 150)).rejects.toSatisfy(
      (error) => twilioCode(error) === 60203,
    );
    const stored = await deps.challenges.get(
      owner.accountSid,
      owner.serviceSid,
      owner.identity,
      challenge.sid,
    );
    expect(stored!.notifications).toHaveLength(MAX_RESENDS);
  });

  it('notifies on the platform the factor has now, for a challenge created before it took pushes', async () => {
    const { owner, factor, challenge } = await pushReady('none');
    expect(challenge.pushPlatform).toBeUndefined();
    await updateFactor(
      deps,
      backend(owner.accountSid),
      { ...owner, sid: factor.sid },
      {
        changes: () => ({ push: { notificationPlatform: 'fcm', notificationToken: TOKEN } }),
      },
    );
    await createNotification(deps, account(owner.accountSid), { ...owner, sid: challenge.sid }, 120);
    const stored = await deps.challenges.get(
      owner.accountSid,
      owner.serviceSid,
      owner.identity,
      challenge.sid,
    );
    expect(stored).toMatchObject({ pushPlatform: 'fcm', notifications: [{ ttl: 120 }] });
  });

  it('refuses a factor that takes no pushes (400) and an expired challenge (403)', async () => {
    const none = await pushReady('none');
    await expect(
      createNotification(
        deps,
        account(none.owner.accountSid),
        { ...none.owner, sid: none.challenge.sid },
        300,
      ),
    ).rejects.toSatisfy((error) => twilioCode(error) === 60200);
    const { owner, challenge } = await pushReady();
    const later = { ...deps, now: () => new Date(Date.now() + 600_000) };
    await expect(
      createNotification(later, account(owner.accountSid), { ...owner, sid: challenge.sid }, 300),
    ).rejects.toSatisfy((error) => twilioCode(error) === 60323);
  });
});

describe('the push queue (SQS batch → deliveries and events)', () => {
  const record = (request: DeliveryRequest, receiveCount = 1, id = 'm1'): SQSRecord =>
    ({
      messageId: id,
      body: JSON.stringify({
        'detail-type': 'notification.requested',
        source: 'verify-push-totp',
        detail: {
          account_sid: request.accountSid,
          service_sid: request.serviceSid,
          entity_identity: request.identity,
          challenge_sid: request.challengeSid,
          notification_sid: request.notificationSid,
          ttl: request.ttl,
        },
      }),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;

  function sender(provider: PushProvider, publishFails = false) {
    const events: DomainEvent[] = [];
    const publisher: EventPublisher = {
      publish: (batch) => {
        if (publishFails) return Promise.resolve(batch.map((_, i) => i));
        events.push(...batch);
        return Promise.resolve([]);
      },
    };
    const wait = vi.fn(() => Promise.resolve());
    const senderDeps: SenderDeps = { ...withProvider(provider), publisher, maxAttempts: 3, wait };
    return { senderDeps, events, wait };
  }

  it('reports a sent notification, with no token or message in the event', async () => {
    const { request } = await pushReady();
    const { senderDeps, events } = sender(scriptedProvider().provider);
    expect(await processPushQueue([record(request)], senderDeps)).toEqual({ batchItemFailures: [] });
    expect(events.map((e) => e.type)).toEqual(['notification.sent']);
    expect(JSON.stringify(events)).not.toMatch(new RegExp(`${TOKEN}|Approve`));
  });

  it('retries a 503 in process, then leaves it to SQS, and to the dead-letter queue on the last delivery', async () => {
    const { request } = await pushReady();
    const busy: SendOutcome = { kind: 'retry', status: 503, reason: 'UNAVAILABLE', retryAfterMs: 500 };
    const { provider, sent } = scriptedProvider(busy, busy, busy, busy, busy, busy);
    const { senderDeps, events, wait } = sender(provider);
    expect(await processPushQueue([record(request, 1)], senderDeps)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(sent).toHaveLength(3);
    expect((wait.mock.calls as unknown as [number][]).every(([ms]) => ms >= 500)).toBe(true);
    expect(events.at(-1)!.detail).toMatchObject({
      reason: 'UNAVAILABLE',
      provider_status: 503,
      will_retry: true,
      attempt: 1,
    });
    expect(await processPushQueue([record(request, 3)], senderDeps)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(events.at(-1)!.detail).toMatchObject({ will_retry: false, attempt: 3 });
  });

  it('does not retry a permanent failure or a dead token, and drops what is not a notification request', async () => {
    const { request } = await pushReady();
    const { provider, sent } = scriptedProvider(
      { kind: 'permanent', status: 400, reason: 'BadTopic' },
      { kind: 'dead-token', status: 410, reason: 'Unregistered' },
    );
    const { senderDeps, events } = sender(provider);
    const garbage = { ...record(request), messageId: 'm3', body: '{"detail-type":"challenge.created"}' };
    const result = await processPushQueue([record(request, 1, 'm1'), garbage], senderDeps);
    expect(result.batchItemFailures).toEqual([]);
    expect(await processPushQueue([record(request, 1, 'm2')], senderDeps)).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(2);
    expect(events.map((e) => [e.detail.reason, e.detail.will_retry, e.detail.token_invalidated])).toEqual([
      ['BadTopic', false, false],
      ['Unregistered', false, true],
    ]);
  });

  it('asks SQS again when the event cannot be published, so no report is lost', async () => {
    const { request } = await pushReady();
    const { senderDeps } = sender(scriptedProvider().provider, true);
    expect(await processPushQueue([record(request)], senderDeps)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
  });
});
