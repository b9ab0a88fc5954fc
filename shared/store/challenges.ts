import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeKey, ChallengeQuery, ChallengeStore, FactorAttempt, PageRequest } from '../app/ports';
import { effectiveStatus, MAX_CHALLENGE_ATTEMPTS, type Challenge } from '../domain/challenge';
import { formatDate } from '../domain/time';
import { isConditionFailure, transact, type TransactionOutcome } from './conditions';
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
    retentionDays = 30,
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

  async create(challenge: Challenge, attempt?: Extract<FactorAttempt, { kind: 'accepted' | 'failed' }>) {
    const put = {
      TableName: this.table,
      Item: item(challenge, this.retentionSeconds),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (!attempt) {
      await this.ddb.send(new PutCommand(put));
      return 'created' as const;
    }
    const outcome = await transact(this.ddb, [
      { label: 'challenge', Put: put },
      factorAttemptItem(this.table, attempt),
    ]);
    if (outcome.ok) return 'created' as const;
    if (outcome.failed.has('factor')) return 'factor-changed' as const;
    throw new Error('Challenge creation refused: its SID exists');
  }

  /**
   * The expiry timer of a pending challenge: an item whose TTL is the expiration date. When DynamoDB deletes
   * it, the stream handler marks the challenge expired (the challenge item itself stays readable). Writing
   * it again is harmless.
   */
  async scheduleExpiry(challenge: Challenge) {
    await this.ddb.send(new PutCommand({ TableName: this.table, Item: timerItem(challenge) }));
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
}
