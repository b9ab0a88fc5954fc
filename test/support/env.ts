import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LOCAL_AWS_ENV } from '../../infra/local/dynamodb';
import { setLogSink } from '../../shared/observability/log';

// Runs in every test worker before its test file is imported, so module-scope clients see these.
const keyDir = mkdtempSync(join(tmpdir(), 'verify-test-'));
writeFileSync(join(keyDir, 'master.key'), randomBytes(32).toString('base64'));

Object.assign(process.env, LOCAL_AWS_ENV, {
  TABLE_NAME: 'verify-test',
  DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
  LOCAL_MASTER_KEY_FILE: join(keyDir, 'master.key'),
});

// Function log lines: only errors are printed during tests (security events, e.g. every 401 the fuzz test
// provokes, would drown the output); tests that look at log lines capture them (test/support/logs.ts).
setLogSink((line, kind) => {
  if (kind === 'ERROR') process.stderr.write(`${line}\n`);
});
