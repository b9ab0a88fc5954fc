import { randomBytes, createPrivateKey } from 'node:crypto';
import { TOTP } from 'otpauth';
import twilio from 'twilio';
import { Device, newDeviceKey } from '../device/client';
import type { BusEvent, EventWatch } from './events';
import { basicAuth, corsChecks, hostileChecks } from './http-checks';
import { Checks, errorMessage, type CheckResult } from './report';
import { secretsIn, type Secret } from './secrets';

export interface SmokeOptions {
  /** The API's base URL (the stack's `ApiUrl`), without a trailing slash. */
  url: string;
  accountSid: string;
  /** The account SID with its auth token, or an API key SID (`SK…`) with its secret. */
  username: string;
  password: string;
  /** The `Origin` of the CORS checks. */
  origin: string;
  watch: EventWatch;
  /** How long to wait for the expected events. */
  eventWaitMs: number;
  /** How long to wait after setting the watch up before the first write (a new rule takes a moment). */
  settleMs: number;
  /** Aborting stops the checks; the cleanup still runs. */
  signal?: AbortSignal;
  /** Progress lines while it runs. */
  log?: (line: string) => void;
}

type Verify = ReturnType<typeof twilio>['verify']['v2'];

/** An event the smoke test's writes must produce, found by its SID. */
interface Expected {
  type: string;
  field: 'factor_sid' | 'challenge_sid';
  sid: string;
  label: string;
}

const EVENT_TYPES = [
  'factor.created',
  'factor.verified',
  'challenge.created',
  'challenge.approved',
  'billing.verification',
];

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), {
      once: true,
    });
  });
}

const httpStatus = (error: unknown) => (error as { status?: number }).status;

/** The ways the device's private key could show up in text: its PKCS#8 DER (Base64) and its scalar `d`. */
function deviceKeySecrets(pem: string): Secret[] {
  const key = createPrivateKey(pem);
  return [
    { kind: 'device private key', value: key.export({ format: 'der', type: 'pkcs8' }).toString('base64') },
    { kind: 'device private key', value: key.export({ format: 'jwk' }).d ?? '' },
  ];
}

/** One run of the smoke test: every check's result, cleanup included. */
export async function runSmoke(options: SmokeOptions): Promise<CheckResult[]> {
  const { url, accountSid, username, password, watch, signal } = options;
  const log = options.log ?? (() => {});
  const checks = new Checks(signal);
  const client = twilio(username, password, { accountSid });
  client.verify.baseUrl = url;
  const v2 = client.verify.v2;
  const run: RunState = {
    v2,
    url,
    checks,
    suffix: randomBytes(6).toString('hex'),
    secrets: [{ kind: username.startsWith('SK') ? 'API key secret' : 'auth token', value: password }],
    expected: [],
    identities: [],
  };
  let serviceSid: string | undefined;
  try {
    log(`Watching the bus: ${watch.description}`);
    const watching = await checks.run('event watch set up', () =>
      watch.start().then(() => watch.description),
    );
    if (!watching) return checks.results;
    if (options.settleMs > 0) await sleep(options.settleMs, signal);

    const service = await checks.run(
      'service created',
      () => v2.services.create({ friendlyName: `Smoke test ${run.suffix}`, 'totp.skew': 1 }),
      (s) => s.sid,
    );
    if (!service) return checks.results;
    serviceSid = service.value.sid;
    await totpFlow(run, serviceSid);
    await pushFlow(run, serviceSid);

    const target = { url, accountSid, authorization: basicAuth(username, password), origin: options.origin };
    await corsChecks(checks, target, `/v2/Services/${serviceSid}`);
    await hostileChecks(checks, target);

    log(`Waiting up to ${Math.round(options.eventWaitMs / 1000)} s for ${run.expected.length} events…`);
    await eventChecks(run, watch, serviceSid, options.eventWaitMs, signal);
  } catch (error) {
    // An interruption (Ctrl+C), or an answer without a field a flow needs: checks record their own failures.
    checks.fail('run', signal?.aborted ? 'interrupted' : errorMessage(error));
  } finally {
    if (serviceSid) {
      const sid = serviceSid;
      await checks.cleanup('cleanup: service deleted', () => deleteService(v2, sid));
    }
    await checks.cleanup('cleanup: event watch removed', () => watch.stop().then(() => watch.description));
  }
  return checks.results;
}

interface RunState {
  v2: Verify;
  url: string;
  checks: Checks;
  /** Makes this run's names unique. */
  suffix: string;
  /** Everything secret the run used, to look for in the events. */
  secrets: Secret[];
  expected: Expected[];
  identities: string[];
}

