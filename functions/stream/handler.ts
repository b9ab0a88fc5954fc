import type { DynamoDBStreamEvent } from 'aws-lambda';
import { processStream } from '../../shared/app/stream';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import { observedBatchHandler } from '../../shared/observability/handler';

/** The table's stream (filtered to records that can produce events) → EventBridge. */
export const build = (deps: Dependencies) => {
  const streamDeps = {
    publisher: eventBridgePublisher(deps.config),
    challenges: deps.challenges,
    options: { includePii: deps.config.eventsIncludePii },
    now: deps.now,
  };
  return observedBatchHandler(
    'StreamHandler',
    deps.config,
    async (event: DynamoDBStreamEvent, _context?: unknown) => processStream(event.Records, streamDeps),
  );
};

export const handler = fromEnvironment(build);
