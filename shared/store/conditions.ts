import type { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** True for a failed condition on a single write. */
export const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * For a cancelled transaction, the cancellation reason code of each of its items in order
 * ('None' for the items that were fine); undefined for any other error.
 */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (reasons ?? []).map((reason) => reason.Code ?? 'None');
}

const CONFLICT_RETRIES = 4;

/**
 * Sends a transaction, retrying with jittered backoff while DynamoDB cancels it only because another
 * transaction touched the same items (TransactionConflict); any other outcome is the caller's to read.
 */
export async function sendTransaction(
  ddb: DynamoDBDocumentClient,
  command: TransactWriteCommand,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ddb.send(command);
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const conflictOnly =
        reasons !== undefined &&
        reasons.includes('TransactionConflict') &&
        reasons.every((code) => code === 'None' || code === 'TransactionConflict');
      if (!conflictOnly || attempt === CONFLICT_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
  }
}