/** A TOTP factor verified with a real code, and a TOTP challenge approved with the next one. */
async function totpFlow(run: RunState, serviceSid: string) {
  const { checks, secrets, expected } = run;
  const identity = `smoke-totp-${run.suffix}`;
  run.identities.push(identity);
  const entity = run.v2.services(serviceSid).entities(identity);
  const created = await checks.run(
    'TOTP factor created',
    () => entity.newFactors.create({ friendlyName: 'Smoke test TOTP', factorType: 'totp' }),
    (f) => f.sid,
  );
  if (!created) return;
  const factor = created.value;
  const binding = factor.binding as { secret: string; uri: string };
  const config = factor.config as { time_step: number; code_length: number; alg: string };
  secrets.push({ kind: 'TOTP secret', value: binding.secret }, { kind: 'TOTP secret', value: binding.uri });
  expected.push({ type: 'factor.created', field: 'factor_sid', sid: factor.sid, label: 'TOTP factor' });
  const totp = new TOTP({
    secret: binding.secret,
    digits: config.code_length,
    period: config.time_step,
    algorithm: config.alg.toUpperCase(),
  });
  const now = Date.now();
  const code = totp.generate({ timestamp: now });
  // A code is accepted once per factor, and only for a time step later than the last accepted one (RFC 6238
  // §5.2): the challenge gets the next step's code, which the service's skew of 1 accepts already.
  const nextCode = totp.generate({
    timestamp: (Math.floor(now / 1000 / config.time_step) + 1) * config.time_step * 1000,
  });
  secrets.push({ kind: 'TOTP code', value: code }, { kind: 'TOTP code', value: nextCode });

  const verified = await checks.run('TOTP factor verified with a real code', async () => {
    const { status } = await entity.factors(factor.sid).update({ authPayload: code });
    if (status !== 'verified') throw new Error(`status ${status}`);
    return `${factor.sid} ${status}`;
  });
  if (!verified) return;
  expected.push({ type: 'factor.verified', field: 'factor_sid', sid: factor.sid, label: 'TOTP factor' });

  const challenge = await checks.run(
    'TOTP challenge created',
    () => entity.challenges.create({ factorSid: factor.sid }),
    (c) => `${c.sid} ${c.status}`,
  );
  if (!challenge) return;
  const challengeSid = challenge.value.sid;
  expected.push({
    type: 'challenge.created',
    field: 'challenge_sid',
    sid: challengeSid,
    label: 'TOTP challenge',
  });
  const approved = await checks.run('TOTP challenge approved with a code', async () => {
    const { status } = await entity.challenges(challengeSid).update({ authPayload: nextCode });
    if (status !== 'approved') throw new Error(`status ${status}`);
    return `${challengeSid} ${status}`;
  });
  if (!approved) return;
  for (const type of ['challenge.approved', 'billing.verification']) {
    expected.push({ type, field: 'challenge_sid', sid: challengeSid, label: 'TOTP challenge' });
  }
}

/**
 * A push factor enrolled by an SDK-style device (an access token, a P-256 key, the factor verified with a
 * signature), and a push challenge the device approves with its signed answer.
 */
async function pushFlow(run: RunState, serviceSid: string) {
  const { checks, secrets, expected } = run;
  const identity = `smoke-push-${run.suffix}`;
  run.identities.push(identity);
  const entity = run.v2.services(serviceSid).entities(identity);
  const issued = await checks.run(
    'access token issued',
    () => run.v2.services(serviceSid).accessTokens.create({ identity, factorType: 'push' }),
    (t) => t.sid,
  );
  if (!issued) return;
  const accessToken = issued.value.token;
  const privateKey = newDeviceKey();
  secrets.push({ kind: 'access token', value: accessToken }, ...deviceKeySecrets(privateKey));
  const device = new Device({ baseUrl: run.url, serviceSid, identity, privateKey });

  const created = await checks.run(
    'push factor created by the device',
    () => device.createFactor(accessToken, 'Smoke test device'),
    (f) => String(f.sid),
  );
  if (!created) return;
  const factorSid = device.state.factorSid!;
  expected.push({ type: 'factor.created', field: 'factor_sid', sid: factorSid, label: 'push factor' });
  const verified = await checks.run('push factor verified by the device', async () => {
    const { status } = await device.verifyFactor();
    if (status !== 'verified') throw new Error(`status ${String(status)}`);
    return `${factorSid} ${status}`;
  });
  if (!verified) return;
  expected.push({ type: 'factor.verified', field: 'factor_sid', sid: factorSid, label: 'push factor' });

  const challenge = await checks.run(
    'push challenge created',
    () => entity.challenges.create({ factorSid, 'details.message': 'Smoke test: approve this sign-in?' }),
    (c) => `${c.sid} ${c.status}`,
  );
  if (!challenge) return;
  const challengeSid = challenge.value.sid;
  expected.push({
    type: 'challenge.created',
    field: 'challenge_sid',
    sid: challengeSid,
    label: 'push challenge',
  });
  const approved = await checks.run('push challenge approved by the device', async () => {
    await device.answer(challengeSid, 'approved');
    // What the backend sees, not only what the device was told.
    const { status } = await entity.challenges(challengeSid).fetch();
    if (status !== 'approved') throw new Error(`the backend reads status ${status}`);
    return `${challengeSid} ${status}`;
  });
  if (!approved) return;
  for (const type of ['challenge.approved', 'billing.verification']) {
    expected.push({ type, field: 'challenge_sid', sid: challengeSid, label: 'push challenge' });
  }
}

