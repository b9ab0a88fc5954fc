import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Twilio } from 'twilio';

export const DEMO_SERVICE_NAME = 'Verify demo';

/**
 * The demo's Verify service settings, as a customer would set them for a site at `origin`: the relying party
 * is `localhost` (a secure context over plain http), only this origin may use its passkeys, a passkey may
 * live on this device or on another (a phone, a security key), must be discoverable (so signing in needs no
 * identity) and verify its user (a PIN or biometric), and TOTP apps show the demo's name.
 */
export const demoServiceSettings = (origin: string) => ({
  friendlyName: DEMO_SERVICE_NAME,
  'totp.issuer': DEMO_SERVICE_NAME,
  'passkeys.relyingParty.id': 'localhost',
  'passkeys.relyingParty.name': DEMO_SERVICE_NAME,
  'passkeys.relyingParty.origins': origin,
  'passkeys.authenticatorAttachment': 'any',
  'passkeys.discoverableCredentials': 'required',
  'passkeys.userVerification': 'required',
});

type Stored = Record<string, string>;

/**
 * The service the demo created for this account, API and origin (remembered in `<dir>/demo-service.json`),
 * or a new one. A remembered service that is gone, or whose passkey origins no longer include `origin`, is
 * replaced.
 */
export async function ensureDemoService(
  client: Twilio,
  options: { dir: string; accountSid: string; verifyUrl: string; origin: string },
): Promise<string> {
  const file = join(options.dir, 'demo-service.json');
  const key = `${options.accountSid} ${options.verifyUrl} ${options.origin}`;
  const stored: Stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored) : {};
  const known = stored[key];
  if (known) {
    const service = await client.verify.v2
      .services(known)
      .fetch()
      .catch((error: { status?: number }) => {
        if (error.status === 404) return undefined;
        throw error;
      });
    const origins = (service?.passkeys as { relying_party?: { origins?: string[] } } | null)?.relying_party
      ?.origins;
    if (service && origins?.includes(options.origin)) return service.sid;
  }
  const service = await client.verify.v2.services.create(demoServiceSettings(options.origin));
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify({ ...stored, [key]: service.sid }, null, 2)}\n`, { mode: 0o600 });
  return service.sid;
}
