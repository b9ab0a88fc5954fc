import type { DynamoDBStreamEvent } from 'aws-lambda';
import { processStream } from '../../shared/app/stream';
import { eventBridgePublisher } from '../../shared/events/eventbridge';
import { challengeStore } from '../../shared/store';

const deps = {
  publisher: eventBridgePublisher(),
  challenges: challengeStore(),
  options: { includePii: process.env.EVENTS_INCLUDE_PII !== 'false' },
  now: () => new Date(),
};

/** The table's stream (filtered to records that can produce events) → EventBridge. */
export const handler = (event: DynamoDBStreamEvent) => processStream(event.Records, deps);
