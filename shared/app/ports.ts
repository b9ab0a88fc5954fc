import type { AccessToken } from '../domain/access-token';
import type { Challenge, ChallengeStatus } from '../domain/challenge';
import type { Account, ApiKey } from '../domain/credentials';
import type { DomainEvent } from '../domain/events';
import type { Entity } from '../domain/entity';
import type { Factor, PasskeysFactor } from '../domain/factor';
import type { PasskeyChallenge, PasskeyCredentialRecord } from '../domain/passkeys';
import type { LockState } from '../domain/lockout';
import type { Notification } from '../domain/notification';
import type { PushCredential } from '../domain/push-credential';
import type { Service } from '../domain/service';
import type { Webhook } from '../domain/webhook';

/**
 * A page request: its size, and the opaque token of an earlier page's `next` or `previous`. Only the store
 * that issued a token can read it; a token from another list is a 400 naming `PageToken`.
 */
export interface PageRequest {
  pageSize: number;
  token?: string;
}

/** `next`/`previous` are the tokens of the pages after and before this one, when there are such pages. */
export interface Page<T> {
  items: T[];
  next?: string;
  previous?: string;
}

export interface AccountStore {
  getAccount(sid: string): Promise<Account | undefined>;
  getApiKey(sid: string): Promise<ApiKey | undefined>;
  /** Creates or replaces an account (replacing rotates its auth token). */
  putAccount(account: Account): Promise<void>;
  putApiKey(apiKey: ApiKey): Promise<void>;
}

/**
 * One step of a deletion: it starts no new work after `deadline` (epoch ms), but always does some (a page
 * of children), so that every step gets somewhere however short its time. A DELETE request works from the
 * first child onwards and the deleter from the last backwards, so that when both run at once they do not
 * repeat each other's work. Every step is idempotent: steps may run concurrently, repeatedly, and be cut
 * off anywhere.
 */
export interface DeletionWork {
  deadline: number;
  from: 'first' | 'last';
}

/** 'done' when nothing of the deletion is left (the marked item is gone), 'more' when the deadline came first. */
export type DeletionProgress = 'done' | 'more';

/**
 * How a deletion starts: 'marked' when this call set `deleting` (its stream record starts the deleter),
 * 'deleting' when it was set already, 'missing' when there is no such live item.
 */
export type DeletionMark = 'marked' | 'deleting' | 'missing';

/**
 * Services. A service being deleted (`markDeleting`) is, to every reader here, gone: `get` and `list` leave
 * it out, `update` refuses it, and entity and factor creation check that their service is live (exists and
 * is not being deleted) in their transactions, so it gains no new children while they are removed.
 */
export interface ServiceStore {
  /**
   * Stores a new service. The push credentials it names must exist (live, of this account) and be of the
   * right type, checked in the same transaction: 'credential-missing' otherwise.
   */
  create(service: Service): Promise<'created' | 'credential-missing'>;
  /** The service, unless it does not exist or is being deleted. */
  get(accountSid: string, sid: string): Promise<Service | undefined>;
  /** A page of the account's services; services being deleted are left out. */
  list(accountSid: string, page: PageRequest): Promise<Page<Service>>;
  /**
   * Replaces a live service: 'missing' when it has been deleted, or marked for deletion, meanwhile;
   * 'credential-missing' when a push credential it names is not (or no longer) there, as for `create`.
   */
  update(service: Service): Promise<'updated' | 'missing' | 'credential-missing'>;
  /**
   * Marks the service `deleting` with a conditional write: the first step of deleting it, after which it
   * answers as if it did not exist. Only a live service is marked; a second mark writes nothing.
   */
  markDeleting(accountSid: string, sid: string, now: Date): Promise<DeletionMark>;
  /**
   * Removes what is below a service marked `deleting` (its entities with their factors, device keys,
   * challenges and timers), and the service item last, until `work.deadline`. 'done' also when the
   * service is gone already or not marked.
   */
  purge(accountSid: string, sid: string, work: DeletionWork): Promise<DeletionProgress>;
  /** Leaves the rest of a deletion to the deleter: a write to the marked item, whose stream record invokes it. */
  continueLater(accountSid: string, sid: string): Promise<void>;
}

