// @ts-nocheck
import type {
  AccessTokenStore,
  AccountStore,
  ChallengeKey,
  ChallengeQuery,
  ChallengeStore,
  DeletionMark,
  DeletionProgress,
  DeletionWork,
  DeviceKey,
  EntityStore,
  FactorAttempt,
  FactorStore,
  PageRequest,
  PushCredentialStore,
  SecretSealer,
  ServiceStore,
  WebhookStore,
} from '../../../shared/app/ports';
import type { Webhook } from '../../../shared/domain/webhook';
import type { Notification } from '../../../shared/domain/notification';
import type { PushCredential } from '../../../shared/domain/push-credential';
import { DEFAULT_CHALLENGE_RETENTION_DAYS } from '../../../shared/config';
import type { AccessToken } from '../../../shared/domain/access-token';
import { effectiveStatus, MAX_CHALLENGE_ATTEMPTS, type Challenge } from '../../../shared/domain/challenge';
import type { Account, ApiKey } from '../../../shared/domain/credentials';
import type { Entity } from '../../../shared/domain/entity';
import { MAX_PUSH_FACTORS_PER_ENTITY, type Factor } from '../../../shared/domain/factor';
import { afterSuccess, type LockState } from '../../../shared/domain/lockout';
import type { Service } from '../../../shared/domain/service';
import { formatDate } from '../../../shared/domain/time';
import type { FactorChange } from '../../../shared/store/factor-attempts';
import { Keys, type ItemKey } from '../../../shared/store/keys';
import { record } from '../../../shared/store/paging';
import { pushCredentialItem, pushCredentialRecord } from '../../../shared/store/push-credentials';
import type { Item, MemoryTable } from './table';

/**
 * Test doubles of the store ports over a `MemoryTable`, with the DynamoDB stores' semantics (their
 * conditions, outcomes and the records they read back) and none of their mechanics. The contract test
 * (test/integration/store-contract.test.ts) runs the same checks against both.
 */

/** What the DynamoDB client throws for a failed condition on a single write. */
const conditionFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

const live = (item: Item | undefined): item is Item => item !== undefined && item.deleting === undefined;

const mark = (table: MemoryTable, key: ItemKey, now: Date): DeletionMark => {
  const item = table.get(key);
  if (!item) return 'missing';
  if (item.deleting !== undefined) return 'deleting';
  table.update(key, { deleting: formatDate(now), deletionRound: 0 });
  return 'marked';
};

const touch = (table: MemoryTable, key: ItemKey) => {
  const item = table.get(key);
  if (item?.deleting !== undefined) table.update(key, { deletionRound: Number(item.deletionRound ?? 0) + 1 });
};

/** Past the deadline; checked before every pass but the first, as the DynamoDB deletion does per page. */
const outOfTime = (work: DeletionWork, passes: number) => passes > 0 && Date.now() >= work.deadline;

/** `purgeEntityPartition` (shared/store/deletion.ts): factors with their device keys, challenges, timers. */
function purgeEntity(
  table: MemoryTable,
  entity: { accountSid: string; serviceSid: string; identity: string },
  owner: string | undefined,
  work: DeletionWork,
): DeletionProgress {
  const pk = Keys.entityPartition(entity.accountSid, entity.serviceSid, entity.identity);
  const owned = (item: Item) =>
    owner === undefined || item.entitySid === undefined || (item.entitySid as string) <= owner;
  for (let passes = 0; ; passes++) {
    if (outOfTime(work, passes)) return 'more';
    const items = table.partition(pk).filter(owned);
    for (const item of items) {
      const credentialSid = (item.config as { credentialSid?: unknown } | undefined)?.credentialSid;
      if (item.type === 'factor' && typeof credentialSid === 'string') {
        table.delete(Keys.credential(credentialSid));
      }
      table.delete({ pk, sk: item.sk as string });
    }
    if (items.length === 0) break;
  }
  const key = Keys.entity(entity.accountSid, entity.serviceSid, entity.identity);
  if (owner === undefined || table.get(key)?.sid === owner) table.delete(key);
  return 'done';
}

export class MemoryAccountStore implements AccountStore {
  constructor(private readonly table: MemoryTable) {}

  async getAccount(sid: string) {
    const item = this.table.get(Keys.account(sid));
    return item && record<Account>(item);
  }

  async getApiKey(sid: string) {
    const item = this.table.get(Keys.apiKey(sid));
    return item && record<ApiKey>(item);
  }

