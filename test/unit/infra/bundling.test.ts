import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/cdk/api-function';
import { BUNDLE_ENTRY_FILE, bundleFunction, eagerFiles } from '../../../infra/cdk/bundling';

const out = mkdtempSync(join(tmpdir(), 'bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('function bundles', () => {
  // UpdateChallenge opens TOTP secrets, so it bundles the KMS client, behind `import('./kms')`.
  const dir = join(out, 'update-challenge');
  bundleFunction(join(REPO_ROOT, 'functions/challenges/update.ts'), dir);
  const text = (files: Iterable<string>) =>
    [...files].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  // A string only the KMS client's code holds (its service's signing name and endpoint prefix).
  const kmsMarker = 'TrentService';

  it('keeps the KMS client out of what a cold start reads, in a chunk loaded on first use', () => {
    const eager = eagerFiles(dir);
    expect(eager.has(BUNDLE_ENTRY_FILE)).toBe(true);
    expect(text(eager)).not.toContain(kmsMarker);
    const lazy = readdirSync(dir).filter((f) => !eager.has(f));
    expect(text(lazy)).toContain(kmsMarker);
  });

  it('keeps the SQS client, which only a retried or dead-lettered webhook needs, out of the delivery cold start', () => {
    const delivery = join(out, 'webhook-delivery');
    bundleFunction(join(REPO_ROOT, 'functions/webhook-delivery/handler.ts'), delivery);
    const read = (files: Iterable<string>) =>
      [...files].map((f) => readFileSync(join(delivery, f), 'utf8')).join('\n');
    const eager = eagerFiles(delivery);
    expect(read(eager)).not.toContain('AmazonSQS');
    expect(read(readdirSync(delivery).filter((f) => !eager.has(f)))).toContain('AmazonSQS');
  });

  it('exports the handler from index.mjs, and every chunk it imports is in the bundle', async () => {
    const env = { TABLE_NAME: 't', AWS_REGION: 'us-east-1', KMS_KEY_ID: 'arn:aws:kms:us-east-1:1:key/k' };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const module = (await import(pathToFileURL(join(dir, BUNDLE_ENTRY_FILE)).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
