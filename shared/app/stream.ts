import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Challenge } from '../domain/challenge';
import {
  challengeEvents,
  factorEvents,
  notificationRequests,
  type DomainEvent,
  type EventOptions,
} from '../domain/events';
import type { Factor } from '../domain/factor';
import { formatDate } from '../domain/time';
import { log } from '../observability/log';
import { count, METRIC, type MetricName } from '../observability/metrics';
import type { ChallengeStore, EventPublisher } from './ports';

export interface StreamDeps {
  publisher: EventPublisher;
  challenges: Pick<ChallengeStore, 'expire' | 'scheduleExpiry'>;
  options: EventOptions;
  now: () => Date;
}

const MAX_PER_CALL = 10;

type Image = Record<string, unknown>;
const image = (raw: unknown): Image | undefined =>
  raw ? unmarshall(raw as Parameters<typeof unmarshall>[0]) : undefined;

const isTtlRemoval = (record: DynamoDBRecord) =>
  record.eventName === 'REMOVE' &&
  record.userIdentity?.type === 'Service' &&
  record.userIdentity?.principalId === 'dynamodb.amazonaws.com';

/**
 * What one stream record means: events to publish (a push challenge's notification requests among them);
 * for a new pending challenge also its expiry timer; for
 * an expiry timer's TTL removal, a challenge to expire.
 */
async function handleRecord(record: DynamoDBRecord, deps: StreamDeps): Promise<DomainEvent[]> {
  const sortKey = record.dynamodb?.Keys?.sk?.S ?? '';
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  if (sortKey.startsWith('TIMER#')) {
    // The filter lets only TTL removals through; the check here keeps a user's delete from expiring anything.
    if (isTtlRemoval(record) && before) {
      const { accountSid, serviceSid, identity, challengeSid } = before as Record<string, string>;
      await deps.challenges.expire(
        { accountSid: accountSid!, serviceSid: serviceSid!, identity: identity!, sid: challengeSid! },
        deps.now(),
      );
    }
    return [];
  }
  if (sortKey.startsWith('CHALLENGE#') && after) {
    const challenge = after as unknown as Challenge;
    // A new pending challenge gets its expiry timer here, from the stream: the API writes one item, and
    // the stream's retries make sure the timer follows.
    if (!before && challenge.status === 'pending') await deps.challenges.scheduleExpiry(challenge);
    const previous = before as unknown as Challenge | undefined;
    return [
      ...challengeEvents(previous, challenge, deps.options),
      ...notificationRequests(previous, challenge),
    ];
  }
  if (sortKey.startsWith('FACTOR#')) {
    const removedAt = formatDate(new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000));
    return factorEvents(
      before as unknown as Factor | undefined,
      after as unknown as Factor | undefined,
      removedAt,
      deps.options,
    );
  }
  return [];
}

/** The business metrics the challenge events count (a redelivered batch counts its events again). */
const CHALLENGE_METRICS: Partial<Record<string, MetricName>> = {
  'challenge.created': METRIC.challengesCreated,
  'challenge.approved': METRIC.challengesApproved,
  'challenge.denied': METRIC.challengesDenied,
  'challenge.expired': METRIC.challengesExpired,
};

function countPublished(event: DomainEvent) {
  const metric = CHALLENGE_METRICS[event.type];
  if (metric) count(metric, String(event.detail.account_sid));
}

const subjectOf = (event: DomainEvent) => String(event.detail.challenge_sid ?? event.detail.factor_sid);

/**
 * One batch of table changes → events on the bus (the table is the outbox). Records are read in order;
 * events go out in order, up to 10 per PutEvents call. A record whose handling or publishing fails is
 * reported in `batchItemFailures` (so Lambda retries from it) without holding up the others, except that
 * once an event of a challenge or factor fails, that subject's later events wait for the retry too, so
 * they never overtake it. Redelivered events carry the same idempotency keys.
 */
export async function processStream(
  records: DynamoDBRecord[],
  deps: StreamDeps,
): Promise<DynamoDBBatchResponse> {
  const failed = new Set<number>();
  const queue: { event: DomainEvent; record: number }[] = [];
  for (const [index, record] of records.entries()) {
    try {
      for (const event of await handleRecord(record, deps)) queue.push({ event, record: index });
    } catch (error) {
      log.error('Stream record failed', { sequence: record.dynamodb?.SequenceNumber, error });
      failed.add(index);
    }
  }

  const failedSubjects = new Set<string>();
  let next = 0;
  while (next < queue.length) {
    const chunk: typeof queue = [];
    while (chunk.length < MAX_PER_CALL && next < queue.length) {
      const item = queue[next++]!;
      if (failed.has(item.record) || failedSubjects.has(subjectOf(item.event))) {
        failed.add(item.record);
        failedSubjects.add(subjectOf(item.event));
      } else {
        chunk.push(item);
      }
    }
    if (chunk.length === 0) continue;
    const unpublished = new Set(await deps.publisher.publish(chunk.map(({ event }) => event)));
    for (const [k, { event, record }] of chunk.entries()) {
      if (unpublished.has(k)) {
        failed.add(record);
        failedSubjects.add(subjectOf(event));
      } else {
        countPublished(event);
      }
    }
  }

  return {
    batchItemFailures: [...failed]
      .sort((a, b) => a - b)
      .map((index) => ({ itemIdentifier: records[index]!.dynamodb!.SequenceNumber! })),
  };
}