  async putAccount(account: Account) {
    this.table.put(Keys.account(account.sid), { type: 'account', ...account });
  }

  async putApiKey(apiKey: ApiKey) {
    this.table.put(Keys.apiKey(apiKey.sid), { type: 'apiKey', ...apiKey });
  }
}

/** `credentialChecks` (shared/store/push-credentials.ts): each credential a service names is live and of its type. */
const credentialsLive = (table: MemoryTable, service: Service) =>
  (
    [
      ['apn', service.push.apnCredentialSid],
      ['fcm', service.push.fcmCredentialSid],
    ] as const
  ).every(([type, sid]) => {
    if (!sid) return true;
    const item = table.get(Keys.pushCredential(service.accountSid, sid));
    return live(item) && item.credentialType === type;
  });

export class MemoryServiceStore implements ServiceStore {
  constructor(private readonly table: MemoryTable) {}

  async create(service: Service) {
    const key = Keys.service(service.accountSid, service.sid);
    if (this.table.get(key)) throw conditionFailed();
    if (!credentialsLive(this.table, service)) return 'credential-missing' as const;
    this.table.put(key, { type: 'service', ...service });
    return 'created' as const;
  }

  async get(accountSid: string, sid: string) {
    const item = this.table.get(Keys.service(accountSid, sid));
    return live(item) ? record<Service>(item) : undefined;
  }

  async list(accountSid: string, page: PageRequest) {
    const result = this.table.page(Keys.servicesOf(accountSid), page, { keep: live });
    return { ...result, items: result.items.map((item) => record<Service>(item)) };
  }

  async update(service: Service) {
    const key = Keys.service(service.accountSid, service.sid);
    if (!live(this.table.get(key))) return 'missing' as const;
    if (!credentialsLive(this.table, service)) return 'credential-missing' as const;
    this.table.put(key, { type: 'service', ...service });
    return 'updated' as const;
  }

  async markDeleting(accountSid: string, sid: string, now: Date) {
    return mark(this.table, Keys.service(accountSid, sid), now);
  }

  async purge(accountSid: string, sid: string, work: DeletionWork): Promise<DeletionProgress> {
    const key = Keys.service(accountSid, sid);
    if (this.table.get(key)?.deleting === undefined) return 'done';
    const { pk } = Keys.entitiesOf(accountSid, sid);
    for (let passes = 0; ; passes++) {
      if (outOfTime(work, passes)) return 'more';
      const items = this.table.partition(pk);
      for (const item of items) {
        if (item.type !== 'entity') {
          this.table.delete({ pk, sk: item.sk as string });
          continue;
        }
        const entity = { accountSid, serviceSid: sid, identity: item.identity as string };
        if (purgeEntity(this.table, entity, undefined, work) === 'more') return 'more';
      }
      if (items.length === 0) break;
    }
    if (this.table.get(key)?.deleting !== undefined) this.table.delete(key);
    return 'done';
  }

  async continueLater(accountSid: string, sid: string) {
    touch(this.table, Keys.service(accountSid, sid));
  }
}

export class MemoryEntityStore implements EntityStore {
  constructor(private readonly table: MemoryTable) {}

  async create(entity: Entity) {
    if (!live(this.table.get(Keys.service(entity.accountSid, entity.serviceSid))))
      return 'no-service' as const;
    const key = Keys.entity(entity.accountSid, entity.serviceSid, entity.identity);
    if (this.table.get(key)) return 'exists' as const;
    this.table.put(key, { type: 'entity', ...entity });
    return 'created' as const;
  }

  async get(accountSid: string, serviceSid: string, identity: string) {
    const item = this.table.get(Keys.entity(accountSid, serviceSid, identity));
    return live(item) ? record<Entity>(item) : undefined;
  }

  async list(accountSid: string, serviceSid: string, page: PageRequest) {
    const result = this.table.page(Keys.entitiesOf(accountSid, serviceSid), page, { keep: live });
    return { ...result, items: result.items.map((item) => record<Entity>(item)) };
  }

  async markDeleting(accountSid: string, serviceSid: string, identity: string, now: Date) {
    if (!live(this.table.get(Keys.service(accountSid, serviceSid)))) return 'missing' as const;
    return mark(this.table, Keys.entity(accountSid, serviceSid, identity), now);
  }

