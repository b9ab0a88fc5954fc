import type { PasskeyStore } from '../../../shared/app/ports';
import { DEFAULT_CHALLENGE_RETENTION_DAYS } from '../../../shared/config';
import type { Challenge } from '../../../shared/domain/challenge';
import type { Factor, PasskeysFactor } from '../../../shared/domain/factor';
import type { PasskeyChallenge, PasskeyCredentialRecord } from '../../../shared/domain/passkeys';
import { formatDate } from '../../../shared/domain/time';
import { Keys } from '../../../shared/store/keys';
import { record } from '../../../shared/store/paging';
import { passkeyCredentialKey } from '../../../shared/store/passkeys';
import type { MemoryTable } from './table';

/** The passkeys store double: `DynamoPasskeyStore`'s conditions and outcomes over the memory table. */
export class MemoryPasskeyStore implements PasskeyStore {
  private readonly retentionSeconds: number;

  constructor(
    private readonly table: MemoryTable,
    retentionDays = DEFAULT_CHALLENGE_RETENTION_DAYS,
  ) {
    this.retentionSeconds = retentionDays * 86_400;
  }

  private challengeItem(challenge: Challenge) {
    const end = challenge.dateResponded ?? challenge.expirationDate;
    return {
      type: 'challenge',
      ...challenge,
      expiresAt: Math.floor(Date.parse(end) / 1000) + this.retentionSeconds,
    };
  }

  async getRegistration(accountSid: string, serviceSid: string, factorSid: string) {
    const lookup = this.table.get(Keys.passkeyRegistration(accountSid, serviceSid, factorSid));
    if (!lookup) return undefined;
    const item = this.table.get(Keys.factor(accountSid, serviceSid, lookup.identity as string, factorSid));
    const factor = item && record<Factor>(item);
    return factor?.factorType === 'passkeys' ? factor : undefined;
  }

  async verifiedFactorsOf(accountSid: string, serviceSid: string, identity: string) {
    return this.table
      .partition(Keys.entityPartition(accountSid, serviceSid, identity))
      .filter((item) => item.type === 'factor')
      .map((item) => record<Factor>(item))
      .filter(
        (f): f is PasskeysFactor => f.factorType === 'passkeys' && f.status === 'verified' && !!f.credential,
      );
  }

  async register(verified: PasskeysFactor, credential: PasskeyCredentialRecord) {
    const key = Keys.factor(verified.accountSid, verified.serviceSid, verified.identity, verified.sid);
    if (this.table.get(key)?.status !== 'unverified') return 'factor-changed' as const;
    const credentialKey = passkeyCredentialKey(verified, credential.id);
    if (this.table.get(credentialKey)) return 'credential-exists' as const;
    this.table.update(key, {
      status: 'verified',
      credential: verified.credential,
      dateUpdated: verified.dateUpdated,
    });
    this.table.put(credentialKey, { type: 'passkey', ...credential });
    return 'registered' as const;
  }

  async createChallenge(challenge: PasskeyChallenge) {
    const lookupKey = Keys.passkeyChallenge(challenge.accountSid, challenge.serviceSid, challenge.sid);
    if (challenge.identity !== '') {
      const { accountSid, serviceSid, identity, factorSid } = challenge;
      const owner =
        factorSid === ''
          ? this.table.get(Keys.entity(accountSid, serviceSid, identity))
          : this.table.get(Keys.factor(accountSid, serviceSid, identity, factorSid));
      if (!owner || (factorSid === '' && owner.deleting !== undefined)) return 'no-factor' as const;
      this.table.put(
        Keys.challenge(accountSid, serviceSid, identity, challenge.sid),
        this.challengeItem(challenge),
      );
    }
    if (this.table.get(lookupKey)) throw new Error('Passkeys challenge creation refused: its SID exists');
    this.table.put(lookupKey, {
      type: 'passkey-challenge',
      ...challenge,
      expiresAt: Math.floor(Date.parse(challenge.expirationDate) / 1000) + 86_400,
    });
    return 'created' as const;
  }

  async getForAssertion(accountSid: string, serviceSid: string, challengeSid: string, credentialId: string) {
    const challenge = this.table.get(Keys.passkeyChallenge(accountSid, serviceSid, challengeSid));
    const credential = this.table.get(Keys.passkeyCredential(accountSid, serviceSid, credentialId));
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
    const lookupKey = Keys.passkeyChallenge(approved.accountSid, approved.serviceSid, approved.sid);
    const entityKey = Keys.challenge(
      approved.accountSid,
      approved.serviceSid,
      approved.identity,
      approved.sid,
    );
    const credentialKey = passkeyCredentialKey(credential, credential.id);
    const lookup = this.table.get(lookupKey);
    const copy = this.table.get(entityKey);
    const lookupHolds = lookup?.status === 'pending' && (lookup.expirationDate as string) > formatDate(now);
    const copyHolds = approved.passkeys.bound ? copy?.status === 'pending' : copy === undefined;
    if (!lookupHolds || !copyHolds) return 'challenge-changed' as const;
    if (this.table.get(credentialKey)?.signCount !== credential.signCount)
      return 'credential-changed' as const;
    const answered = {
      status: approved.status,
      dateUpdated: approved.dateUpdated,
      dateResponded: approved.dateResponded,
      entitySid: approved.entitySid,
      identity: approved.identity,
      factorSid: approved.factorSid,
      factorFriendlyName: approved.factorFriendlyName,
    };
    this.table.update(lookupKey, { status: approved.status, dateUpdated: approved.dateUpdated });
    if (approved.passkeys.bound) this.table.update(entityKey, answered);
    else this.table.put(entityKey, this.challengeItem(approved));
    this.table.update(credentialKey, { signCount: next.signCount, backupState: next.backupState });
    return 'approved' as const;
  }

  async recordCounterRegression(credential: PasskeyCredentialRecord) {
    const key = Keys.factor(
      credential.accountSid,
      credential.serviceSid,
      credential.identity,
      credential.factorSid,
    );
    const factor = this.table.get(key);
    if (factor) this.table.update(key, { counterRegressions: Number(factor.counterRegressions ?? 0) + 1 });
  }
}