/**
 * Entities, with the same deletion steps as services. An entity being deleted reads as absent, and factor
 * creation refuses it ('entity-deleting') in its transaction.
 */
export interface EntityStore {
  /** 'created', or why not: the service does not exist (or is being deleted), or the identity is taken. */
  create(entity: Entity): Promise<'created' | 'no-service' | 'exists'>;
  /** The entity, unless it does not exist or is being deleted. */
  get(accountSid: string, serviceSid: string, identity: string): Promise<Entity | undefined>;
  /** A page of the service's entities; entities being deleted are left out. */
  list(accountSid: string, serviceSid: string, page: PageRequest): Promise<Page<Entity>>;
  /**
   * Marks the entity `deleting` (conditional on it existing and on its service being live): the first
   * step of deleting it. 'missing' also when its service is not live.
   */
  markDeleting(accountSid: string, serviceSid: string, identity: string, now: Date): Promise<DeletionMark>;
  /**
   * Removes the factors (with their device keys), challenges and timers of the entity marked `deleting`,
   * then the entity item, until `work.deadline`. It removes only what belongs to that entity (its SID) or
   * to an earlier entity of the same identity, never what a later one, created after the deletion
   * finished, has added. 'done' also when the entity is gone already or not marked.
   */
  purge(
    accountSid: string,
    serviceSid: string,
    identity: string,
    work: DeletionWork,
  ): Promise<DeletionProgress>;
  /** Leaves the rest of a deletion to the deleter (see ServiceStore.continueLater). */
  continueLater(accountSid: string, serviceSid: string, identity: string): Promise<void>;
}

/** A push factor's device key and where the factor lives, found by its credential SID (the JWT `kid`). */
export interface DeviceKey {
  credentialSid: string;
  accountSid: string;
  serviceSid: string;
  identity: string;
  factorSid: string;
  publicKey: string;
}

export interface FactorStore {
  /**
   * Stores a new factor, creating its entity when `entityIsNew`, and spends the enrollment token it was
   * created with, if any. Fails with 'push-limit' when the entity already has its maximum of push factors,
   * 'no-service' when the service is gone or being deleted, 'entity-deleting' when the entity is being
   * deleted, 'entity-changed' when a concurrent request created or deleted the entity since it was read,
   * and 'token-used' when the token was spent already.
   */
  create(
    factor: Factor,
    entity: Entity,
    entityIsNew: boolean,
    accessTokenSid?: string,
  ): Promise<'created' | 'push-limit' | 'no-service' | 'entity-deleting' | 'entity-changed' | 'token-used'>;
  get(accountSid: string, serviceSid: string, identity: string, sid: string): Promise<Factor | undefined>;
  list(accountSid: string, serviceSid: string, identity: string, page: PageRequest): Promise<Page<Factor>>;
  /** Saves settings changes (name, config, metadata) if the factor still exists. */
  saveSettings(factor: Factor): Promise<boolean>;
  /**
   * Records a successful verification in one conditional write: the factor becomes verified, its failure
   * count and lock reset, and a TOTP factor's accepted step becomes its last. It holds only while the
   * factor's lock state is the one read (`failedAttempts` and `lockedUntil` of `factor`: optimistic
   * concurrency) and, for TOTP, the step is later than any accepted so far. The stored factor, or
   * 'factor-changed' when the factor changed or went since it was read: read it again and decide again.
   */
  recordVerified(factor: Factor, acceptedStep: number | null, now: Date): Promise<Factor | 'factor-changed'>;
  /**
   * Records a failed verification: the factor's lock state becomes `next` (`afterFailure` of the state
   * read), under the same condition as `recordVerified`, so that concurrent failures cannot count past a
   * lock. The stored factor, or 'factor-changed'.
   */
  recordFailure(factor: Factor, next: LockState): Promise<Factor | 'factor-changed'>;
  delete(factor: Factor): Promise<boolean>;
  /**
   * Records that the provider declared `token` dead, if it is still the factor's token (a device that has
   * since updated its token keeps getting pushes); false when it was not.
   */
  markTokenDead(factor: Factor, token: string): Promise<boolean>;
  /**
   * The device key of a push factor, undefined when it was deleted (its key goes with it) or when its
   * service or entity is being deleted: a device of something being deleted no longer authenticates.
   */
  getDeviceKey(credentialSid: string): Promise<DeviceKey | undefined>;
  /**
   * The factor and its service, read together (one request): `service` is undefined when the service is
   * missing or being deleted, `factor` when the factor is missing or its entity is being deleted.
   */
  getWithService(
    accountSid: string,
    serviceSid: string,
    identity: string,
    sid: string,
  ): Promise<{ factor?: Factor; service?: Service }>;
}

