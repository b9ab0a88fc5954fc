// @ts-nocheck
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../shared/app/ports';
import { newAccessToken } from '../../shared/domain/access-token';
import { newChallenge, respond, type Challenge } from '../../shared/domain/challenge';
import { newEntity, type Entity } from '../../shared/domain/entity';
import {
  MAX_PUSH_FACTORS_PER_ENTITY,
  newPushFactor,
  newTotpFactor,
  type Factor,
  type PushFactor,
} from '../../shared/domain/factor';
import { afterFailure } from '../../shared/domain/lockout';
import { createService, type Service } from '../../shared/domain/service';
import { newSid, SidPrefix } from '../../shared/domain/sid';
import { TOTP_DEFAULTS } from '../../shared/domain/service';
import { newNotification } from '../../shared/domain/notification';
import { formatDate } from '../../shared/domain/time';
import { testDeps } from '../support/deps';
import { newIdentity } from '../support/fixtures';
import { memoryDeps } from '../support/memory';

/**
 * The store semantics the use cases rely on, checked against the in-memory doubles (test/support/memory)
 * and the DynamoDB stores alike, so that unit tests on the doubles test what production does.
 */
const implementations: [string, () => AppDeps][] = [
  ['in memory', () => memoryDeps()],
  ['on DynamoDB Local', () => testDeps()],
];

const now = new Date();
const later = (ms: number) => new Date(now.getTime() + ms);

