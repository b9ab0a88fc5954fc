import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config';
import { TWILIO_ERRORS } from '../../shared/http/errors';
import { eventValidator } from '../support/stream-records';

/** What the README says about settings, errors and events, checked against the code so it stays true. */
const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readme = read('README.md');

/** The text of a `## …` section up to the next one. */
const section = (title: string) => {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, title).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

/** Every `code`-quoted name in the first column of the table after `<!-- settings -->`. */
function settingsTableNames(): Set<string> {
  const table = section('Settings').split('<!-- settings -->')[1]!;
  const names = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  return new Set(names);
}

describe('the README', () => {
  it('lists every setting in its one Settings table: the functions’, npm start’s and the CDK context’s', () => {
    const names = settingsTableNames();
    const functions = Object.values(ENV);
    const cdk = [...read('infra/cdk/settings.ts').matchAll(/context\(\s*'(\w+)'|\(context, '(\w+)'/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    const local = ['infra/local/start.ts', 'infra/local/runtime.ts', 'infra/admin/cli.ts']
      .map(read)
      .flatMap((code) => [
        ...[...code.matchAll(/process\.env\.([A-Z][A-Z_]+)/g)].map((m) => m[1]!),
        ...[...code.matchAll(/\benv\.([A-Z][A-Z_]+)/g)].map((m) => m[1]!),
        ...[...code.matchAll(/\{([^}]*)\}\s*=\s*process\.env/g)].flatMap((m) =>
          [...m[1]!.matchAll(/\b([A-Z][A-Z_]+)\b/g)].map((n) => n[1]!),
        ),
      ]);
    expect(cdk.length).toBeGreaterThanOrEqual(10);
    expect(local).toEqual(expect.arrayContaining(['PORT', 'LOCAL_DIR', 'LOCAL_ACCOUNT_SID']));
    const missing = [...new Set([...functions, ...cdk, ...local])].filter((name) => !names.has(name));
    expect(missing).toEqual([]);
  });

  it('has a row in its errors table for every error code the service answers', () => {
    const table = readme.slice(readme.indexOf('\n### Errors\n'), readme.indexOf('\n## Credentials\n'));
    const rows = new Set([...table.matchAll(/^\| (\d{5}) \| (\d{3}) /gm)].map((m) => `${m[1]} ${m[2]}`));
    const answered = new Set(Object.values(TWILIO_ERRORS).map(({ code, status }) => `${code} ${status}`));
    expect([...answered].filter((row) => !rows.has(row))).toEqual([]);
  });

  it('shows one example event of each family, each valid against the JSON Schema of its type', () => {
    const validate = eventValidator();
    const examples = [...readme.matchAll(/<!-- example-event -->\s*```json\n([\s\S]*?)```/g)].map(
      (m) => JSON.parse(m[1]!) as { 'detail-type': string },
    );
    expect(examples.map((e) => e['detail-type'].split('.')[0]).sort()).toEqual([
      'billing',
      'challenge',
      'factor',
    ]);
    for (const event of examples)
      expect([event['detail-type'], validate(event)]).toEqual([event['detail-type'], []]);
    // Each family has schemas to validate against.
    const schemas = readdirSync(join(ROOT, 'shared/events/schemas'));
    for (const event of examples) expect(schemas).toContain(`${event['detail-type']}.json`);
  });
});
