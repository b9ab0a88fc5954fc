import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Device, DeviceError, newDeviceKey, type DeviceState } from './client';

const USAGE = `Usage: npm run device -- <command> [--state <file>]

A device that speaks the Verify Push SDK protocol, for trying push factors without a phone.

Commands:
  init --url <baseUrl> --service VA… --identity <id>
                            a new P-256 device key; prints its public key
  enroll --token <access token> [--name <friendly name>]
                            creates the push factor and verifies it, as the SDKs do
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
export async function runDevice(argv: string[]): Promise<string> {
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
      await device.createFactor(need(values.token, '--token'), values.name);
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
    case 'show': {
      const { privateKey, ...rest } = load(file);
      return JSON.stringify({ ...rest, publicKey: new Device({ ...rest, privateKey }).publicKey }, null, 2);
    }
    default:
      throw new Error(command ? `Unknown command ${command}\n\n${USAGE}` : USAGE);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDevice(process.argv.slice(2)).then(
    (output) => console.log(output),
    (error: unknown) => {
      if (error instanceof DeviceError) {
        const { code = '-', message = 'no message' } = error.body ?? {};
        console.error(`Error ${String(code)} (HTTP ${error.status}): ${String(message)}`);
      } else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
