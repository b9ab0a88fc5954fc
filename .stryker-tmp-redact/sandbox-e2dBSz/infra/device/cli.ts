// @ts-nocheck
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Device, DeviceError, newDeviceKey, newNotificationToken, type DeviceState } from './client';
import { watch } from './watch';

const USAGE = `Usage: npm run device -- <command> [--state <file>]

A device that speaks the Verify Push SDK protocol, for trying push factors without a phone.

Commands:
  init --url <baseUrl> --service VA… --identity <id>
                            a new P-256 device key; prints its public key
  enroll --token <access token> [--name <friendly name>] [--platform apn|fcm|none] [--push-token <t>]
                            creates the push factor and verifies it, as the SDKs do; with
                            --platform apn or fcm it gets pushes (a token is made up unless given)
  watch [--approve | --deny] [--once] [--pushes <file>]
                            waits for pushes to this device's token (npm start's local providers
                            write them to --pushes, default $LOCAL_PUSH_FILE or .local/pushes.jsonl)
                            and prints each challenge; answers it when asked to, or asks on a terminal
  challenges [--status pending|approved|denied|expired]
                            the factor's challenges (default: pending), newest first
  approve <YC…>             approves a pending challenge, signed as the SDKs sign it
  deny <YC…>                denies a pending challenge
  show                      the device state, without the private key

--state defaults to .local/device.json (it holds the private key; mode 0600).`;

const load = (file: string): DeviceState => {
  if (!existsSync(file)) throw new Error(`No device state in ${file}: run init first`);
  return JSON.parse(readFileSync(file, 'utf8')) as DeviceState;
};

const save = (file: string, state: DeviceState) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
};

const enrolled = (file: string) => {
  const device = new Device(load(file));
  if (!device.state.factorSid) throw new Error('The device has no factor yet: run enroll first');
  return device;
};

/** One challenge as `challenges` lists it: sid, status, message, expiration. */
const line = (c: Record<string, unknown>) => {
  const message = (c.details as { message?: string } | null)?.message ?? '';
  return `${String(c.sid)}  ${String(c.status)}  ${JSON.stringify(message)}  expires ${String(c.expiration_date)}`;
};

const need = (value: string | undefined, what: string) => {
  if (!value) throw new Error(`Missing ${what}\n\n${USAGE}`);
  return value;
};

/** Runs one device command and returns what it prints. Exported for tests. */
export async function runDevice(
  argv: string[],
  io: { print: (line: string) => void; ask?: (question: string) => Promise<string>; signal?: AbortSignal } = {
    print: console.log,
  },
): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      state: { type: 'string', default: '.local/device.json' },
      url: { type: 'string' },
      service: { type: 'string' },
      identity: { type: 'string' },
      token: { type: 'string' },
      name: { type: 'string', default: 'Device CLI' },
      status: { type: 'string', default: 'pending' },
      platform: { type: 'string', default: 'none' },
      'push-token': { type: 'string' },
      pushes: { type: 'string', default: process.env.LOCAL_PUSH_FILE ?? '.local/pushes.jsonl' },
      approve: { type: 'boolean', default: false },
      deny: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
    },
  });
  const [command, sid] = positionals;
  const file = values.state;

  switch (command) {
    case 'init': {
      const device = new Device({
        baseUrl: need(values.url, '--url').replace(/\/+$/, ''),
        serviceSid: need(values.service, '--service'),
        identity: need(values.identity, '--identity'),
        privateKey: newDeviceKey(),
      });
      save(file, device.state);
      return `Device key saved in ${file}\nPublic key: ${device.publicKey}`;
    }
    case 'enroll': {
      const device = new Device(load(file));
      const platform = values.platform;
      if (!['apn', 'fcm', 'none'].includes(platform)) throw new Error('--platform must be apn, fcm or none');
      const push =
        platform === 'none'
          ? undefined
          : {
              platform: platform as 'apn' | 'fcm',
              token: values['push-token'] ?? newNotificationToken(platform as 'apn' | 'fcm'),
            };
      await device.createFactor(need(values.token, '--token'), values.name, push);
      save(file, device.state);
      const factor = await device.verifyFactor();
      return `Factor SID: ${device.state.factorSid}\nStatus:     ${String(factor.status)}`;
    }
    case 'challenges': {
      const challenges = await enrolled(file).listChallenges(values.status);
      if (challenges.length === 0) return `No ${values.status} challenges`;
      return challenges.map(line).join('\n');
    }
    case 'approve':
    case 'deny': {
      const challengeSid = need(sid, 'the challenge SID (YC…)');
      const after = await enrolled(file).answer(challengeSid, command === 'approve' ? 'approved' : 'denied');
      return `${challengeSid} ${String(after.status)}`;
    }
    case 'watch': {
      if (values.approve && values.deny) throw new Error('Give --approve or --deny, not both');
      const answer = values.approve ? 'approve' : values.deny ? 'deny' : undefined;
      return watch(enrolled(file), values.pushes, { ...io, answer, once: values.once });
    }
    case 'show': {
      const { privateKey, ...rest } = load(file);
      return JSON.stringify({ ...rest, publicKey: new Device({ ...rest, privateKey }).publicKey }, null, 2);
    }
    default:
      throw new Error(command ? `Unknown command ${command}\n\n${USAGE}` : USAGE);
  }
}

/** On a terminal, `watch` asks what to do with each challenge. */
function terminalQuestions() {
  if (!process.stdin.isTTY) return undefined;
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  return (question: string) => new Promise<string>((resolve) => lines.question(question, resolve));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDevice(process.argv.slice(2), { print: console.log, ask: terminalQuestions() }).then(
    (output) => {
      console.log(output);
      process.exit(0);
    },
    (error: unknown) => {
      if (error instanceof DeviceError) {
        const { code = '-', message = 'no message' } = error.body ?? {};
        console.error(`Error ${String(code)} (HTTP ${error.status}): ${String(message)}`);
      } else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