export interface ChallengeKey {
  accountSid: string;
  serviceSid: string;
  identity: string;
  sid: string;
}

export interface ChallengeQuery {
  ascending: boolean;
  factorSid?: string;
  /** Compared with the effective status at `now`, so overdue pending challenges count as expired. */
  status?: ChallengeStatus;
  now: Date;
}

/**
 * What a challenge write does to the challenge's factor, in the same transaction. Every one holds only
 * while the factor's lock state is the one `factor` was read with (`failedAttempts` and `lockedUntil`:
 * optimistic concurrency, which also proves that the lock the use case saw is still the lock there); when
 * it is not, the write is refused as 'factor-changed' and the use case reads the factor again and decides
 * again.
 */
export type FactorAttempt =
  /** A TOTP code accepted: the replay guard moves to `step` (only forward), the failure count and lock reset. */
  | { kind: 'accepted'; factor: Factor; step: number }
  /** A wrong or already used TOTP code: the lock state becomes `next` (`afterFailure` of the state read). */
  | { kind: 'failed'; factor: Factor; next: LockState }
  /** A push answer: nothing on the factor changes, but the factor must still be as read, i.e. not locked. */
  | { kind: 'unchanged'; factor: Factor };

export interface ChallengeStore {
  get(accountSid: string, serviceSid: string, identity: string, sid: string): Promise<Challenge | undefined>;
  list(
    accountSid: string,
    serviceSid: string,
    identity: string,
    page: PageRequest,
    query: ChallengeQuery,
  ): Promise<Page<Challenge>>;
  /**
   * Stores a new challenge in a transaction that checks its factor still exists, so a challenge never
   * outlives a deletion of its factor, entity or service ('no-factor' otherwise). With `attempt` (a TOTP
   * `AuthPayload` given at creation, right or wrong) the factor's side of it is written in the same
   * transaction instead, under its lock-state condition; 'factor-changed' when the factor changed (or went)
   * first.
   */
  create(
    challenge: Challenge,
    attempt?: Extract<FactorAttempt, { kind: 'accepted' | 'failed' }>,
  ): Promise<'created' | 'factor-changed' | 'no-factor'>;
  /**
   * Moves a pending, unexpired challenge with attempts left to its answered state (`answered`), and writes
   * `attempt` on the factor in the same transaction. 'challenge-changed' when the challenge was no longer
   * answerable (whatever the factor), 'factor-changed' when only the factor's condition failed.
   */
  answer(
    answered: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'accepted' | 'unchanged' }>,
  ): Promise<'answered' | 'challenge-changed' | 'factor-changed'>;
  /**
   * Counts a wrong code on a pending, unexpired challenge below its attempt limit and the failure on the
   * factor, in one transaction; the outcomes as for `answer`.
   */
  recordWrongCode(
    challenge: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'failed' }>,
  ): Promise<'recorded' | 'challenge-changed' | 'factor-changed'>;
  /**
   * Writes the expiry timer of a pending challenge (the stream handler does, for each new challenge), in a
   * transaction with the condition that the challenge still exists: a deleted one gets no timer back.
   */
  scheduleExpiry(challenge: Challenge): Promise<void>;
  /** Stores `expired` on a challenge still pending past its expiration date; false when it was not. */
  expire(key: ChallengeKey, now: Date): Promise<boolean>;
  /**
   * The challenges still pending whose expiration date is at or before `now` and fell in the current
   * minute or the `lookbackMinutes` before it (from the expiry index: no scan). Answered and expired ones
   * are not in it; the index may lag a write by a moment, so `expire` decides.
   */
  dueForExpiry(now: Date, lookbackMinutes: number): Promise<ChallengeKey[]>;
  /**
   * Adds a resend request to a challenge that is still pending, unexpired and has fewer than `max`
   * notifications, and sets its `pushPlatform`; 'challenge-changed' otherwise (read it again to say why).
   * Its stream record asks the sender for the notification.
   */
  addNotification(
    challenge: Challenge,
    notification: Notification,
    now: Date,
    max: number,
  ): Promise<'added' | 'challenge-changed'>;
}

