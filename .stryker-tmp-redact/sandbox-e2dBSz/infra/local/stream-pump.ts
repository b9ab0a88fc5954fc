// @ts-nocheck
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as RawRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { matchesAnyPattern } from '../../shared/events/filter-match';
import { STREAM_FILTER_PATTERNS } from '../../shared/events/filters';
import { LOCAL_AWS_ENV, localDynamoClient } from './dynamodb';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPumpOptions {
  endpoint: string;
  tableName: string;
  /**
   * Start the shards open now at LATEST instead of TRIM_HORIZON. For a table that persisted across
   * restarts: its stream still holds the last 24 hours, which were delivered by the previous run.
   */
  fromLatest?: boolean;
  onError?: (error: unknown) => void;
  /** The consumer (`functions/stream/handler.ts`'s `build`, with the runtime's dependencies, by default). */
  handler: StreamHandler;
  /**
   * The filter patterns of the consumer's event source mapping: the stream handler's by default. Each
   * consumer (the stream handler, the deleter) runs a pump of its own, as each has a mapping of its own on
   * AWS: both read every record and each gets those its filters select.
   */
  filters?: readonly Record<string, unknown>[];
}

// As the event source mapping in infra/cdk/event-pipeline.ts: batches of 100, 5 retries.
const BATCH_SIZE = 100;
const MAX_RETRIES = 5;
const RETRY_BASE_MS = 200;
const IDLE_MS = 250;
const DISCOVER_EVERY_MS = 10_000;

const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

interface Shard {
  id: string;
  parentId?: string;
  start: ShardIteratorType;
  iterator?: string;
  /** The last sequence number read, to pick up again after an iterator expired. */
  lastRead?: string;
  /** Read to its end (closed, or skipped); done once its pending records are delivered too. */
  ended: boolean;
  /** Filtered records not yet delivered: a batch, or what is left of it to retry. */
  pending: DynamoDBRecord[];
  attempts: number;
  retryAt: number;
}

/**
 * A stream record as Lambda delivers it. DynamoDB Local writes TTL deletions as `UNKNOWN_TO_SDK_VERSION`
 * without `userIdentity`; AWS writes `REMOVE` by the DynamoDB service, so they are made to look like that.
 * (The SDK returns `ApproximateCreationDateTime` as a Date; Lambda has epoch seconds. The table holds no
 * binary attributes, so attribute values need no Base64 conversion.)
 */
