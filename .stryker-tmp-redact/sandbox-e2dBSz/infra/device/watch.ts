// @ts-nocheck
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import type { Device } from './client';

const POLL_MS = 50;

/** One delivered notification as npm start's local providers record it (one JSON line each). */
interface Delivery {
  provider: 'apns' | 'fcm';
  token: string;
  payload: Record<string, unknown>;
}

/** The challenge SID a Verify push carries: FCM in the message's `data`, APNs beside `aps` (reference §1.2). */
function challengeOf(delivery: Delivery): string | undefined {
  const payload = delivery.payload;
  const data = (payload.data as Record<string, unknown> | undefined) ?? payload;
  return data.type === 'verify_push_challenge' && typeof data.challenge_sid === 'string'
    ? data.challenge_sid
    : undefined;
}

/**
 * Follows the push file from its current end and handles each notification for this device's token:
 * fetches the challenge (as the apps do when a push arrives) and prints it, then approves or denies it
 * as `answer` says, or asks (`ask`) when given, or leaves it. With `once`, returns after the first.
 */
export async function watch(
  device: Device,
  file: string,
  options: {
    print: (line: string) => void;
    ask?: (question: string) => Promise<string>;
    answer?: 'approve' | 'deny';
    once?: boolean;
    signal?: AbortSignal;
  },
): Promise<string> {
  const token = device.state.notificationToken;
  if (!token) throw new Error('This device takes no pushes: enroll it with --platform apn or fcm');
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  options.print(`Watching ${file} for pushes to ${device.state.factorSid} (Ctrl+C to stop)…`);
  const seen = new Set<string>();
  while (!options.signal?.aborted) {
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size < offset) offset = 0;
    if (size > offset) {
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(file, 'r');
      readSync(fd, buffer, 0, buffer.length, offset);
      closeSync(fd);
      offset = size;
      const lines = (partial + buffer.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const delivery = JSON.parse(line) as Delivery;
        const sid = delivery.token === token ? challengeOf(delivery) : undefined;
        if (!sid || seen.has(sid)) continue;
        seen.add(sid);
        const handled = await handle(device, sid, delivery.provider, options);
        if (options.once) return handled;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return 'Stopped';
}

async function handle(
  device: Device,
  sid: string,
  provider: string,
  options: Parameters<typeof watch>[2],
): Promise<string> {
  const { challenge: body } = await device.fetchChallenge(sid);
  const details = body.details as { message?: string; fields?: { label: string; value: string }[] } | null;
  options.print(`Push (${provider}) for ${sid}: ${JSON.stringify(details?.message ?? '')}`);
  for (const field of details?.fields ?? []) options.print(`  ${field.label}: ${field.value}`);
  if (body.status !== 'pending') {
    options.print(`  already ${String(body.status)}`);
    return `${sid} ${String(body.status)}`;
  }
  let answer = options.answer;
  if (!answer && options.ask) {
    const reply = (await options.ask('  approve, deny or skip? [a/d/s] ')).trim().toLowerCase();
    answer = reply.startsWith('a') ? 'approve' : reply.startsWith('d') ? 'deny' : undefined;
  }
  if (!answer) {
    options.print(`  left pending (npm run device -- approve ${sid})`);
    return `${sid} pending`;
  }
  const after = await device.answer(sid, answer === 'approve' ? 'approved' : 'denied');
  options.print(`  ${String(after.status)}`);
  return `${sid} ${String(after.status)}`;
}
