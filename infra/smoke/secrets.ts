import type { BusEvent } from './events';

/** A secret the smoke test used, by kind; its value is never printed. */
export interface Secret {
  kind: string;
  value: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `text` holds `secret`. Short numeric secrets (TOTP codes) count only as a whole token, so that a
 * code's six digits inside a hex SID or a UUID are not taken for the code.
 */
function holds(text: string, secret: string): boolean {
  if (/^\d{1,10}$/.test(secret))
    return new RegExp(`(?<![0-9A-Za-z])${escape(secret)}(?![0-9A-Za-z])`).test(text);
  return text.includes(secret);
}

/**
 * The (kind, event) pairs where an event carries one of the secrets, in any field of the envelope. The
 * secrets are hex, Base32, Base64(url), JWTs and digits, which JSON writes as they are.
 */
export function secretsIn(events: readonly BusEvent[], secrets: readonly Secret[]) {
  const found: { kind: string; event: string }[] = [];
  for (const event of events) {
    const text = JSON.stringify(event);
    for (const secret of secrets) {
      if (secret.value && holds(text, secret.value)) {
        const subject = event.detail.challenge_sid ?? event.detail.factor_sid ?? event.id;
        found.push({ kind: secret.kind, event: `${event['detail-type']} ${String(subject)}` });
      }
    }
  }
  return found;
}
