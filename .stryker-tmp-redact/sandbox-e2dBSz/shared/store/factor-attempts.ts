// @ts-nocheck
import type { FactorAttempt } from '../app/ports';
import type { Factor } from '../domain/factor';
import { afterSuccess, type LockState } from '../domain/lockout';
import { Condition, type Labelled } from './conditions';
import { Keys } from './keys';

/** What a write does to a factor's brute-force state: a success (with the TOTP step it used) or a failure. */
export type FactorChange = { kind: 'accepted'; step: number | null } | { kind: 'failed'; next: LockState };

/** More to set in the same update (verification also marks the factor verified). */
export interface AlsoSet {
  set: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
}

const factorKey = (f: Pick<Factor, 'accountSid' | 'serviceSid' | 'identity' | 'sid'>) =>
  Keys.factor(f.accountSid, f.serviceSid, f.identity, f.sid);

/**
 * Optimistic concurrency on a factor's brute-force state: the factor exists and its `failedAttempts` and
 * `lockedUntil` are the ones the decision was made on. Every write that counts a failure or a success (or
 * relies on the factor not being locked) carries it, so concurrent attempts cannot count past a lock, and
 * none can act on a lock state that has changed since it was read: the write is refused, and the use case
 * reads the factor again and decides again. (`lockedUntil` is compared too, not only the count: a reset
 * and five new failures bring the count back where it was, under a new lock.)
 */
export function lockStateAsSeen(seen: LockState) {
  // Factors stored before timed locks have no `lockedUntil`; read as null.
  const lockedUntil = seen.lockedUntil ?? null;
  const lock =
    lockedUntil === null
      ? '(attribute_not_exists(lockedUntil) OR attribute_type(lockedUntil, :nullType))'
      : 'lockedUntil = :seenLockedUntil';
  return {
    condition: `${Condition.exists} AND failedAttempts = :seenFailures AND ${lock}`,
    values: {
      ':seenFailures': seen.failedAttempts,
      ...(lockedUntil === null ? { ':nullType': 'NULL' } : { ':seenLockedUntil': lockedUntil }),
    },
  };
}

/** The replay guard (RFC 6238 §5.2): the last accepted TOTP step only moves forward. */
const STEP_IS_NEW =
  '(attribute_not_exists(lastAcceptedStep) OR attribute_type(lastAcceptedStep, :nullType) OR lastAcceptedStep < :step)';

/**
 * The conditional update of a factor for one attempt: a success resets the failure count and lock (and
 * moves the replay guard to the step it used), a failure stores the next lock state; both only while the
 * lock state is the one read (`lockStateAsSeen`).
 */
export function factorChangeUpdate(table: string, factor: Factor, change: FactorChange, also?: AlsoSet) {
  const seen = lockStateAsSeen(factor);
  const next = change.kind === 'accepted' ? afterSuccess() : change.next;
  const step = change.kind === 'accepted' ? change.step : null;
  const sets = ['failedAttempts = :failedAttempts', 'lockedUntil = :lockedUntil'];
  if (step !== null) sets.push('lastAcceptedStep = :step');
  if (also) sets.push(also.set);
  return {
    TableName: table,
    Key: factorKey(factor),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: step === null ? seen.condition : `${seen.condition} AND ${STEP_IS_NEW}`,
    ...(also?.names ? { ExpressionAttributeNames: also.names } : {}),
    ExpressionAttributeValues: {
      ...seen.values,
      ':failedAttempts': next.failedAttempts,
      ':lockedUntil': next.lockedUntil,
      ...(step === null ? {} : { ':step': step, ':nullType': 'NULL' }),
      ...also?.values,
    },
  };
}

/** A challenge transaction's item on the challenge's factor, labelled `factor`. */
export function factorAttemptItem(table: string, attempt: FactorAttempt): Labelled<'factor'> {
  if (attempt.kind === 'unchanged') {
    const seen = lockStateAsSeen(attempt.factor);
    return {
      label: 'factor',
      ConditionCheck: {
        TableName: table,
        Key: factorKey(attempt.factor),
        ConditionExpression: seen.condition,
        ExpressionAttributeValues: seen.values,
      },
    };
  }
  const change: FactorChange =
    attempt.kind === 'accepted' ? { kind: 'accepted', step: attempt.step } : attempt;
  return { label: 'factor', Update: factorChangeUpdate(table, attempt.factor, change) };
}