/**
 * Passkeys (WebAuthn) records found by what a browser signs rather than by path: a registration by its
 * factor SID, a challenge by its SID, a credential by its ID, each one item keyed by service. The factor
 * itself is created with `FactorStore.create` (which also writes its registration item), and passkeys
 * challenges are also stored as ordinary Challenge items in their entity's partition once the entity is
 * known, so the Challenge routes and the events see them.
 */
export interface PasskeyStore {
  /** The unverified factor awaiting registration whose SID is `factorSid`: two reads (its item, then it). */
  getRegistration(
    accountSid: string,
    serviceSid: string,
    factorSid: string,
  ): Promise<PasskeysFactor | undefined>;
  /** The entity's verified passkeys factors (their credentials go in excludeCredentials/allowCredentials). */
  verifiedFactorsOf(accountSid: string, serviceSid: string, identity: string): Promise<PasskeysFactor[]>;
  /**
   * One transaction: the factor, still unverified, becomes `verified` with its credential; the credential
   * item is added (no other factor of the service has that credential ID: 'credential-exists'). The status
   * condition accepts a response once ('factor-changed' for a second one, or when the factor went); the
   * registration item stays until its TTL, so a second response learns the factor's status.
   */
  register(
    verified: PasskeysFactor,
    credential: PasskeyCredentialRecord,
  ): Promise<'registered' | 'factor-changed' | 'credential-exists'>;
  /**
   * Stores a new sign-in challenge (its lookup item), and for one bound to an entity the Challenge item in
   * the entity's partition, in one transaction; with a factor SID it also checks that the factor still
   * exists ('no-factor').
   */
  createChallenge(challenge: PasskeyChallenge): Promise<'created' | 'no-factor'>;
  /** The challenge and the credential an assertion names, read together (one BatchGetItem). */
  getForAssertion(
    accountSid: string,
    serviceSid: string,
    challengeSid: string,
    credentialId: string,
  ): Promise<{ challenge?: PasskeyChallenge; credential?: PasskeyCredentialRecord }>;
  /**
   * Approves in one transaction: the lookup item's status leaves `pending` (only while pending and
   * unexpired, so a replayed or racing assertion approves at most once: 'challenge-changed'); the entity's
   * Challenge item is approved (updated while pending, or put when the challenge was usernameless); the
   * credential's sign count and backup state move, only from the values read ('credential-changed').
   */
  approve(
    approved: PasskeyChallenge,
    credential: PasskeyCredentialRecord,
    next: { signCount: number; backupState: boolean },
    now: Date,
  ): Promise<'approved' | 'challenge-changed' | 'credential-changed'>;
  /** Counts a refused assertion whose sign count went backwards on its factor (the stream makes an event). */
  recordCounterRegression(credential: PasskeyCredentialRecord, now: Date): Promise<void>;
}

