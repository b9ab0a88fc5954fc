/**
 * The one table definition. The CDK stack and the local runtime both build their table from it, so the
 * deployed and the local schema cannot drift.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after it passes. */
  timeToLiveAttribute: 'expiresAt',
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /**
   * A sparse index of the pending challenges by the minute they expire (`expiryBucket`, see
   * `shared/store/expiry.ts`): the expiry sweeper queries the buckets that are due instead of scanning.
   * A challenge leaves it when it is answered or expired (the attribute is removed). It projects what
   * the sweeper needs to address the challenge.
   */
  expiryIndex: {
    name: 'expiry',
    partitionKey: 'expiryBucket',
    sortKey: 'expirationDate',
    nonKeyAttributes: ['accountSid', 'serviceSid', 'identity', 'sid'],
  },
} as const;

/** The expiry index as `CreateTable` and `UpdateTable` take it. */
export const expiryIndexInput = () => ({
  IndexName: TABLE.expiryIndex.name,
  KeySchema: [
    { AttributeName: TABLE.expiryIndex.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: TABLE.expiryIndex.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: {
    ProjectionType: 'INCLUDE' as const,
    NonKeyAttributes: [...TABLE.expiryIndex.nonKeyAttributes],
  },
});

const expiryIndexAttributes = [
  { AttributeName: TABLE.expiryIndex.partitionKey, AttributeType: 'S' as const },
  { AttributeName: TABLE.expiryIndex.sortKey, AttributeType: 'S' as const },
];

/** `CreateTable` input for DynamoDB Local (on AWS the CDK stack creates the table). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' as const },
      ...expiryIndexAttributes,
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [expiryIndexInput()],
    BillingMode: 'PAY_PER_REQUEST' as const,
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}

/** `UpdateTable` input adding the expiry index to a table created before it existed (DynamoDB Local data). */
export function addExpiryIndexInput(tableName: string) {
  return {
    TableName: tableName,
    AttributeDefinitions: expiryIndexAttributes,
    GlobalSecondaryIndexUpdates: [{ Create: expiryIndexInput() }],
  };
}
