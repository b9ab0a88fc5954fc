// @ts-nocheck
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeKey, ChallengeQuery, ChallengeStore, FactorAttempt, PageRequest } from '../app/ports';
import { DEFAULT_CHALLENGE_RETENTION_DAYS } from '../config';
import { effectiveStatus, MAX_CHALLENGE_ATTEMPTS, type Challenge } from '../domain/challenge';
import type { Notification } from '../domain/notification';
import { formatDate } from '../domain/time';
import {
  Condition,
  isConditionFailure,
  transact,
  type Labelled,
  type TransactionOutcome,
} from './conditions';
import { factorAttemptItem } from './factor-attempts';
import { Keys } from './keys';
import { queryPage, record } from './paging';

const challengeKey = (c: Pick<Challenge, 'accountSid' | 'serviceSid' | 'identity' | 'sid'>) =>
  Keys.challenge(c.accountSid, c.serviceSid, c.identity, c.sid);

/** A challenge ends at its answer or expiry; it is purged a retention period later. */
const purgeAt = (challenge: Challenge, retentionSeconds: number) =>
  Math.floor(Date.parse(challenge.dateResponded ?? challenge.expirationDate) / 1000) + retentionSeconds;

const timerItem = (challenge: Challenge) => ({
  ...Keys.timer(challenge.accountSid, challenge.serviceSid, challenge.identity, challenge.sid),
  type: 'timer',
  accountSid: challenge.accountSid,
  serviceSid: challenge.serviceSid,
  identity: challenge.identity,
  entitySid: challenge.entitySid,
  challengeSid: challenge.sid,
  expiresAt: Math.floor(Date.parse(challenge.expirationDate) / 1000),
});

const item = (challenge: Challenge, retentionSeconds: number) => ({
  ...challengeKey(challenge),
  type: 'challenge',
  ...challenge,
  expiresAt: purgeAt(challenge, retentionSeconds),
});

/**
 * What a challenge must be to take an answer or a wrong code: pending, unexpired (stored dates share one
 * format, so they compare as strings) and, for TOTP, with attempts left. Of concurrent answers exactly one
 * wins, and no challenge counts more than MAX_CHALLENGE_ATTEMPTS wrong codes.
 */
const ANSWERABLE = '#status = :pending AND expirationDate > :now AND failedAttempts < :maxAttempts';

const answerable = (now: Date) => ({
  ':pending': 'pending',
  ':now': formatDate(now),
  ':maxAttempts': MAX_CHALLENGE_ATTEMPTS,
});