  async purge(accountSid: string, serviceSid: string, identity: string, work: DeletionWork) {
    const marked = this.table.get(Keys.entity(accountSid, serviceSid, identity));
    if (marked?.deleting === undefined) return 'done' as const;
    return purgeEntity(this.table, { accountSid, serviceSid, identity }, marked.sid as string, work);
  }

  async continueLater(accountSid: string, serviceSid: string, identity: string) {
    touch(this.table, Keys.entity(accountSid, serviceSid, identity));
  }
}

type FactorKeyed = Pick<Factor, 'accountSid' | 'serviceSid' | 'identity' | 'sid'>;
const factorKey = (f: FactorKeyed) => Keys.factor(f.accountSid, f.serviceSid, f.identity, f.sid);

/** `lockStateAsSeen` (shared/store/factor-attempts.ts): the factor exists with the lock state read. */
function asSeen(stored: Item | undefined, seen: LockState): stored is Item {
  return (
    stored !== undefined &&
    stored.failedAttempts === seen.failedAttempts &&
    (stored.lockedUntil ?? null) === (seen.lockedUntil ?? null)
  );
}

/** The replay guard: a TOTP step is accepted only after the last accepted one. */
const stepIsNew = (stored: Item, step: number | null) =>
  step === null || stored.lastAcceptedStep == null || (stored.lastAcceptedStep as number) < step;

/**
 * Whether the condition of an attempt on `factor` holds (`factorChangeUpdate`, `factorAttemptItem`): undefined
 * when not, else the write to make once every condition of the transaction held.
 */
function factorChange(
  table: MemoryTable,
  factor: Factor,
  change: FactorChange | { kind: 'unchanged' },
  also: Item = {},
) {
  const key = factorKey(factor);
  const stored = table.get(key);
  const step = change.kind === 'accepted' ? change.step : null;
  if (!asSeen(stored, factor) || !stepIsNew(stored, step)) return undefined;
  if (change.kind === 'unchanged') return () => stored;
  const next = change.kind === 'accepted' ? afterSuccess() : change.next;
  return () => table.update(key, { ...next, ...(step === null ? {} : { lastAcceptedStep: step }), ...also });
}

/** A challenge transaction's attempt as a change of its factor. */
const changeOf = (attempt: FactorAttempt): FactorChange | { kind: 'unchanged' } =>
  attempt.kind === 'accepted' ? { kind: 'accepted', step: attempt.step } : attempt;

export class MemoryFactorStore implements FactorStore {
  constructor(private readonly table: MemoryTable) {}

  async create(factor: Factor, entity: Entity, entityIsNew: boolean, accessTokenSid?: string) {
    const isPush = factor.factorType === 'push';
    const entityKey = Keys.entity(entity.accountSid, entity.serviceSid, entity.identity);
    const current = this.table.get(entityKey);
    const token = accessTokenSid ? this.table.get(Keys.accessToken(accessTokenSid)) : undefined;
    const count = (current?.pushFactorCount as number | undefined) ?? 0;
    const entityHolds = entityIsNew
      ? current === undefined
      : live(current) && current.sid === entity.sid && (!isPush || count < MAX_PUSH_FACTORS_PER_ENTITY);
    if (accessTokenSid && token?.used !== false) return 'token-used' as const;
    if (!live(this.table.get(Keys.service(entity.accountSid, entity.serviceSid))))
      return 'no-service' as const;
    if (!entityHolds) {
      if (current?.deleting !== undefined) return 'entity-deleting' as const;
      return !entityIsNew && isPush && current?.sid === entity.sid ? 'push-limit' : 'entity-changed';
    }
    if (this.table.get(factorKey(factor))) throw new Error('Factor creation refused by factor');

    if (entityIsNew)
      this.table.put(entityKey, { type: 'entity', ...entity, pushFactorCount: isPush ? 1 : 0 });
    else if (isPush) this.table.update(entityKey, { pushFactorCount: count + 1 });
    this.table.put(factorKey(factor), { type: 'factor', ...factor });
    if (factor.factorType === 'push') {
      const device: DeviceKey = {
        credentialSid: factor.config.credentialSid,
        accountSid: factor.accountSid,
        serviceSid: factor.serviceSid,
        identity: factor.identity,
        factorSid: factor.sid,
        publicKey: factor.binding.publicKey,
      };
      this.table.put(Keys.credential(device.credentialSid), { type: 'credential', ...device });
    }
    if (accessTokenSid) this.table.update(Keys.accessToken(accessTokenSid), { used: true });
    return 'created' as const;
  }

