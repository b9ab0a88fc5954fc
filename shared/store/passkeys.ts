import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PasskeyStore } from '../app/ports';
import { DEFAULT_CHALLENGE_RETENTION_DAYS } from '../config';
import type { Challenge } from '../domain/challenge';
import type { Factor, PasskeysFactor } from '../domain/factor';
import type { PasskeyChallenge, PasskeyCredentialRecord } from '../domain/passkeys';
import { formatDate } from '../domain/time';
import { getKeys } from './batch';
import { challengeItem, purgeAt } from './challenges';
import { Condition, isConditionFailure, transact, type Labelled } from './conditions';
import { Keys, type ItemKey } from './keys';
import { queryAll, record } from './paging';

/** Lookup items outlive what they point to by a day, then DynamoDB's TTL removes them. */
const LOOKUP_GRACE_SECONDS = 86_400;
const epochSeconds = (date: string) => Math.floor(Date.parse(date) / 1000);

/** A passkeys factor's registration lookup item, written with the factor (`DynamoFactorStore.create`). */
export const passkeyRegistrationItem = (factor: PasskeysFactor) => ({
  ...Keys.passkeyRegistration(factor.accountSid, factor.serviceSid, factor.sid),
  type: 'passkey-registration',
  identity: factor.identity,
  factorSid: factor.sid,
  expiresAt: epochSeconds(factor.registrationExpiresAt) + LOOKUP_GRACE_SECONDS,
});

/** The credential item of a passkeys factor (deleted with the factor, its entity or its service). */
export const passkeyCredentialKey = (
  factor: Pick<Factor, 'accountSid' | 'serviceSid'>,
  credentialId: string,
) => Keys.passkeyCredential(factor.accountSid, factor.serviceSid, credentialId);

/** The credential item's key for a stored factor item, if it is a registered passkeys factor. */
export function passkeyCredentialKeyOf(item: Record<string, unknown>): ItemKey | undefined {
  const id = (item.credential as { id?: unknown } | undefined)?.id;
  if (item.type !== 'factor' || item.factorType !== 'passkeys' || typeof id !== 'string') return undefined;
  return Keys.passkeyCredential(item.accountSid as string, item.serviceSid as string, id);
}

const challengeLookupKey = (c: Pick<Challenge, 'accountSid' | 'serviceSid' | 'sid'>) =>
  Keys.passkeyChallenge(c.accountSid, c.serviceSid, c.sid);

const entityChallengeKey = (c: Challenge) => Keys.challenge(c.accountSid, c.serviceSid, c.identity, c.sid);

/** What approving changes on the entity's Challenge item of a bound challenge. */
const answeredValues = (c: Challenge) => ({
  ':approved': c.status,
  ':updated': c.dateUpdated,
  ':responded': c.dateResponded,
  ':entitySid': c.entitySid,
  ':identity': c.identity,
  ':factorSid': c.factorSid,
  ':factorName': c.factorFriendlyName,
});
const ANSWERED_SET =
  'SET #status = :approved, dateUpdated = :updated, dateResponded = :responded, entitySid = :entitySid, ' +
  '#identity = :identity, factorSid = :factorSid, factorFriendlyName = :factorName, expiresAt = :purge';

