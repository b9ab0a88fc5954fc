// @ts-nocheck
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { retry } from '../retry';

/** True for a failed condition on a single write. */
export const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Conditions used across the stores, by name. */
export const Condition = {
  exists: 'attribute_exists(pk)',
  absent: 'attribute_not_exists(pk)',
  /** The item exists and is not being deleted. */
  live: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
} as const;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** A transaction item with a name, so a cancellation is read by what failed, not by position. */
export type Labelled<L extends string> = TransactItem & { label: L };

export type TransactionOutcome<L extends string> =
  | { ok: true }
  | {
      ok: false;
      /** The labels of the items whose condition failed. */
      failed: Set<L>;
      /** The current item of each failed item that asked for it (`ReturnValuesOnConditionCheckFailure`). */
      current: Partial<Record<L, Record<string, unknown>>>;
    };

/**
 * The item with `condition` added to the condition it was built with (both must hold), kept apart from it
 * so that a change to the item's own condition cannot drop this one. The item also asks for the current
 * item when a condition fails, so the caller can tell which one did.
 */
export function requiring<L extends string>(item: Labelled<L>, condition: string): Labelled<L> {
  const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((name) => item[name]);
  if (!kind) throw new Error(`Transaction item ${item.label} has no operation`);
  const operation = item[kind]!;
  const own = operation.ConditionExpression;
  return {
    ...item,
    [kind]: {
      ...operation,
      ConditionExpression: own ? `(${own}) AND (${condition})` : condition,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

const CONFLICT_RETRY = { attempts: 5, baseDelayMs: 10 };

/**
 * Sends a transaction of labelled items. A cancellation because of failed conditions comes back as the
 * labels that failed; one caused only by another transaction touching the same items (TransactionConflict)
 * is retried with backoff. Any other error is thrown.
 */
export async function transact<L extends string>(
  ddb: DynamoDBDocumentClient,
  items: Labelled<L>[],
): Promise<TransactionOutcome<L>> {
  const command = new TransactWriteCommand({
    TransactItems: items.map(({ label: _label, ...item }) => item as TransactItem),
  });
  let outcome: TransactionOutcome<L> | undefined;
  let lastError: unknown;
  const done = await retry(CONFLICT_RETRY, async () => {
    try {
      await ddb.send(command);
      outcome = { ok: true };
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      lastError = error;
      if (reasons.every((reason) => reason.code === 'None' || reason.code === 'TransactionConflict')) {
        return false;
      }
      const failed = new Set<L>();
      const current: Partial<Record<L, Record<string, unknown>>> = {};
      reasons.forEach((reason, index) => {
        const label = items[index]?.label;
        if (label === undefined || reason.code !== 'ConditionalCheckFailed') return;
        failed.add(label);
        if (reason.item) current[label] = plain(reason.item);
      });
      if (failed.size === 0) throw error;
      outcome = { ok: false, failed, current };
      return true;
    }
  });
  if (!done) throw lastError;
  return outcome!;
}

/** For a cancelled transaction, each item's reason code and the current item when returned. */
function cancellationReasons(error: unknown) {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (
    error as Error & { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }
  ).CancellationReasons;
  return (reasons ?? []).map((reason) => ({ code: reason.Code ?? 'None', item: reason.Item }));
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS', 'B']);

/** A cancellation's item arrives in DynamoDB's wire form (`{ sid: { S: … } }`); the stores read plain values. */
function plain(item: Record<string, unknown>): Record<string, unknown> {
  const wire = Object.values(item).every(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).length === 1 &&
      ATTRIBUTE_TYPES.has(Object.keys(value)[0]!),
  );
  return wire ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}