  async get(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const item = this.table.get(Keys.factor(accountSid, serviceSid, identity, sid));
    return item && record<Factor>(item);
  }

  async list(accountSid: string, serviceSid: string, identity: string, page: PageRequest) {
    const result = this.table.page(Keys.factorsOf(accountSid, serviceSid, identity), page);
    return { ...result, items: result.items.map((item) => record<Factor>(item)) };
  }

  async saveSettings(factor: Factor) {
    if (!this.table.get(factorKey(factor))) return false;
    const { friendlyName, metadata, config, dateUpdated } = factor;
    this.table.update(factorKey(factor), { friendlyName, metadata, config, dateUpdated });
    return true;
  }

  async markTokenDead(factor: Factor, token: string) {
    const item = this.table.get(factorKey(factor));
    if ((item?.config as { notificationToken?: unknown } | undefined)?.notificationToken !== token)
      return false;
    this.table.update(factorKey(factor), { deadNotificationToken: token });
    return true;
  }

  async recordVerified(factor: Factor, acceptedStep: number | null, now: Date) {
    const verified = { status: 'verified', dateUpdated: formatDate(now) };
    const write = factorChange(this.table, factor, { kind: 'accepted', step: acceptedStep }, verified);
    return write ? record<Factor>(write()) : ('factor-changed' as const);
  }

  async recordFailure(factor: Factor, next: LockState) {
    const write = factorChange(this.table, factor, { kind: 'failed', next });
    return write ? record<Factor>(write()) : ('factor-changed' as const);
  }

  async delete(factor: Factor) {
    if (!this.table.get(factorKey(factor))) return false;
    this.table.delete(factorKey(factor));
    if (factor.factorType === 'push') {
      this.table.delete(Keys.credential(factor.config.credentialSid));
      const entityKey = Keys.entity(factor.accountSid, factor.serviceSid, factor.identity);
      const entity = this.table.get(entityKey);
      // An entity being deleted keeps no count.
      if (live(entity)) {
        this.table.update(entityKey, { pushFactorCount: Number(entity.pushFactorCount ?? 0) - 1 });
      }
    }
    return true;
  }

  async getDeviceKey(credentialSid: string) {
    const item = this.table.get(Keys.credential(credentialSid));
    if (!item) return undefined;
    const device = record<DeviceKey>(item);
    const { accountSid, serviceSid, identity } = device;
    const service = this.table.get(Keys.service(accountSid, serviceSid));
    const entity = this.table.get(Keys.entity(accountSid, serviceSid, identity));
    return live(service) && live(entity) ? device : undefined;
  }

  async getWithService(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const factor = this.table.get(Keys.factor(accountSid, serviceSid, identity, sid));
    const service = this.table.get(Keys.service(accountSid, serviceSid));
    const entity = this.table.get(Keys.entity(accountSid, serviceSid, identity));
    return {
      factor: factor && live(entity) ? record<Factor>(factor) : undefined,
      service: live(service) ? record<Service>(service) : undefined,
    };
  }
}

const challengeKey = (c: Pick<Challenge, 'accountSid' | 'serviceSid' | 'identity' | 'sid'>) =>
  Keys.challenge(c.accountSid, c.serviceSid, c.identity, c.sid);

/** Pending, unexpired (stored dates compare as strings) and with attempts left: `ANSWERABLE`. */
const answerable = (item: Item | undefined, now: Date): item is Item =>
  item !== undefined &&
  item.status === 'pending' &&
  (item.expirationDate as string) > formatDate(now) &&
  (item.failedAttempts as number) < MAX_CHALLENGE_ATTEMPTS;

export class MemoryChallengeStore implements ChallengeStore {
  private readonly retentionSeconds: number;

  constructor(
    private readonly table: MemoryTable,
    retentionDays = DEFAULT_CHALLENGE_RETENTION_DAYS,
  ) {
    this.retentionSeconds = retentionDays * 86_400;
  }

  private purgeAt(challenge: Challenge) {
    const end = challenge.dateResponded ?? challenge.expirationDate;
    return Math.floor(Date.parse(end) / 1000) + this.retentionSeconds;
  }

  async get(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const item = this.table.get(Keys.challenge(accountSid, serviceSid, identity, sid));
    return item && record<Challenge>(item);
  }

