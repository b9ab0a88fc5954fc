import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sidPattern } from '../../shared/domain/sid';

/** What `npm run demo` is configured with (from the environment, as `npm start` is). */
export interface DemoSettings {
  /** The port the page is served on, at http://localhost:<port> (0: any free port). */
  port: number;
  /** The Verify API the demo's backend calls with twilio-node. */
  verifyUrl: string;
  account: { sid: string; authToken: string };
  /** Where the demo keeps the SID of the Verify service it created (`demo-service.json`). */
  dir: string;
  /** The local event bus's file, shown in the events panel. */
  eventsFile: string;
  /** The push file `npm run device -- watch` follows, when it is not the default. */
  pushFile?: string;
}

const ACCOUNT_HELP =
  'run `npm start` once (it creates .local/account.json), or set LOCAL_ACCOUNT_SID and LOCAL_AUTH_TOKEN';

/**
 * The account `npm start` serves: `LOCAL_ACCOUNT_SID` + `LOCAL_AUTH_TOKEN` when both are set, else
 * `<dir>/account.json` (written by `npm start`). Read only: the demo never makes an account.
 */
export function demoAccount(env: Record<string, string | undefined>, dir: string) {
  const { LOCAL_ACCOUNT_SID: sid, LOCAL_AUTH_TOKEN: authToken } = env;
  if (sid && authToken) {
    if (!sidPattern('AC').test(sid))
      throw new Error('LOCAL_ACCOUNT_SID must be AC followed by 32 hex digits');
    return { sid, authToken };
  }
  const file = join(dir, 'account.json');
  if (!existsSync(file)) throw new Error(`No account in ${file}: ${ACCOUNT_HELP}`);
  const account = JSON.parse(readFileSync(file, 'utf8')) as { sid?: unknown; authToken?: unknown };
  if (typeof account.sid !== 'string' || typeof account.authToken !== 'string') {
    throw new Error(`${file} holds no account: ${ACCOUNT_HELP}`);
  }
  return { sid: account.sid, authToken: account.authToken };
}

/** `DEMO_PORT` (3001), `VERIFY_URL` (http://127.0.0.1:3000), the account and files as `npm start` has them. */
export function demoSettings(env: Record<string, string | undefined> = process.env): DemoSettings {
  const port = Number(env.DEMO_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('DEMO_PORT must be a port number');
  const verifyUrl = (env.VERIFY_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(verifyUrl)) {
    throw new Error('VERIFY_URL must be the service base URL, like http://127.0.0.1:3000');
  }
  const dir = resolve(env.LOCAL_DIR || '.local');
  return {
    port,
    verifyUrl,
    account: demoAccount(env, dir),
    dir,
    eventsFile: resolve(env.LOCAL_EVENTS_FILE || join(dir, 'events.jsonl')),
    pushFile: env.LOCAL_PUSH_FILE || undefined,
  };
}
