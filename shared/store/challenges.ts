import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeKey, ChallengeQuery, ChallengeStore, PageRequest } from '../app/ports';
import { effectiveStatus, MAX_CHALLENGE_ATTEMPTS, type Challenge } from '../domain/challenge';
import type { Factor } from '../domain/factor';
import { formatDate } from '../domain/time';
import { Condition, isConditionFailure, requiring, transact, type Labelled } from './conditions';
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

/** Moves a factor's last accepted TOTP step forward, only forward: the replay guard. */
const acceptStep = (table: string, factor: Factor, step: number): Labelled<'factor'> => ({
  label: 'factor',
  Update: {
    TableName: table,
    Key: Keys.factor(factor.accountSid, factor.serviceSid, factor.identity, factor.sid),
    UpdateExpression: 'SET lastAcceptedStep = :step',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(lastAcceptedStep) OR attribute_type(lastAcceptedStep, :null) OR lastAcceptedStep < :step)',
    ExpressionAttributeValues: { ':step': step, ':null': 'NULL' },
  },
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

  /**
   * One transaction: the challenge, and a check that its factor still exists. A challenge whose factor is
   * deleted (with its entity or service) between the factor's read and this write is therefore never
   * stored; deletions find any challenge stored before the factor went, so none is left behind.
   */
  async create(challenge: Challenge, accepted?: { factor: Factor; step: number }) {
    const put: Labelled<'challenge'> = {
      label: 'challenge',
      Put: {
        TableName: this.table,
        Item: item(challenge, this.retentionSeconds),
        ConditionExpression: Condition.absent,
      },
    };
    const factorKey = Keys.factor(
      challenge.accountSid,
      challenge.serviceSid,
      challenge.identity,
      challenge.factorSid,
    );
    // With a TOTP code approved at creation the factor is updated in the same transaction (its replay guard),
    // and an item appears once per transaction: the existence check is then a condition added to that update.
    const factor: Labelled<'factor'> = accepted
      ? requiring(acceptStep(this.table, accepted.factor, accepted.step), Condition.exists)
      : {
          label: 'factor',
          ConditionCheck: { TableName: this.table, Key: factorKey, ConditionExpression: Condition.exists },
        };
    const outcome = await transact(this.ddb, [put, factor]);
    if (outcome.ok) return 'created' as const;
    if (outcome.failed.has('factor')) {
      return accepted && outcome.current.factor ? ('replayed' as const) : ('no-factor' as const);
    }
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

  async answer(answered: Challenge, now: Date, accepted?: { factor: Factor; step: number }) {
    const update = {
      TableName: this.table,
      Key: challengeKey(answered),
      UpdateExpression:
        'SET #status = :status, metadata = :metadata, dateUpdated = :updated, dateResponded = :responded, expiresAt = :purge',
      // Only a pending challenge that has not expired (stored dates share one format, so they compare as
      // strings) and, for TOTP, has attempts left can be answered: of concurrent answers exactly one wins.
      ConditionExpression: '#status = :pending AND expirationDate > :now AND failedAttempts < :maxAttempts',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': answered.status,
        ':metadata': answered.metadata,
        ':updated': answered.dateUpdated,
        ':responded': answered.dateResponded,
        ':purge': purgeAt(answered, this.retentionSeconds),
        ':pending': 'pending',
        ':now': formatDate(now),
        ':maxAttempts': MAX_CHALLENGE_ATTEMPTS,
      },
    };
    if (accepted) {
      const outcome = await transact(this.ddb, [
        { label: 'challenge', Update: update },
        acceptStep(this.table, accepted.factor, accepted.step),
      ]);
      if (outcome.ok) return 'answered' as const;
      return outcome.failed.has('challenge') ? ('conflict' as const) : ('replayed' as const);
    }
    try {
      await this.ddb.send(new UpdateCommand(update));
      return 'answered' as const;
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict' as const;
      throw error;
    }
  }

  async recordWrongCode(challenge: Challenge, now: Date) {
    try {
      const { Attributes } = await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: challengeKey(challenge),
          UpdateExpression: 'ADD failedAttempts :one',
          ConditionExpression:
            '#status = :pending AND expirationDate > :now AND failedAttempts < :maxAttempts',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':pending': 'pending',
            ':now': formatDate(now),
            ':maxAttempts': MAX_CHALLENGE_ATTEMPTS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Attributes?.failedAttempts as number;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
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