  async list(
    accountSid: string,
    serviceSid: string,
    identity: string,
    page: PageRequest,
    query: ChallengeQuery,
  ) {
    const keep = (item: Item) => {
      const challenge = item as unknown as Challenge;
      if (query.factorSid && challenge.factorSid !== query.factorSid) return false;
      return !query.status || effectiveStatus(challenge, query.now) === query.status;
    };
    const collection = Keys.challengesOf(accountSid, serviceSid, identity);
    const result = this.table.page(collection, page, { ascending: query.ascending, keep });
    return { ...result, items: result.items.map((item) => record<Challenge>(item)) };
  }

  async create(challenge: Challenge, attempt?: Extract<FactorAttempt, { kind: 'accepted' | 'failed' }>) {
    const factor = Keys.factor(
      challenge.accountSid,
      challenge.serviceSid,
      challenge.identity,
      challenge.factorSid,
    );
    const write = attempt ? factorChange(this.table, attempt.factor, changeOf(attempt)) : () => undefined;
    if (!attempt && !this.table.get(factor)) return 'no-factor' as const;
    if (!write) return 'factor-changed' as const;
    if (this.table.get(challengeKey(challenge)))
      throw new Error('Challenge creation refused: its SID exists');
    this.table.put(challengeKey(challenge), {
      type: 'challenge',
      ...challenge,
      expiresAt: this.purgeAt(challenge),
    });
    write();
    return 'created' as const;
  }

  async scheduleExpiry(challenge: Challenge) {
    if (!this.table.get(challengeKey(challenge))) return;
    const { accountSid, serviceSid, identity, entitySid, sid } = challenge;
    this.table.put(Keys.timer(accountSid, serviceSid, identity, sid), {
      type: 'timer',
      accountSid,
      serviceSid,
      identity,
      entitySid,
      challengeSid: sid,
      expiresAt: Math.floor(Date.parse(challenge.expirationDate) / 1000),
    });
  }

  async answer(
    answered: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'accepted' | 'unchanged' }>,
  ) {
    if (!answerable(this.table.get(challengeKey(answered)), now)) return 'challenge-changed' as const;
    const write = factorChange(this.table, attempt.factor, changeOf(attempt));
    if (!write) return 'factor-changed' as const;
    const { status, metadata, dateUpdated, dateResponded } = answered;
    this.table.update(challengeKey(answered), {
      status,
      metadata,
      dateUpdated,
      dateResponded,
      expiresAt: this.purgeAt(answered),
    });
    write();
    return 'answered' as const;
  }

  async recordWrongCode(
    challenge: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'failed' }>,
  ) {
    const stored = this.table.get(challengeKey(challenge));
    if (!answerable(stored, now)) return 'challenge-changed' as const;
    const write = factorChange(this.table, attempt.factor, changeOf(attempt));
    if (!write) return 'factor-changed' as const;
    this.table.update(challengeKey(challenge), { failedAttempts: (stored.failedAttempts as number) + 1 });
    write();
    return 'recorded' as const;
  }

  async expire(key: ChallengeKey, now: Date) {
    const itemKey = Keys.challenge(key.accountSid, key.serviceSid, key.identity, key.sid);
    const item = this.table.get(itemKey);
    if (item?.status !== 'pending' || (item.expirationDate as string) > formatDate(now)) return false;
    this.table.update(itemKey, { status: 'expired', dateUpdated: item.expirationDate });
    return true;
  }

  async addNotification(challenge: Challenge, notification: Notification, now: Date, max: number) {
    const item = this.table.get(challengeKey(challenge));
    const notifications = (item?.notifications as Notification[] | undefined) ?? [];
    if (
      item?.status !== 'pending' ||
      (item.expirationDate as string) <= formatDate(now) ||
      notifications.length >= max
    ) {
      return 'challenge-changed' as const;
    }
    this.table.update(challengeKey(challenge), {
      notifications: [...notifications, notification],
      pushPlatform: challenge.pushPlatform,
    });
    return 'added' as const;
  }
}

/** `DynamoPushCredentialStore`: items of the account's partition; deletion refused while a live service names one. */
export class MemoryPushCredentialStore implements PushCredentialStore {
  constructor(private readonly table: MemoryTable) {}

  private key = (accountSid: string, sid: string) => Keys.pushCredential(accountSid, sid);
  async create(credential: PushCredential) {
    const key = this.key(credential.accountSid, credential.sid);
    if (this.table.get(key)) throw conditionFailed();
    this.table.put(key, pushCredentialItem(credential));
  }