export function toLambdaRecord(raw: RawRecord, streamArn: string): DynamoDBRecord {
  const ttl = (raw.eventName as string) === 'UNKNOWN_TO_SDK_VERSION';
  const d = raw.dynamodb ?? {};
  const identity = raw.userIdentity && {
    type: raw.userIdentity.Type,
    principalId: raw.userIdentity.PrincipalId,
  };
  const image = (value: unknown) => value as StreamRecord['Keys'];
  return {
    eventID: raw.eventID,
    eventName: ttl ? 'REMOVE' : raw.eventName,
    eventVersion: raw.eventVersion,
    eventSource: raw.eventSource ?? 'aws:dynamodb',
    awsRegion: raw.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: image(d.Keys),
      NewImage: image(d.NewImage),
      OldImage: image(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
    ...(ttl ? { userIdentity: TTL_IDENTITY } : identity ? { userIdentity: identity } : {}),
  };
}

/**
 * DynamoDB Local's table stream → a consumer (the stream handler, or the deleter), as its event source
 * mapping does it on AWS: the same filter patterns, batches of up to 100 records per shard, shards in order (a child after its
 * parent), partial batch responses honoured by delivering again from the lowest failed record, and after
 * 5 retries the rest of the batch logged and dropped (on AWS: sent to the on-failure queue).
 */
export async function startStreamPump(options: StreamPumpOptions): Promise<{ stop(): Promise<void> }> {
  const { endpoint, tableName, onError = (error) => console.error('stream pump:', error) } = options;
  const ddb = localDynamoClient(endpoint);
  const { Table } = await ddb
    .send(new DescribeTableCommand({ TableName: tableName }))
    .finally(() => ddb.destroy());
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${tableName} has no stream`);
  const { handler, filters = STREAM_FILTER_PATTERNS } = options;
  const client = new DynamoDBStreamsClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });

  const shards = new Map<string, Shard>();
  let nextDiscovery = 0;

  const iteratorFor = async (shard: Shard) => {
    const after = shard.lastRead
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastRead }
      : { ShardIteratorType: shard.start };
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ...after }),
    );
    return ShardIterator;
  };

  /** New shards: the ones open at the first look start at LATEST when `fromLatest`; later ones at their start. */
  const discover = async (first: boolean) => {
    let from: string | undefined;
    do {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: from }),
      );
      for (const { ShardId, ParentShardId, SequenceNumberRange } of StreamDescription?.Shards ?? []) {
        if (!ShardId || shards.has(ShardId)) continue;
        const closed = SequenceNumberRange?.EndingSequenceNumber !== undefined;
        const latest = first && options.fromLatest;
        const shard: Shard = {
          id: ShardId,
          parentId: ParentShardId,
          start: latest ? 'LATEST' : 'TRIM_HORIZON',
          ended: Boolean(latest && closed),
          pending: [],
          attempts: 0,
          retryAt: 0,
        };
        // LATEST means now, so take that iterator now rather than at the first read.
        if (latest && !closed) shard.iterator = await iteratorFor(shard);
        shards.set(ShardId, shard);
      }
      from = StreamDescription?.LastEvaluatedShardId;
    } while (from);
    nextDiscovery = Date.now() + DISCOVER_EVERY_MS;
  };

  const deliver = async (shard: Shard) => {
    const batch = shard.pending;
    let failedFrom = 0;
    try {
      const response = await handler({ Records: batch });
      const failed = new Set(response?.batchItemFailures.map((failure) => failure.itemIdentifier));
      const index = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      // As Lambda: an identifier that is not in the batch fails the whole batch.
      failedFrom = failed.size === 0 ? batch.length : index < 0 ? 0 : index;
    } catch (error) {
      onError(error);
    }
    shard.pending = batch.slice(failedFrom);
    if (shard.pending.length === 0) {
      shard.attempts = 0;
    } else if (shard.attempts++ < MAX_RETRIES) {
      shard.retryAt = Date.now() + RETRY_BASE_MS * 2 ** (shard.attempts - 1);
    } else {
      const sequenceNumbers = shard.pending.map((record) => record.dynamodb?.SequenceNumber);
      onError(
        new Error(`Dropped after ${MAX_RETRIES} retries: shard ${shard.id}, records ${sequenceNumbers}`),
      );
      shard.pending = [];
      shard.attempts = 0;
    }
  };

  const isDone = (shard: Shard) => shard.ended && shard.pending.length === 0;

  /** Reads the shard's next page into `pending`; whether it had records. */
  const read = async (shard: Shard) => {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) return false;
    let page;
    try {
      page = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: BATCH_SIZE }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException)) throw error;
      shard.iterator = await iteratorFor(shard);
      return true;
    }
    const records = page.Records ?? [];
    shard.iterator = page.NextShardIterator;
    shard.lastRead = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastRead;
    shard.pending = records
      .map((raw) => toLambdaRecord(raw, streamArn))
      .filter((record) => matchesAnyPattern(record, filters));
    return records.length > 0;
  };

  /** One step for a shard: deliver the batch due, or read the next page; whether there was anything to do. */
  const step = async (shard: Shard): Promise<boolean> => {
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    if (isDone(shard) || (parent && !isDone(parent)) || Date.now() < shard.retryAt) return false;
    let busy = true;
    if (shard.pending.length === 0) {
      busy = await read(shard);
      if (!shard.iterator) {
        // A closed shard: its children are there to find.
        shard.ended = true;
        nextDiscovery = 0;
      }
    }
    if (shard.pending.length > 0) await deliver(shard);
    return busy;
  };

  await discover(true);
  let running = true;
  let wake = () => {};
  const idle = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, IDLE_MS);
    });
  const loop = (async () => {
    while (running) {
      let busy = false;
      try {
        if (Date.now() >= nextDiscovery) await discover(false);
        for (const shard of shards.values()) if (running) busy = (await step(shard)) || busy;
      } catch (error) {
        onError(error);
      }
      if (running && !busy) await idle();
    }
  })();

  return {
    stop: async () => {
      running = false;
      wake();
      await loop;
      client.destroy();
    },
  };
}