export class DynamoPasskeyStore implements PasskeyStore {
  private readonly retentionSeconds: number;

  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    retentionDays = DEFAULT_CHALLENGE_RETENTION_DAYS,
  ) {
    this.retentionSeconds = retentionDays * 86_400;
  }

  async getRegistration(accountSid: string, serviceSid: string, factorSid: string) {
    const { Item: lookup } = await this.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: Keys.passkeyRegistration(accountSid, serviceSid, factorSid),
      }),
    );
    if (!lookup) return undefined;
    const { Item } = await this.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: Keys.factor(accountSid, serviceSid, lookup.identity as string, factorSid),
      }),
    );
    const factor = Item && record<Factor>(Item);
    return factor?.factorType === 'passkeys' ? factor : undefined;
  }

  async verifiedFactorsOf(accountSid: string, serviceSid: string, identity: string) {
    const items = await queryAll(this.ddb, this.table, Keys.factorsOf(accountSid, serviceSid, identity));
    return items
      .map((item) => record<Factor>(item))
      .filter(
        (f): f is PasskeysFactor => f.factorType === 'passkeys' && f.status === 'verified' && !!f.credential,
      );
  }

  async register(verified: PasskeysFactor, credential: PasskeyCredentialRecord) {
    const TableName = this.table;
    const outcome = await transact(this.ddb, [
      {
        label: 'factor',
        Update: {
          TableName,
          Key: Keys.factor(verified.accountSid, verified.serviceSid, verified.identity, verified.sid),
          UpdateExpression: 'SET #status = :verified, credential = :credential, dateUpdated = :now',
          ConditionExpression: '#status = :unverified',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':verified': 'verified',
            ':unverified': 'unverified',
            ':credential': verified.credential,
            ':now': verified.dateUpdated,
          },
        },
      },
      // The credential ID is unique per service: the item is keyed by it.
      {
        label: 'credential',
        Put: {
          TableName,
          Item: { ...passkeyCredentialKey(verified, credential.id), type: 'passkey', ...credential },
          ConditionExpression: Condition.absent,
        },
      },
    ]);
    if (outcome.ok) return 'registered' as const;
    if (outcome.failed.has('factor')) return 'factor-changed' as const;
    return 'credential-exists' as const;
  }

  async createChallenge(challenge: PasskeyChallenge) {
    const TableName = this.table;
    const items: Labelled<'lookup' | 'challenge' | 'owner'>[] = [
      {
        label: 'lookup',
        Put: {
          TableName,
          Item: this.lookupItem(challenge),
          ConditionExpression: Condition.absent,
        },
      },
    ];
    if (challenge.identity !== '') {
      const { accountSid, serviceSid, identity, factorSid } = challenge;
      items.push(
        {
          label: 'challenge',
          Put: {
            TableName,
            Item: challengeItem(challenge, this.retentionSeconds),
            ConditionExpression: Condition.absent,
          },
        },
        // A bound challenge needs its factor (or, naming none, its entity) to be there still.
        {
          label: 'owner',
          ConditionCheck: {
            TableName,
            Key:
              factorSid === ''
                ? Keys.entity(accountSid, serviceSid, identity)
                : Keys.factor(accountSid, serviceSid, identity, factorSid),
            ConditionExpression: factorSid === '' ? Condition.live : Condition.exists,
          },
        },
      );
    }
    const outcome = await transact(this.ddb, items);
    if (outcome.ok) return 'created' as const;
    if (outcome.failed.has('owner')) return 'no-factor' as const;
    throw new Error('Passkeys challenge creation refused: its SID exists');
  }

  private lookupItem(challenge: PasskeyChallenge) {
    return {
      ...challengeLookupKey(challenge),
      type: 'passkey-challenge',
      ...challenge,
      expiresAt: epochSeconds(challenge.expirationDate) + LOOKUP_GRACE_SECONDS,
    };
  }

  async getForAssertion(accountSid: string, serviceSid: string, challengeSid: string, credentialId: string) {
    const lookupKey = Keys.passkeyChallenge(accountSid, serviceSid, challengeSid);
    const credentialKey = Keys.passkeyCredential(accountSid, serviceSid, credentialId);
    const items = await getKeys(this.ddb, this.table, [lookupKey, credentialKey]);
    const find = (key: ItemKey) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
    const challenge = find(lookupKey);
    const credential = find(credentialKey);
    return {
      ...(challenge ? { challenge: record<PasskeyChallenge>(challenge) } : {}),
      ...(credential ? { credential: record<PasskeyCredentialRecord>(credential) } : {}),
    };
  }

  async approve(
    approved: PasskeyChallenge,
    credential: PasskeyCredentialRecord,
    next: { signCount: number; backupState: boolean },
    now: Date,
  ) {
    const TableName = this.table;
    const names = { '#status': 'status', '#identity': 'identity' };
    const pending = { ':pending': 'pending', ':now': formatDate(now) };
    const values = { ...answeredValues(approved), ':purge': purgeAt(approved, this.retentionSeconds) };
    const items: Labelled<'lookup' | 'challenge' | 'credential'>[] = [
      {
        // The lookup only has to stop being pending (single use, whatever races it): the answer itself is
        // in the entity's Challenge item, and the lookup is read only to check an assertion.
        label: 'lookup',
        Update: {
          TableName,
          Key: challengeLookupKey(approved),
          UpdateExpression: 'SET #status = :approved, dateUpdated = :updated',
          ConditionExpression: '#status = :pending AND expirationDate > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':approved': approved.status,
            ':updated': approved.dateUpdated,
            ...pending,
          },
        },
      },
      approved.passkeys.bound
        ? {
            label: 'challenge',
            Update: {
              TableName,
              Key: entityChallengeKey(approved),
              UpdateExpression: ANSWERED_SET,
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ':pending': 'pending' },
            },
          }
        : {
            // A usernameless challenge reaches its entity's partition when it is approved.
            label: 'challenge',
            Put: {
              TableName,
              Item: challengeItem(approved, this.retentionSeconds),
              ConditionExpression: Condition.absent,
            },
          },
      {
        label: 'credential',
        Update: {
          TableName,
          Key: passkeyCredentialKey(credential, credential.id),
          UpdateExpression: 'SET signCount = :count, backupState = :backupState',
          ConditionExpression: 'signCount = :seen',
          ExpressionAttributeValues: {
            ':count': next.signCount,
            ':backupState': next.backupState,
            ':seen': credential.signCount,
          },
        },
      },
    ];
    const outcome = await transact(this.ddb, items);
    if (outcome.ok) return 'approved' as const;
    if (outcome.failed.has('lookup') || outcome.failed.has('challenge')) return 'challenge-changed' as const;
    return 'credential-changed' as const;
  }

  async recordCounterRegression(credential: PasskeyCredentialRecord) {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: Keys.factor(
            credential.accountSid,
            credential.serviceSid,
            credential.identity,
            credential.factorSid,
          ),
          UpdateExpression: 'ADD counterRegressions :one',
          ConditionExpression: Condition.exists,
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      // The factor went meanwhile: there is nothing left to flag.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