/**
 * Push credentials (Notify v1 `Credentials`), per account. A credential that a live service names cannot
 * be deleted: `delete` marks it `deleting` first (from then on a service cannot start naming it: service
 * writes check that their credentials are live), then looks for a live service naming it, and either
 * deletes it or takes the mark back ('in-use').
 */
export interface PushCredentialStore {
  create(credential: PushCredential): Promise<void>;
  /** The credential, unless it does not exist or is being deleted. */
  get(accountSid: string, sid: string): Promise<PushCredential | undefined>;
  list(accountSid: string, page: PageRequest): Promise<Page<PushCredential>>;
  /** Replaces a live credential; false when it is gone or being deleted. */
  update(credential: PushCredential): Promise<boolean>;
  delete(accountSid: string, sid: string, now: Date): Promise<'deleted' | 'missing' | 'in-use'>;
}

/**
 * Webhooks, per service. Creation checks in its transaction that the service is live and that it has
 * fewer than `max` webhooks; a service's deletion removes them with everything else in its partition.
 */
export interface WebhookStore {
  create(webhook: Webhook, max: number): Promise<'created' | 'no-service' | 'limit'>;
  get(accountSid: string, serviceSid: string, sid: string): Promise<Webhook | undefined>;
  list(accountSid: string, serviceSid: string, page: PageRequest): Promise<Page<Webhook>>;
  /** Every webhook of the service (strongly consistent), for the dispatcher. */
  all(accountSid: string, serviceSid: string): Promise<Webhook[]>;
  /** Replaces an existing webhook of a live service; false otherwise. */
  update(webhook: Webhook): Promise<boolean>;
  /** False when there was no such webhook. */
  delete(accountSid: string, serviceSid: string, sid: string): Promise<boolean>;
}

export interface AccessTokenStore {
  create(token: AccessToken): Promise<void>;
  get(sid: string): Promise<AccessToken | undefined>;
}

/** Seals secrets (AES-256-GCM under a key from the key provider), bound to a context such as the factor SID. */
export interface SecretSealer {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

/** What the use cases work with; each function builds it once (`shared/dependencies.ts`). */
export interface AppDeps {
  now: () => Date;
  accounts: AccountStore;
  services: ServiceStore;
  entities: EntityStore;
  factors: FactorStore;
  challenges: ChallengeStore;
  accessTokens: AccessTokenStore;
  pushCredentials: PushCredentialStore;
  webhooks: WebhookStore;
  passkeys: PasskeyStore;
  sealer: SecretSealer;
  /** Seals and opens account auth tokens (its own KMS purpose), so webhooks can be signed. */
  tokenSealer: SecretSealer;
}

/** Publishes events: up to 10 at a time (EventBridge's limit), in order, retrying failed entries. */
export interface EventPublisher {
  /** The indexes of the events that still failed after the retries. */
  publish(events: DomainEvent[]): Promise<number[]>;
}

/** A message on the webhook delivery queue, with how long SQS holds it before delivering it. */
export interface QueuedMessage {
  body: string;
  delayMs: number;
}

/**
 * The webhook delivery queue (SQS on AWS; in process locally): the dispatcher's fan-out and the delivery's
 * own retries go on it, and a delivery that gives up goes to its dead-letter queue.
 */
export interface WebhookQueue {
  /** The indexes of the messages that could not be sent. */
  send(messages: QueuedMessage[]): Promise<number[]>;
  deadLetter(body: string): Promise<void>;
}

/** An HTTP response's status, or why there was none (`timeout`, `connect-timeout`, `refused-address`, …). */
export type TransportResult = { status: number } | { error: string };

/** Sends a webhook request: POST, no redirects followed, bounded in time (`shared/webhooks/http.ts`). */
export interface WebhookTransport {
  post(url: string, headers: Record<string, string>, body: string): Promise<TransportResult>;
}