  async get(accountSid: string, sid: string) {
    const item = this.table.get(this.key(accountSid, sid));
    return live(item) ? pushCredentialRecord(item) : undefined;
  }

  async list(accountSid: string, page: PageRequest) {
    const result = this.table.page(Keys.pushCredentialsOf(accountSid), page, { keep: live });
    return { ...result, items: result.items.map(pushCredentialRecord) };
  }

  async update(credential: PushCredential) {
    const key = this.key(credential.accountSid, credential.sid);
    if (!live(this.table.get(key))) return false;
    this.table.put(key, pushCredentialItem(credential));
    return true;
  }

  async delete(accountSid: string, sid: string, _now: Date) {
    const key = this.key(accountSid, sid);
    if (!this.table.get(key)) return 'missing' as const;
    const named = this.table
      .partition(Keys.servicesOf(accountSid).pk)
      .some(
        (item) =>
          item.type === 'service' &&
          live(item) &&
          [
            (item.push as Service['push']).apnCredentialSid,
            (item.push as Service['push']).fcmCredentialSid,
          ].includes(sid),
      );
    if (named) return 'in-use' as const;
    this.table.delete(key);
    return 'deleted' as const;
  }
}

export class MemoryAccessTokenStore implements AccessTokenStore {
  constructor(private readonly table: MemoryTable) {}

  async create(token: AccessToken) {
    const expiresAt = Math.floor(Date.parse(token.dateCreated) / 1000) + token.ttl;
    this.table.put(Keys.accessToken(token.sid), { type: 'accessToken', ...token, expiresAt });
  }

  async get(sid: string) {
    const item = this.table.get(Keys.accessToken(sid));
    return item && record<AccessToken>(item);
  }
}

/**
 * A sealer that keeps the secret readable to tests but, like the real one, opens it only for the context
 * it was sealed for.
 */
export const memorySealer: SecretSealer = {
  async seal(plaintext, context) {
    return `sealed:${Buffer.from(JSON.stringify([context, plaintext])).toString('base64url')}`;
  },
  async open(sealed, context) {
    const [sealedFor, plaintext] = JSON.parse(
      Buffer.from(sealed.replace(/^sealed:/, ''), 'base64url').toString('utf8'),
    ) as [string, string];
    if (sealedFor !== context) throw new Error('The secret was sealed for another context');
    return plaintext;
  },
};

/** `DynamoWebhookStore`: webhooks in the service's partition, at most `max` per live service. */
export class MemoryWebhookStore implements WebhookStore {
  constructor(private readonly table: MemoryTable) {}

  private item = (w: Webhook) => ({ type: 'webhook', ...w });

  async create(webhook: Webhook, max: number) {
    if (!live(this.table.get(Keys.service(webhook.accountSid, webhook.serviceSid))))
      return 'no-service' as const;
    if ((await this.all(webhook.accountSid, webhook.serviceSid)).length >= max) return 'limit' as const;
    this.table.put(Keys.webhook(webhook.accountSid, webhook.serviceSid, webhook.sid), this.item(webhook));
    return 'created' as const;
  }

  async get(accountSid: string, serviceSid: string, sid: string) {
    const item = this.table.get(Keys.webhook(accountSid, serviceSid, sid));
    return item && record<Webhook>(item);
  }

  async list(accountSid: string, serviceSid: string, page: PageRequest) {
    const result = this.table.page(Keys.webhooksOf(accountSid, serviceSid), page);
    return { ...result, items: result.items.map((item) => record<Webhook>(item)) };
  }

  async all(accountSid: string, serviceSid: string) {
    const { pk, skPrefix } = Keys.webhooksOf(accountSid, serviceSid);
    return this.table
      .partition(pk)
      .filter((item) => (item.sk as string).startsWith(skPrefix))
      .map((item) => record<Webhook>(item));
  }

  async update(webhook: Webhook) {
    const key = Keys.webhook(webhook.accountSid, webhook.serviceSid, webhook.sid);
    if (!this.table.get(key) || !live(this.table.get(Keys.service(webhook.accountSid, webhook.serviceSid))))
      return false;
    this.table.put(key, this.item(webhook));
    return true;
  }

  async delete(accountSid: string, serviceSid: string, sid: string) {
    const key = Keys.webhook(accountSid, serviceSid, sid);
    if (!this.table.get(key)) return false;
    this.table.delete(key);
    return true;
  }
}
