import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AwsEventWatch, FileEventWatch, type EventWatch } from './events';
import { formatReport } from './report';
import { runSmoke } from './run';

export const USAGE = `Usage: npm run smoke -- --url <ApiUrl> --account AC… (--token <auth token> | --api-key SK… --api-secret <secret>)
                        (--bus <EventBusName> [--region <region>] | --events-file <path>)
                        [--origin <origin>] [--wait <seconds>] [--settle <seconds>]

Runs the essential flows against a deployed API with twilio-node and a Verify Push SDK-style device, watches
the bus for their events, checks CORS and hostile requests, prints a pass/fail table, removes everything it
created, and exits with status 1 when any check failed.

  --url          the API's base URL (the stack output ApiUrl)
  --account      the account SID (or $ACCOUNT_SID)
  --token        its auth token (or $AUTH_TOKEN)
  --api-key      an API key SID instead of the auth token, with --api-secret (or $API_SECRET)
  --bus          the stack output EventBusName: watched through a temporary EventBridge rule → SQS queue,
                 created and removed with your AWS credentials (the usual AWS_* variables or profile)
  --region       the AWS region of the bus (default: your AWS configuration's)
  --events-file  instead of --bus: npm start's events file (.local/events.jsonl or $LOCAL_EVENTS_FILE)
  --origin       the Origin of the CORS checks; one of allowedOrigins unless that is * (default
                 https://smoke-test.example)
  --wait         seconds to wait for the events (default 60)
  --settle       seconds to wait after creating the rule, before the first write (default 10 with --bus,
                 0 with --events-file): EventBridge applies a new rule after a short while

Secrets on a command line are visible to other local users: prefer the environment variables.`;

class UsageError extends Error {}

const seconds = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined) return fallback * 1000;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number > 900) throw new UsageError(`${name} must be 0 to 900 seconds`);
  return number * 1000;
};

/** The options, or a usage error naming what is wrong. */
export function parseSmokeArgs(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      url: { type: 'string' },
      account: { type: 'string' },
      token: { type: 'string' },
      'api-key': { type: 'string' },
      'api-secret': { type: 'string' },
      bus: { type: 'string' },
      region: { type: 'string' },
      'events-file': { type: 'string' },
      origin: { type: 'string', default: 'https://smoke-test.example' },
      wait: { type: 'string' },
      settle: { type: 'string' },
    },
  });
  if (values.help) return { help: true as const };
  const url = values.url?.replace(/\/+$/, '');
  if (!url || !/^https?:\/\/[^/]/.test(url))
    throw new UsageError('--url must be the API base URL (http(s)://…)');
  const accountSid = values.account ?? env.ACCOUNT_SID;
  if (!accountSid || !/^AC[0-9a-f]{32}$/.test(accountSid)) {
    throw new UsageError('--account must be the account SID (AC followed by 32 hex digits)');
  }
  const apiKey = values['api-key'];
  if (apiKey !== undefined && !/^SK[0-9a-f]{32}$/.test(apiKey)) {
    throw new UsageError('--api-key must be an API key SID (SK followed by 32 hex digits)');
  }
  const username = apiKey ?? accountSid;
  const password = apiKey ? (values['api-secret'] ?? env.API_SECRET) : (values.token ?? env.AUTH_TOKEN);
  if (!password) {
    throw new UsageError(
      apiKey ? '--api-secret (or $API_SECRET) is required' : '--token (or $AUTH_TOKEN) is required',
    );
  }
  const { bus } = values;
  const eventsFile = values['events-file'];
  if (Boolean(bus) === Boolean(eventsFile)) {
    throw new UsageError('Give --bus (a deployed stack) or --events-file (npm start), one of them');
  }
  let origin: string;
  try {
    origin = new URL(values.origin).origin;
  } catch {
    throw new UsageError('--origin must be an origin, like https://app.example');
  }
  return {
    help: false as const,
    url,
    accountSid,
    username,
    password,
    origin,
    bus,
    region: values.region,
    eventsFile,
    eventWaitMs: seconds(values.wait, 60, '--wait'),
    settleMs: seconds(values.settle, bus ? 10 : 0, '--settle'),
  };
}

/** Runs the smoke test as the command line asks; answers the exit status (0 all passed, 1 failed, 2 usage). */
export async function main(
  argv: string[],
  io: { print: (line: string) => void; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {
    print: console.log,
  },
): Promise<number> {
  let options: ReturnType<typeof parseSmokeArgs>;
  try {
    options = parseSmokeArgs(argv, io.env ?? process.env);
  } catch (error) {
    io.print(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.print(USAGE);
    return 0;
  }
  const watch: EventWatch = options.bus
    ? new AwsEventWatch({ bus: options.bus, accountSid: options.accountSid, region: options.region })
    : new FileEventWatch(options.eventsFile!, options.accountSid);
  io.print(`Smoke test of ${options.url} (account ${options.accountSid})`);
  const results = await runSmoke({ ...options, watch, signal: io.signal, log: io.print });
  io.print(formatReport(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Ctrl+C stops the checks; the cleanup still runs (a second Ctrl+C exits at once).
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    console.log('\nInterrupted: cleaning up…');
    interrupt.abort(new Error('interrupted'));
    process.once('SIGINT', () => process.exit(130));
  });
  main(process.argv.slice(2), { print: console.log, signal: interrupt.signal }).then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
