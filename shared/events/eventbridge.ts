import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../app/ports';
import { required, type Config } from '../config';
import { retry } from '../retry';
import { EVENT_SOURCE, type DomainEvent } from '../domain/events';
import { instrumentClient } from '../observability/aws-sdk';
import { log } from '../observability/log';
import { count, METRIC } from '../observability/metrics';

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
        log.warn('PutEvents failed', { error, attempt });
      }
      return pending.length === 0;
    });
    if (pending.length > 0) {
      // The stream or the queue will deliver the records again; counted so that an alarm sees it happen.
      log.error('Events not published after retries', { failed: pending.length, of: events.length });
      count(METRIC.eventsPublishFailed, undefined, pending.length);
    }
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
  return new EventBridgePublisher(
    instrumentClient(new EventBridgeClient(endpoint ? { endpoint } : {})),
    busName,
  );
}
