// @ts-nocheck
import type { TestProject } from 'vitest/node';
import { ensureTable, startDynamoDbLocal } from '../../infra/local/dynamodb';

export const TEST_TABLE = 'verify-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** Starts DynamoDB Local (in memory) once for the run and creates the table from the shared definition. */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoDbLocal();
  await ensureTable(dynamo.endpoint, TEST_TABLE);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