describe.each(implementations)('stores %s', (_name, makeDeps) => {
  const deps = makeDeps();

  async function liveService(): Promise<Service> {
    const service = createService(newSid(SidPrefix.account), { friendlyName: 'Bank' }, now);
    await deps.services.create(service);
    return service;
  }

  const totp = (entity: Entity, at = now) =>
    newTotpFactor(
      {
        sid: newSid(SidPrefix.factor, at),
        entity,
        friendlyName: 'Phone',
        config: { alg: 'sha1', ...TOTP_DEFAULTS },
        sealedSecret: 'sealed',
      },
      at,
    );

  const push = (entity: Entity, at = now) =>
    newPushFactor(
      {
        sid: newSid(SidPrefix.factor, at),
        entity,
        friendlyName: 'Pixel',
        publicKey: 'MFkw',
        config: { sdkVersion: '1', appId: 'a', notificationPlatform: 'none', notificationToken: null },
      },
      at,
    );

  /** A service with an entity created with its first (TOTP) factor. */
  async function factorOfNewEntity() {
    const service = await liveService();
    const entity = newEntity(service.accountSid, service.sid, newIdentity(), now);
    const factor = totp(entity);
    expect(await deps.factors.create(factor, entity, true)).toBe('created');
    return { service, entity, factor };
  }

  const challengeOf = (factor: Factor, expiresInMs = 300_000): Challenge =>
    newChallenge({ factor, includeDate: false, expirationDate: later(expiresInMs), message: 'Hi' }, now);

  it('hides a service being deleted from get, list and update, and marks it once', async () => {
    const [a, b] = [
      await liveService(),
      createService(newSid(SidPrefix.account), { friendlyName: 'B' }, now),
    ];
    const accountSid = a.accountSid;
    const second = { ...b, accountSid, sid: newSid(SidPrefix.service, later(1)) };
    await deps.services.create(second);
    // A SID collision (80 random bits) is not an outcome a use case handles: it throws.
    await expect(deps.services.create(a)).rejects.toThrow();
    expect(await deps.services.get(accountSid, a.sid)).toEqual(a);
    expect(await deps.services.markDeleting(accountSid, a.sid, now)).toBe('marked');
    expect(await deps.services.markDeleting(accountSid, a.sid, now)).toBe('deleting');
    expect(await deps.services.markDeleting(accountSid, newSid(SidPrefix.service), now)).toBe('missing');
    expect(await deps.services.get(accountSid, a.sid)).toBeUndefined();
    expect(await deps.services.update({ ...a, friendlyName: 'New' })).toBe('missing');
    expect(await deps.services.update({ ...second, friendlyName: 'New' })).toBe('updated');
    expect((await deps.services.list(accountSid, { pageSize: 5 })).items).toEqual([
      { ...second, friendlyName: 'New' },
    ]);
    await deps.services.continueLater(accountSid, a.sid);
    expect(
      await deps.services.purge(accountSid, a.sid, { deadline: Date.now() + 5_000, from: 'first' }),
    ).toBe('done');
    expect(await deps.services.markDeleting(accountSid, a.sid, now)).toBe('missing');
  });

  it('lets a service name only live credentials of the right type, and refuses deleting a named one', async () => {
    const service = await liveService();
    const credential = (type: 'apn' | 'fcm', at: Date) => ({
      sid: newSid(SidPrefix.credential, at),
      accountSid: service.accountSid,
      type,
      friendlyName: null,
      sandbox: false,
      sealedSecret: 'sealed',
      dateCreated: formatDate(at),
      dateUpdated: formatDate(at),
    });
    const [apn, fcm] = [credential('apn', now), credential('fcm', later(1))];
    await deps.pushCredentials.create(apn);
    await deps.pushCredentials.create(fcm);
    expect(await deps.pushCredentials.get(service.accountSid, apn.sid)).toEqual(apn);
    expect((await deps.pushCredentials.list(service.accountSid, { pageSize: 5 })).items).toEqual([apn, fcm]);
    const naming = (push: Partial<Service['push']>) => ({ ...service, push: { ...service.push, ...push } });
    expect(await deps.services.update(naming({ apnCredentialSid: fcm.sid }))).toBe('credential-missing');
    expect(await deps.services.update(naming({ apnCredentialSid: apn.sid }))).toBe('updated');
    expect(await deps.pushCredentials.delete(service.accountSid, apn.sid, now)).toBe('in-use');
    expect(await deps.pushCredentials.get(service.accountSid, apn.sid)).toEqual(apn);
    expect(await deps.pushCredentials.delete(service.accountSid, fcm.sid, now)).toBe('deleted');
    expect(await deps.pushCredentials.delete(service.accountSid, fcm.sid, now)).toBe('missing');
    const other = createService(service.accountSid, { friendlyName: 'B' }, later(2));
    expect(await deps.services.create({ ...other, push: { ...other.push, fcmCredentialSid: fcm.sid } })).toBe(
      'credential-missing',
    );
    expect(await deps.pushCredentials.update({ ...fcm, friendlyName: 'x' })).toBe(false);
  });

  it('adds resends only to a pending, unexpired challenge below the limit; marks only the current token dead', async () => {
    const service = await liveService();
    const entity = newEntity(service.accountSid, service.sid, newIdentity(), now);
    const base = push(entity) as PushFactor;
    const factor: PushFactor = {
      ...base,
      status: 'verified',
      config: { ...base.config, notificationPlatform: 'fcm', notificationToken: 't'.repeat(40) },
    };
    expect(await deps.factors.create(factor, entity, true)).toBe('created');
    const challenge = challengeOf(factor);
    expect(challenge.pushPlatform).toBe('fcm');
    expect(await deps.challenges.create(challenge)).toBe('created');
    const resend = (at: Date) => newNotification(challenge, 60, at);
    const first = resend(now);
    expect(await deps.challenges.addNotification(challenge, first, now, 2)).toBe('added');
    expect(await deps.challenges.addNotification(challenge, resend(now), now, 2)).toBe('added');
    expect(await deps.challenges.addNotification(challenge, resend(now), now, 2)).toBe('challenge-changed');
    expect(await deps.challenges.addNotification(challenge, resend(now), later(400_000), 5)).toBe(
      'challenge-changed',
    );
    const stored = await deps.challenges.get(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      challenge.sid,
    );
    expect(stored?.notifications?.[0]).toEqual(first);
    expect(stored?.notifications).toHaveLength(2);

    expect(await deps.factors.markTokenDead(factor, 'an older token')).toBe(false);
    expect(await deps.factors.markTokenDead(factor, 't'.repeat(40))).toBe(true);
    const read = await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
    expect(read).toMatchObject({ deadNotificationToken: 't'.repeat(40) });
  });

  it('pages both ways with tokens only the same list accepts', async () => {
    const service = await liveService();
    const entities = Array.from({ length: 5 }, (_, i) =>
      newEntity(service.accountSid, service.sid, `user-0000-${i}`, now),
    );
    for (const entity of entities) expect(await deps.entities.create(entity)).toBe('created');
    await deps.entities.markDeleting(service.accountSid, service.sid, entities[2]!.identity, now);
    const list = (token?: string) =>
      deps.entities.list(service.accountSid, service.sid, { pageSize: 2, token });
    const identities = (page: { items: Entity[] }) => page.items.map((e) => e.identity);
    const first = await list();
    expect([identities(first), first.previous]).toEqual([['user-0000-0', 'user-0000-1'], undefined]);
    const second = await list(first.next);
    expect([identities(second), second.next]).toEqual([['user-0000-3', 'user-0000-4'], undefined]);
    const back = await list(second.previous);
    expect([identities(back), back.previous]).toEqual([['user-0000-0', 'user-0000-1'], undefined]);
    expect(back.next).toBe(first.next);
    await expect(
      deps.services.list(service.accountSid, { pageSize: 2, token: first.next }),
    ).rejects.toMatchObject({ kind: 'invalid-parameter', detail: { parameter: 'PageToken' } });
    await expect(list('not a token')).rejects.toMatchObject({ kind: 'invalid-parameter' });
  });

  it('creates an entity once, under a live service, and marks it only while the service is live', async () => {
    const service = await liveService();
    const entity = newEntity(service.accountSid, service.sid, newIdentity(), now);
    const other = newEntity(service.accountSid, newSid(SidPrefix.service), entity.identity, now);
    expect(await deps.entities.create(other)).toBe('no-service');
    expect(await deps.entities.create(entity)).toBe('created');
    expect(await deps.entities.create({ ...entity, sid: newSid(SidPrefix.entity) })).toBe('exists');
    expect(await deps.entities.get(service.accountSid, service.sid, entity.identity)).toEqual(entity);
    expect(await deps.services.markDeleting(service.accountSid, service.sid, now)).toBe('marked');
    expect(await deps.entities.markDeleting(service.accountSid, service.sid, entity.identity, now)).toBe(
      'missing',
    );
    expect(await deps.entities.create(newEntity(service.accountSid, service.sid, newIdentity(), now))).toBe(
      'no-service',
    );
  });

  it('refuses a factor for the reasons the use case tells apart', async () => {
    const { service, entity, factor } = await factorOfNewEntity();
    const { accountSid } = service;
    // The stored entity carries its push factor count.
    expect(await deps.entities.get(accountSid, service.sid, entity.identity)).toEqual({
      ...entity,
      pushFactorCount: 0,
    });
    expect(await deps.factors.get(accountSid, service.sid, entity.identity, factor.sid)).toEqual(factor);
    // Created meanwhile by someone else, or replaced by another entity of the same identity.
    expect(await deps.factors.create(totp(entity), entity, true)).toBe('entity-changed');
    const replaced = { ...entity, sid: newSid(SidPrefix.entity) };
    expect(await deps.factors.create(push(replaced), replaced, false)).toBe('entity-changed');
    const { accessToken } = newAccessToken(
      { accountSid, serviceSid: service.sid, identity: entity.identity, factorFriendlyName: null, ttl: 60 },
      now,
    );
    expect(await deps.factors.create(push(entity), entity, false, accessToken.sid)).toBe('token-used');
    await deps.accessTokens.create(accessToken);
    expect(await deps.accessTokens.get(accessToken.sid)).toEqual(accessToken);
    expect(await deps.factors.create(push(entity), entity, false, accessToken.sid)).toBe('created');
    expect(await deps.accessTokens.get(accessToken.sid)).toEqual({ ...accessToken, used: true });
    expect(await deps.factors.create(push(entity), entity, false, accessToken.sid)).toBe('token-used');

    expect(await deps.entities.markDeleting(accountSid, service.sid, entity.identity, now)).toBe('marked');
    expect(await deps.factors.create(push(entity), entity, false)).toBe('entity-deleting');
    expect(await deps.factors.create(push(entity), entity, true)).toBe('entity-deleting');
    expect(await deps.services.markDeleting(accountSid, service.sid, now)).toBe('marked');
    expect(await deps.factors.create(push(entity), entity, false)).toBe('no-service');
  });

  it('keeps at most 20 push factors per entity, counting deletions', async () => {
    const { entity } = await factorOfNewEntity();
    const created: PushFactor[] = [];
    for (let i = 0; i < MAX_PUSH_FACTORS_PER_ENTITY; i++) {
      const factor = push(entity);
      expect(await deps.factors.create(factor, entity, false)).toBe('created');
      created.push(factor);
    }
    expect(await deps.factors.create(push(entity), entity, false)).toBe('push-limit');
    expect(await deps.factors.create(totp(entity), entity, false)).toBe('created');
    expect(await deps.factors.delete(created[0]!)).toBe(true);
    expect(await deps.factors.delete(created[0]!)).toBe(false);
    expect(await deps.factors.getDeviceKey(created[0]!.config.credentialSid)).toBeUndefined();
    expect(await deps.factors.create(push(entity), entity, false)).toBe('created');
  });

  it('writes an attempt only on the lock state and TOTP step it was decided on', async () => {
    const { factor } = await factorOfNewEntity();
    const failed = await deps.factors.recordFailure(factor, afterFailure(factor, now));
    expect(failed).toEqual({ ...factor, failedAttempts: 1, lockedUntil: null });
    // Decided on the factor as first read: it changed since.
    expect(await deps.factors.recordFailure(factor, afterFailure(factor, now))).toBe('factor-changed');
    expect(await deps.factors.recordVerified(factor, 100, now)).toBe('factor-changed');
    const verified = await deps.factors.recordVerified(failed as Factor, 100, later(1_000));
    expect(verified).toEqual({
      ...factor,
      status: 'verified',
      failedAttempts: 0,
      lockedUntil: null,
      lastAcceptedStep: 100,
      dateUpdated: later(1_000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    });
    // The same step again, or an earlier one, is a replay.
    expect(await deps.factors.recordVerified(verified as Factor, 100, now)).toBe('factor-changed');
    expect(await deps.factors.recordVerified(verified as Factor, 99, now)).toBe('factor-changed');
    // A lock is compared too, not only the count.
    const locked = { failedAttempts: 0, lockedUntil: later(60_000).toISOString() };
    expect(await deps.factors.recordFailure(verified as Factor, locked)).toMatchObject(locked);
    expect(await deps.factors.recordFailure(verified as Factor, afterFailure(factor, now))).toBe(
      'factor-changed',
    );
    expect(await deps.factors.recordVerified({ ...(verified as Factor), ...locked }, 101, now)).toMatchObject(
      {
        lockedUntil: null,
        lastAcceptedStep: 101,
      },
    );
    expect(await deps.factors.saveSettings({ ...factor, friendlyName: 'Renamed' })).toBe(true);
    expect(
      (await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid))
        ?.friendlyName,
    ).toBe('Renamed');
    expect(await deps.factors.delete(factor)).toBe(true);
    expect(await deps.factors.saveSettings(factor)).toBe(false);
    expect(await deps.factors.recordFailure(factor, afterFailure(factor, now))).toBe('factor-changed');
  });

  it('stores a challenge only with its factor, and an attempt only on the lock state read', async () => {
    const { factor } = await factorOfNewEntity();
    const challenge = challengeOf(factor);
    expect(await deps.challenges.create(challengeOf({ ...factor, sid: newSid(SidPrefix.factor) }))).toBe(
      'no-factor',
    );
    const stale = { ...factor, failedAttempts: 3 };
    expect(
      await deps.challenges.create(challenge, {
        kind: 'failed',
        factor: stale,
        next: afterFailure(stale, now),
      }),
    ).toBe('factor-changed');
    expect(
      await deps.challenges.create(challenge, { kind: 'failed', factor, next: afterFailure(factor, now) }),
    ).toBe('created');
    expect(
      await deps.challenges.get(factor.accountSid, factor.serviceSid, factor.identity, challenge.sid),
    ).toEqual(challenge);
    const stored = await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
    expect(stored).toMatchObject({ failedAttempts: 1 });
    const approved = challengeOf(factor);
    expect(await deps.challenges.create(approved, { kind: 'accepted', factor: stored!, step: 7 })).toBe(
      'created',
    );
    expect(
      await deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid),
    ).toMatchObject({ failedAttempts: 0, lastAcceptedStep: 7 });
    expect(
      await deps.challenges.create(challengeOf(factor), { kind: 'accepted', factor: stored!, step: 8 }),
    ).toBe('factor-changed');
  });

  it('answers a challenge once, and tells a changed challenge from a changed factor', async () => {
    const { factor } = await factorOfNewEntity();
    const current = () => deps.factors.get(factor.accountSid, factor.serviceSid, factor.identity, factor.sid);
    const challenge = challengeOf(factor);
    expect(await deps.challenges.create(challenge)).toBe('created');
    const stale = { ...factor, failedAttempts: 2 };
    const answered = respond(challenge, 'approved', now, { os: 'Android' });
    expect(await deps.challenges.answer(answered, now, { kind: 'unchanged', factor: stale })).toBe(
      'factor-changed',
    );
    const wrong = { kind: 'failed' as const, factor: stale, next: afterFailure(stale, now) };
    expect(await deps.challenges.recordWrongCode(challenge, now, wrong)).toBe('factor-changed');
    // Five wrong codes, each counted on the challenge and on the factor.
    for (let i = 0; i < 5; i++) {
      const read = (await current())!;
      const attempt = { kind: 'failed' as const, factor: read, next: afterFailure(read, now) };
      expect(await deps.challenges.recordWrongCode(challenge, now, attempt)).toBe('recorded');
    }
    expect(await current()).toMatchObject({ failedAttempts: 5 });
    const spent = await deps.challenges.get(
      factor.accountSid,
      factor.serviceSid,
      factor.identity,
      challenge.sid,
    );
    expect(spent).toEqual({ ...challenge, failedAttempts: 5 });
    const read = (await current())!;
    expect(await deps.challenges.answer(answered, now, { kind: 'unchanged', factor: read })).toBe(
      'challenge-changed',
    );
    // Whatever the factor: the challenge explains itself first.
    expect(await deps.challenges.answer(answered, now, { kind: 'unchanged', factor: stale })).toBe(
      'challenge-changed',
    );

    const other = challengeOf(factor);
    expect(await deps.challenges.create(other)).toBe('created');
    const approved = respond(other, 'approved', now, { os: 'Android' });
    expect(await deps.challenges.answer(approved, now, { kind: 'accepted', factor: read, step: 9 })).toBe(
      'answered',
    );
    expect(
      await deps.challenges.get(factor.accountSid, factor.serviceSid, factor.identity, other.sid),
    ).toEqual(approved);
    expect(await current()).toMatchObject({ failedAttempts: 0, lockedUntil: null, lastAcceptedStep: 9 });
    expect(
      await deps.challenges.answer(approved, now, { kind: 'unchanged', factor: (await current())! }),
    ).toBe('challenge-changed');
  });

  it('refuses answers past the expiration date and stores expiry only then', async () => {
    const { factor } = await factorOfNewEntity();
    const challenge = challengeOf(factor, 60_000);
    expect(await deps.challenges.create(challenge)).toBe('created');
    const key = { ...challenge };
    expect(await deps.challenges.expire(key, later(59_000))).toBe(false);
    const answer = respond(challenge, 'approved', later(60_000));
    expect(await deps.challenges.answer(answer, later(60_000), { kind: 'unchanged', factor })).toBe(
      'challenge-changed',
    );
    expect(await deps.challenges.expire(key, later(60_000))).toBe(true);
    expect(await deps.challenges.expire(key, later(61_000))).toBe(false);
    expect(
      await deps.challenges.get(factor.accountSid, factor.serviceSid, factor.identity, challenge.sid),
    ).toEqual({
      ...challenge,
      status: 'expired',
      dateUpdated: challenge.expirationDate,
    });
  });

  it('lists challenges by creation, filtered by factor and effective status', async () => {
    const { entity, factor } = await factorOfNewEntity();
    const second = totp(entity);
    expect(await deps.factors.create(second, entity, false)).toBe('created');
    const c1 = newChallenge({ factor, includeDate: false, expirationDate: later(1_000) }, later(1));
    const c2 = newChallenge({ factor: second, includeDate: false, expirationDate: later(60_000) }, later(2));
    const c3 = newChallenge({ factor, includeDate: false, expirationDate: later(60_000) }, later(3));
    for (const c of [c1, c2, c3]) expect(await deps.challenges.create(c)).toBe('created');
    const list = (query: { factorSid?: string; status?: Challenge['status']; ascending: boolean }) =>
      deps.challenges
        .list(
          factor.accountSid,
          factor.serviceSid,
          factor.identity,
          { pageSize: 10 },
          { ...query, now: later(2_000) },
        )
        .then((page) => page.items.map((c) => c.sid));
    expect(await list({ ascending: true })).toEqual([c1.sid, c2.sid, c3.sid]);
    expect(await list({ ascending: false })).toEqual([c3.sid, c2.sid, c1.sid]);
    expect(await list({ ascending: true, factorSid: factor.sid })).toEqual([c1.sid, c3.sid]);
    expect(await list({ ascending: true, status: 'expired' })).toEqual([c1.sid]);
    expect(await list({ ascending: false, status: 'pending', factorSid: factor.sid })).toEqual([c3.sid]);
  });

  it('hides what is below an entity being deleted, and purges it in steps', async () => {
    const { service, entity, factor } = await factorOfNewEntity();
    const { accountSid } = service;
    const device = push(entity);
    expect(await deps.factors.create(device, entity, false)).toBe('created');
    const challenge = challengeOf(factor);
    expect(await deps.challenges.create(challenge)).toBe('created');
    await deps.challenges.scheduleExpiry(challenge);
    expect(await deps.factors.getDeviceKey(device.config.credentialSid)).toEqual({
      credentialSid: device.config.credentialSid,
      accountSid,
      serviceSid: service.sid,
      identity: entity.identity,
      factorSid: device.sid,
      publicKey: device.binding.publicKey,
    });
    expect(await deps.factors.getWithService(accountSid, service.sid, entity.identity, factor.sid)).toEqual({
      factor,
      service,
    });

    expect(await deps.entities.markDeleting(accountSid, service.sid, entity.identity, now)).toBe('marked');
    expect(await deps.entities.markDeleting(accountSid, service.sid, entity.identity, now)).toBe('deleting');
    expect(await deps.entities.get(accountSid, service.sid, entity.identity)).toBeUndefined();
    expect((await deps.entities.list(accountSid, service.sid, { pageSize: 5 })).items).toEqual([]);
    expect(await deps.factors.getDeviceKey(device.config.credentialSid)).toBeUndefined();
    expect(await deps.factors.getWithService(accountSid, service.sid, entity.identity, factor.sid)).toEqual({
      factor: undefined,
      service,
    });
    // No time at all: one pass, and more left.
    const noTime = { deadline: Date.now(), from: 'first' as const };
    expect(await deps.entities.purge(accountSid, service.sid, entity.identity, noTime)).toBe('more');
    await deps.entities.continueLater(accountSid, service.sid, entity.identity);
    expect(await deps.factors.get(accountSid, service.sid, entity.identity, factor.sid)).toBeUndefined();
    const enough = { deadline: Date.now() + 10_000, from: 'last' as const };
    expect(await deps.entities.purge(accountSid, service.sid, entity.identity, enough)).toBe('done');
    expect(await deps.entities.markDeleting(accountSid, service.sid, entity.identity, now)).toBe('missing');
    expect(
      await deps.challenges.get(accountSid, service.sid, entity.identity, challenge.sid),
    ).toBeUndefined();
    // A timer is written only while its challenge exists.
    await deps.challenges.scheduleExpiry(challenge);
    expect(await deps.entities.purge(accountSid, service.sid, entity.identity, enough)).toBe('done');
    expect((await deps.entities.list(accountSid, service.sid, { pageSize: 5 })).items).toEqual([]);
  });

  it('purges a service with its entities in steps, and hides its devices meanwhile', async () => {
    const { service, entity } = await factorOfNewEntity();
    const device = push(entity);
    expect(await deps.factors.create(device, entity, false)).toBe('created');
    expect(await deps.services.markDeleting(service.accountSid, service.sid, now)).toBe('marked');
    expect(await deps.factors.getDeviceKey(device.config.credentialSid)).toBeUndefined();
    expect(
      await deps.factors.getWithService(service.accountSid, service.sid, entity.identity, device.sid),
    ).toEqual({
      factor: device,
      service: undefined,
    });
    const noTime = { deadline: Date.now(), from: 'last' as const };
    expect(await deps.services.purge(service.accountSid, service.sid, noTime)).toBe('more');
    const enough = { deadline: Date.now() + 10_000, from: 'first' as const };
    expect(await deps.services.purge(service.accountSid, service.sid, enough)).toBe('done');
    expect(
      await deps.factors.get(service.accountSid, service.sid, entity.identity, device.sid),
    ).toBeUndefined();
    expect(await deps.services.markDeleting(service.accountSid, service.sid, now)).toBe('missing');
    expect(await deps.services.purge(service.accountSid, service.sid, enough)).toBe('done');
  });
});
