import { describe, expect, it } from 'vitest';
import { parseSmokeArgs } from '../../../infra/smoke/cli';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const KEY = `SK${'b'.repeat(32)}`;
const URL = 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/';

describe('npm run smoke options', () => {
  it('takes the account and its secret from the environment, and the defaults for a deployed bus', () => {
    const options = parseSmokeArgs(['--url', URL, '--bus', 'verify-bus'], {
      ACCOUNT_SID: ACCOUNT,
      AUTH_TOKEN: 'f'.repeat(32),
    });
    expect(options).toMatchObject({
      url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      accountSid: ACCOUNT,
      username: ACCOUNT,
      password: 'f'.repeat(32),
      bus: 'verify-bus',
      origin: 'https://smoke-test.example',
      eventWaitMs: 60_000,
      settleMs: 10_000,
    });
  });

  it('authenticates with an API key and its secret when given one; locally it does not wait for a rule', () => {
    const options = parseSmokeArgs(
      ['--url', URL, '--account', ACCOUNT, '--api-key', KEY, '--events-file', 'e.jsonl', '--wait', '5'],
      { API_SECRET: 'c'.repeat(32), AUTH_TOKEN: 'f'.repeat(32) },
    );
    expect(options).toMatchObject({
      username: KEY,
      password: 'c'.repeat(32),
      eventWaitMs: 5000,
      settleMs: 0,
    });
  });

  it.each([
    [['--account', ACCOUNT, '--token', 't', '--bus', 'b'], /^--url must be/],
    [['--url', URL, '--account', 'AC1', '--token', 't', '--bus', 'b'], /^--account must be/],
    [['--url', URL, '--account', ACCOUNT, '--bus', 'b'], /^--token \(or \$AUTH_TOKEN\) is required/],
    [['--url', URL, '--account', ACCOUNT, '--api-key', KEY, '--bus', 'b'], /^--api-secret/],
    [
      ['--url', URL, '--account', ACCOUNT, '--api-key', 'SK1', '--api-secret', 's', '--bus', 'b'],
      /^--api-key must/,
    ],
    [['--url', URL, '--account', ACCOUNT, '--token', 't'], /^Give --bus .* or --events-file/],
    [['--url', URL, '--account', ACCOUNT, '--token', 't', '--bus', 'b', '--events-file', 'f'], /^Give --bus/],
    [['--url', URL, '--account', ACCOUNT, '--token', 't', '--bus', 'b', '--wait', 'soon'], /^--wait must be/],
    [
      ['--url', URL, '--account', ACCOUNT, '--token', 't', '--bus', 'b', '--origin', 'nope'],
      /^--origin must/,
    ],
    [['--url', URL, '--unknown'], /Unknown option '--unknown'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSmokeArgs(argv, {})).toThrow(message);
  });
});
