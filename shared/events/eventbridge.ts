import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../app/ports';
import { required, type Config } from '../config';
import { retry } from '../retry';
import { EVENT_SOURCE, type DomainEvent } from '../domain/events';

export const MAX_ENTRIES_PER_CALL = 10;
const ATTEMPTS = 4;
const BASE_DELAY_MS = 50;

/**
 * PutEvents with EventBridge's partial failures handled: a call can succeed while some of its entries
 * fail (`FailedEntryCount`), so the failed entries — and only those — are sent again with jittered
 * exponential backoff. A call that fails as a whole (throttling, network) is sent again the same way.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly wait?: (ms: number) => Promise<unknown>,
  ) {}

  async publish(events: DomainEvent[]): Promise<number[]> {
    if (events.length > MAX_ENTRIES_PER_CALL)
      throw new Error(`At most ${MAX_ENTRIES_PER_CALL} events per call`);
    let pending = events.map((_, index) => index);
    if (pending.length === 0) return pending;
    await retry({ attempts: ATTEMPTS, baseDelayMs: BASE_DELAY_MS, wait: this.wait }, async (attempt) => {
      try {
        const result = await this.client.send(
          new PutEventsCommand({ Entries: pending.map((index) => this.entry(events[index]!)) }),
        );
        // Result entries line up with the request's; a failed one has an ErrorCode and no EventId.
        pending = pending.filter((_, k) => result.Entries?.[k]?.ErrorCode || !result.Entries?.[k]?.EventId);
      } catch (error) {
        console.warn(
          JSON.stringify({ level: 'WARN', message: 'PutEvents failed', error: String(error), attempt }),
        );
      }
      return pending.length === 0;
    });
    return pending;
  }

  private entry(event: DomainEvent) {
    return {
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.time),
    };
  }
}

/** The publisher to the bus `EVENT_BUS_NAME`; `EVENTBRIDGE_ENDPOINT` points it at the local sink. */
export function eventBridgePublisher(config: Config): EventBridgePublisher {
  const busName = required(config, 'eventBusName');
  const endpoint = config.eventBridgeEndpoint;
  return new EventBridgePublisher(new EventBridgeClient(endpoint ? { endpoint } : {}), busName);
}
