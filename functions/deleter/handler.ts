import type { DynamoDBStreamEvent } from 'aws-lambda';
import { continueDeletions } from '../../shared/app/deletion';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { observedBatchHandler } from '../../shared/observability/handler';

/** Time kept back from the invocation's timeout for the step under way when the budget runs out, and the handover. */
const MARGIN_MS = 15_000;

/**
 * The table's stream (filtered to services and entities marked `deleting`) → their deletions continued
 * for `DELETER_BUDGET_MS`, within the invocation's remaining time.
 */
export const build = (deps: Dependencies) =>
  observedBatchHandler(
    'Deleter',
    deps.config,
    async (
      event: DynamoDBStreamEvent,
      context?: { getRemainingTimeInMillis?: () => number; functionName?: string; awsRequestId?: string },
    ) => {
      const remaining = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
      const budget = Math.max(0, Math.min(deps.config.deleterBudgetMs, remaining - MARGIN_MS));
      return continueDeletions(event.Records, deps, Date.now() + budget);
    },
  );

export const handler = fromEnvironment(build);
