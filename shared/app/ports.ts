import type { Account, ApiKey } from '../domain/credentials';
import type { Entity } from '../domain/entity';
import type { Factor, PushFactor } from '../domain/factor';
import type { Service } from '../domain/service';

/** A page request in sort-key terms: start strictly after `after`, or end strictly before `before`. */
export interface PageRequest {
  pageSize: number;
  after?: string;
  before?: string;
}

/** `next`/`previous` are the sort keys to continue from, when there is such a page. */
export interface Page<T> {
  items: T[];
  next?: { after: string };
  previous?: { before: string };
}

export interface AccountStore {
  getAccount(sid: string): Promise<Account | undefined>;
  getApiKey(sid: string): Promise<ApiKey | undefined>;
  /** Creates or replaces an account (replacing rotates its auth token). */
  putAccount(account: Account): Promise<void>;
  putApiKey(apiKey: ApiKey): Promise<void>;
}

export interface ServiceStore {
  create(service: Service): Promise<void>;
  get(accountSid: string, sid: string): Promise<Service | undefined>;
  list(accountSid: string, page: PageRequest): Promise<Page<Service>>;
  /** Replaces a service that still exists; false when it has been deleted meanwhile. */
  update(service: Service): Promise<boolean>;
  /** Deletes the service and everything below it; false when there was no such service. */
  delete(accountSid: string, sid: string): Promise<boolean>;
}

export interface EntityStore {
  /** 'created', or why not: the service does not exist or the identity is taken. */
  create(entity: Entity): Promise<'created' | 'no-service' | 'exists'>;
  get(accountSid: string, serviceSid: string, identity: string): Promise<Entity | undefined>;
  list(accountSid: string, serviceSid: string, page: PageRequest): Promise<Page<Entity>>;
  /** Deletes the entity with its factors and challenges; false when there was no such entity. */
  delete(accountSid: string, serviceSid: string, identity: string): Promise<boolean>;
}

export interface FactorStore {
  /**
   * Stores a new factor, creating its entity when `entityIsNew`. Fails with 'push-limit' when the entity
   * already has its maximum of push factors, 'no-service' when the service is gone, and 'entity-changed'
   * when a concurrent request created or deleted the entity since it was read.
   */
  create(
    factor: Factor,
    entity: Entity,
    entityIsNew: boolean,
  ): Promise<'created' | 'push-limit' | 'no-service' | 'entity-changed'>;
  get(accountSid: string, serviceSid: string, identity: string, sid: string): Promise<Factor | undefined>;
  list(accountSid: string, serviceSid: string, identity: string, page: PageRequest): Promise<Page<Factor>>;
  /** Saves settings changes (name, config, metadata) if the factor still exists. */
  saveSettings(factor: Factor): Promise<boolean>;
  /**
   * Marks the factor verified, resets its failure count and records the accepted TOTP step, provided it is
   * not locked and the step is later than any accepted so far. Returns the stored factor, or undefined when
   * those conditions no longer hold.
   */
  recordVerified(factor: Factor, acceptedStep: number | null, now: Date): Promise<Factor | undefined>;
  /** Counts one failed attempt unless the factor is already locked; returns the count, or undefined. */
  recordFailedAttempt(factor: Factor): Promise<number | undefined>;
  delete(factor: Factor): Promise<boolean>;
  getByCredential(credentialSid: string): Promise<PushFactor | undefined>;
}

/** Seals secrets (AES-256-GCM under a key from the key provider), bound to a context such as the factor SID. */
export interface SecretSealer {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}
