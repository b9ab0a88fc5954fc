// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { processStream } from '../../../shared/app/stream';
import type { Challenge } from '../../../shared/domain/challenge';
import {
  notificationFailed,
  notificationRequests,
  notificationSent,
  type DomainEvent,
} from '../../../shared/domain/events';
import type { Factor } from '../../../shared/domain/factor';
import { newNotification, notificationTtl, pushTarget } from '../../../shared/domain/notification';
import { STREAM_FILTER_PATTERNS } from '../../../shared/events/filters';
import { matchesAnyPattern } from '../../../shared/events/filter-match';
import {
  answered,
  challengeItem,
  challengeOf,
  eventValidator,
  pushFactor,
  streamRecord,
  totpFactor,
} from '../../support/stream-records';

const TOKEN = 'c'.repeat(64);
const onFcm = (factor = pushFactor()): Factor =>
  factor.factorType === 'push'
    ? { ...factor, config: { ...factor.config, notificationPlatform: 'fcm', notificationToken: TOKEN } }
    : factor;
const validate = eventValidator();
const envelope = (event: DomainEvent) => ({
  version: '0',
  id: 'x',
  'detail-type': event.type,
  source: 'verify-push-totp',
  account: '000000000000',
  time: event.time,
  region: 'us-east-1',
  resources: [],
  detail: event.detail,
});

describe('where a factor’s notifications go', () => {
  it('is its platform and token, unless it takes none or the token was declared dead', () => {
    expect(pushTarget(onFcm())).toEqual({ platform: 'fcm', token: TOKEN, appId: 'a' });
    expect(pushTarget(pushFactor())).toEqual({ none: 'platform-none' });
    expect(pushTarget(totpFactor())).toEqual({ none: 'not-push' });
    const noToken = onFcm();
    if (noToken.factorType === 'push') noToken.config.notificationToken = null;
    expect(pushTarget(noToken)).toEqual({ none: 'no-token' });
    expect(pushTarget({ ...onFcm(), deadNotificationToken: TOKEN } as Factor)).toEqual({
      none: 'dead-token',
    });
    expect(pushTarget({ ...onFcm(), deadNotificationToken: 'an older token' } as Factor)).toMatchObject({
      platform: 'fcm',
    });
  });

  it('waits no longer than asked, nor past the challenge’s expiration', () => {
    const challenge = challengeOf(onFcm());
    const created = new Date(challenge.dateCreated);
    expect(notificationTtl(challenge, null, created)).toBe(300);
    expect(notificationTtl(challenge, 120, created)).toBe(120);
    expect(notificationTtl(challenge, null, new Date(created.getTime() + 250_000))).toBe(50);
    expect(notificationTtl(challenge, 300, new Date(created.getTime() + 400_000))).toBe(0);
  });
});

describe('notification requests from the stream', () => {
  const published: DomainEvent[] = [];
  const deps = {
    publisher: { publish: (events: DomainEvent[]) => (published.push(...events), Promise.resolve([])) },
    challenges: { expire: () => Promise.resolve(true), scheduleExpiry: () => Promise.resolve() },
    options: { includePii: false },
    now: () => new Date('2026-11-22T10:00:01Z'),
  };

  it('asks for one when a notifiable push challenge is created, and none for TOTP or platform none', async () => {
    const push = challengeOf(onFcm());
    expect(push.pushPlatform).toBe('fcm');
    published.length = 0;
    await processStream(
      [
        streamRecord('INSERT', undefined, challengeItem(push)),
        streamRecord('INSERT', undefined, challengeItem(challengeOf(pushFactor()))),
        streamRecord('INSERT', undefined, challengeItem(challengeOf(totpFactor()))),
      ],
      deps,
    );
    const requests = published.filter((e) => e.type === 'notification.requested');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.detail).toMatchObject({
      challenge_sid: push.sid,
      notification_sid: null,
      ttl: null,
      platform: 'fcm',
      entity_identity: push.identity,
    });
    expect(JSON.stringify(requests[0])).not.toMatch(/Log in|10\.0\.0\.1/);
    expect(validate(envelope(requests[0]!))).toEqual([]);
  });

  it('asks for each resend added to a pending challenge, and for nothing when it is answered', async () => {
    const challenge = challengeOf(onFcm());
    const first = newNotification(challenge, 120, new Date(challenge.dateCreated));
    const second = newNotification(challenge, 60, new Date(challenge.dateCreated));
    const once: Challenge = { ...challenge, notifications: [first] };
    const twice: Challenge = { ...challenge, notifications: [first, second] };
    const resend = streamRecord('MODIFY', challengeItem(once), challengeItem(twice));
    expect(matchesAnyPattern(JSON.parse(JSON.stringify(resend)), STREAM_FILTER_PATTERNS)).toBe(true);
    expect(notificationRequests(once, twice).map((e) => [e.detail.notification_sid, e.detail.ttl])).toEqual([
      [second.sid, 60],
    ]);
    expect(notificationRequests(twice, answered(twice, 'approved'))).toEqual([]);
    expect(validate(envelope(notificationRequests(once, twice)[0]!))).toEqual([]);
  });

  it('reports deliveries in events that match their schemas and carry no token or message', () => {
    const challenge = challengeOf(onFcm());
    const report = {
      accountSid: challenge.accountSid,
      serviceSid: challenge.serviceSid,
      entitySid: challenge.entitySid,
      factorSid: challenge.factorSid,
      challengeSid: challenge.sid,
      notificationSid: null,
      provider: 'fcm' as const,
      attempt: 2,
      time: '2026-11-22T10:00:02Z',
    };
    const sent = notificationSent(report, 'projects/p/messages/1');
    const failed = notificationFailed(report, {
      reason: 'UNAVAILABLE',
      status: 503,
      willRetry: true,
      tokenInvalidated: false,
    });
    expect(validate(envelope(sent))).toEqual([]);
    expect(validate(envelope(failed))).toEqual([]);
    expect(failed.detail.idempotency_key).toBe(`${challenge.sid}.failed.2`);
    expect(validate(envelope({ ...failed, detail: { ...failed.detail, token: TOKEN } }))).not.toEqual([]);
  });
});