export class DynamoChallengeStore implements ChallengeStore {
  /** How long an ended challenge stays readable before DynamoDB's TTL removes it (Twilio's PII SLA: 30 days). */
  private readonly retentionSeconds: number;

  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    retentionDays = DEFAULT_CHALLENGE_RETENTION_DAYS,
  ) {
    this.retentionSeconds = retentionDays * 86_400;
  }

  async get(accountSid: string, serviceSid: string, identity: string, sid: string) {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: Keys.challenge(accountSid, serviceSid, identity, sid) }),
    );
    return Item && record<Challenge>(Item);
  }

  async list(
    accountSid: string,
    serviceSid: string,
    identity: string,
    page: PageRequest,
    query: ChallengeQuery,
  ) {
    const keep = (raw: Record<string, unknown>) => {
      const challenge = raw as unknown as Challenge;
      if (query.factorSid && challenge.factorSid !== query.factorSid) return false;
      return !query.status || effectiveStatus(challenge, query.now) === query.status;
    };
    const result = await queryPage(
      this.ddb,
      this.table,
      Keys.challengesOf(accountSid, serviceSid, identity),
      page,
      {
        ascending: query.ascending,
        keep,
      },
    );
    return { ...result, items: result.items.map((raw) => record<Challenge>(raw)) };
  }

  /**
   * One transaction: the challenge, and its factor's side. Without an attempt that is a check that the
   * factor still exists, so a challenge whose factor is deleted (with its entity or service) between the
   * factor's read and this write is never stored; deletions find any challenge stored before the factor
   * went, so none is left behind. With an attempt (a TOTP `AuthPayload` at creation) it is the factor's
   * update, whose lock-state condition includes the factor's existence (an item appears once per
   * transaction).
   */
  async create(challenge: Challenge, attempt?: Extract<FactorAttempt, { kind: 'accepted' | 'failed' }>) {
    const put: Labelled<'challenge'> = {
      label: 'challenge',
      Put: {
        TableName: this.table,
        Item: item(challenge, this.retentionSeconds),
        ConditionExpression: Condition.absent,
      },
    };
    const factor: Labelled<'factor'> = attempt
      ? factorAttemptItem(this.table, attempt)
      : {
          label: 'factor',
          ConditionCheck: {
            TableName: this.table,
            Key: Keys.factor(
              challenge.accountSid,
              challenge.serviceSid,
              challenge.identity,
              challenge.factorSid,
            ),
            ConditionExpression: Condition.exists,
          },
        };
    const outcome = await transact(this.ddb, [put, factor]);
    if (outcome.ok) return 'created' as const;
    if (outcome.failed.has('factor')) return attempt ? ('factor-changed' as const) : ('no-factor' as const);
    throw new Error('Challenge creation refused: its SID exists');
  }

  /**
   * The expiry timer of a pending challenge: an item whose TTL is the expiration date. When DynamoDB deletes
   * it, the stream handler marks the challenge expired (the challenge item itself stays readable). Writing
   * it again is harmless. Written only while the challenge exists, so that a deletion that removed the
   * challenge (and queried its partition until empty) does not get a timer back.
   */
  async scheduleExpiry(challenge: Challenge) {
    await transact(this.ddb, [
      {
        label: 'challenge',
        ConditionCheck: {
          TableName: this.table,
          Key: challengeKey(challenge),
          ConditionExpression: Condition.exists,
        },
      },
      { label: 'timer', Put: { TableName: this.table, Item: timerItem(challenge) } },
    ]);
  }

  async answer(
    answered: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'accepted' | 'unchanged' }>,
  ) {
    const outcome = await transact(this.ddb, [
      {
        label: 'challenge',
        Update: {
          TableName: this.table,
          Key: challengeKey(answered),
          UpdateExpression:
            'SET #status = :status, metadata = :metadata, dateUpdated = :updated, dateResponded = :responded, expiresAt = :purge',
          ConditionExpression: ANSWERABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': answered.status,
            ':metadata': answered.metadata,
            ':updated': answered.dateUpdated,
            ':responded': answered.dateResponded,
            ':purge': purgeAt(answered, this.retentionSeconds),
            ...answerable(now),
          },
        },
      },
      // TOTP: the factor's failure count resets and its replay guard moves; push: the factor is not locked.
      factorAttemptItem(this.table, attempt),
    ]);
    return this.outcomeOf(outcome, 'answered');
  }

  async recordWrongCode(
    challenge: Challenge,
    now: Date,
    attempt: Extract<FactorAttempt, { kind: 'failed' }>,
  ) {
    const outcome = await transact(this.ddb, [
      {
        label: 'challenge',
        Update: {
          TableName: this.table,
          Key: challengeKey(challenge),
          UpdateExpression: 'ADD failedAttempts :one',
          ConditionExpression: ANSWERABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ...answerable(now) },
        },
      },
      // The same failure counts on the factor: the factor-wide limit.
      factorAttemptItem(this.table, attempt),
    ]);
    return this.outcomeOf(outcome, 'recorded');
  }

  /** A refused challenge explains itself whatever the factor; otherwise it was the factor. */
  private outcomeOf<T extends string>(outcome: TransactionOutcome<'challenge' | 'factor'>, success: T) {
    if (outcome.ok) return success;
    return outcome.failed.has('challenge') ? ('challenge-changed' as const) : ('factor-changed' as const);
  }

  async expire(key: ChallengeKey, now: Date) {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: Keys.challenge(key.accountSid, key.serviceSid, key.identity, key.sid),
          // An expired challenge last changed at its expiration date; its purge time was set at creation.
          UpdateExpression: 'SET #status = :expired, dateUpdated = expirationDate',
          ConditionExpression: '#status = :pending AND expirationDate <= :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':expired': 'expired',
            ':pending': 'pending',
            ':now': formatDate(now),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async addNotification(challenge: Challenge, notification: Notification, now: Date, max: number) {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: challengeKey(challenge),
          UpdateExpression:
            'SET notifications = list_append(if_not_exists(notifications, :none), :new), pushPlatform = :platform',
          // Still pending and unexpired, and below the limit counting what was there when it was read.
          ConditionExpression:
            '#status = :pending AND expirationDate > :now AND ' +
            '(attribute_not_exists(notifications) OR size(notifications) < :max)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':none': [],
            ':new': [notification],
            ':platform': challenge.pushPlatform,
            ':pending': 'pending',
            ':now': formatDate(now),
            ':max': max,
          },
        }),
      );
      return 'added' as const;
    } catch (error) {
      if (isConditionFailure(error)) return 'challenge-changed' as const;
      throw error;
    }
  }
}
