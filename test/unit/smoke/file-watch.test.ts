import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventWatch } from '../../../infra/smoke/events';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const line = (id: string, account = ACCOUNT) =>
  `${JSON.stringify({ id, 'detail-type': 'factor.created', source: 'verify-push-totp', detail: { account_sid: account } })}\n`;

describe('the local event watch (the sink’s JSONL file)', () => {
  it('hands over the account’s events appended after start, whole lines only, and rereads a replaced file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smoke-watch-')), 'events.jsonl');
    writeFileSync(file, line('before'));
    const watch = new FileEventWatch(file, ACCOUNT);
    await watch.start();
    const half = line('2');
    appendFileSync(file, line('1') + line('other', `AC${'b'.repeat(32)}`) + 'not json\n' + half.slice(0, 10));
    expect((await watch.poll(0)).map((e) => e.id)).toEqual(['1']);
    appendFileSync(file, half.slice(10));
    expect((await watch.poll(0)).map((e) => e.id)).toEqual(['2']);
    expect(await watch.poll(150)).toEqual([]);
    writeFileSync(file, line('3'));
    expect((await watch.poll(0)).map((e) => e.id)).toEqual(['3']);
  });

  it('watches a file that does not exist yet', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smoke-watch-')), 'events.jsonl');
    const watch = new FileEventWatch(file, ACCOUNT);
    await watch.start();
    expect(await watch.poll(0)).toEqual([]);
    writeFileSync(file, line('1'));
    expect((await watch.poll(0)).map((e) => e.id)).toEqual(['1']);
  });
});