/** Collects the service's events until every expected one arrived or the wait is over. */
async function collectEvents(
  watch: EventWatch,
  serviceSid: string,
  expected: readonly Expected[],
  waitMs: number,
  signal?: AbortSignal,
) {
  const events = new Map<string, BusEvent>();
  const arrived = (e: Expected) =>
    [...events.values()].some((event) => event['detail-type'] === e.type && event.detail[e.field] === e.sid);
  const deadline = Date.now() + waitMs;
  while (!expected.every(arrived)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    signal?.throwIfAborted();
    for (const event of await watch.poll(Math.min(left, 20_000))) {
      if (event.detail.service_sid === serviceSid) events.set(event.id, event);
    }
  }
  return { events: [...events.values()], arrived };
}

/** One row per event type: every expected event arrived; then nothing secret in any of them. */
async function eventChecks(
  run: RunState,
  watch: EventWatch,
  serviceSid: string,
  waitMs: number,
  signal?: AbortSignal,
) {
  const { checks, expected } = run;
  const collected = await checks.run(
    'events received',
    () => collectEvents(watch, serviceSid, expected, waitMs, signal),
    ({ events }) => `${events.length} events of service ${serviceSid}`,
  );
  if (!collected) return;
  const { events, arrived } = collected.value;
  for (const type of EVENT_TYPES) {
    const wanted = expected.filter((e) => e.type === type);
    if (wanted.length === 0) continue;
    const missing = wanted.filter((e) => !arrived(e));
    const what = `${wanted.length - missing.length} of ${wanted.length}`;
    if (missing.length === 0)
      checks.pass(`event ${type}`, `${what} (${wanted.map((e) => e.label).join(', ')})`);
    else {
      const none = missing.map((e) => `${e.label} ${e.sid}`).join(', ');
      checks.fail(`event ${type}`, `${what}: none for ${none} within ${Math.round(waitMs / 1000)} s`);
    }
  }

  if (events.length === 0) {
    checks.fail('events carry no secret', 'no events to look into');
    return;
  }
  const leaks = secretsIn(events, run.secrets);
  if (leaks.length === 0) {
    const kinds = new Set(run.secrets.map((s) => s.kind));
    checks.pass('events carry no secret', `${events.length} events, none has the ${[...kinds].join(', ')}`);
  } else {
    checks.fail('events carry no secret', leaks.map((l) => `${l.event} has the ${l.kind}`).join('; '));
  }
  const billing = events.filter((e) => e['detail-type'] === 'billing.verification');
  const identities = secretsIn(
    billing,
    run.identities.map((value) => ({ kind: 'identity', value })),
  );
  if (billing.length > 0 && identities.length === 0) {
    checks.pass('billing events carry no identity', `${billing.length} billing events`);
  } else if (billing.length > 0) {
    checks.fail(
      'billing events carry no identity',
      identities.map((l) => `${l.event} has the identity`).join('; '),
    );
  }
}

/**
 * Deletes the service (and so everything below it): the DELETE marks it and answers 204, and whatever is
 * left the deleter finishes in the background; a retried DELETE continues an interrupted one. From the mark
 * on the service reads 404, which is what this checks.
 */
async function deleteService(v2: Verify, sid: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await v2.services(sid).remove();
      break;
    } catch (error) {
      if (httpStatus(error) === 404) break;
      if (attempt === 3) throw error;
      await sleep(1000 * attempt);
    }
  }
  try {
    await v2.services(sid).fetch();
  } catch (error) {
    if (httpStatus(error) === 404) return `${sid}: DELETE answered, the service reads 404`;
    throw error;
  }
  throw new Error(`${sid} is still readable after its DELETE`);
}
