// @ts-nocheck
import { randomBytes } from 'node:crypto';

/** Twilio SID prefixes used by this service. */
export const SidPrefix = {
  account: 'AC',
  apiKey: 'SK',
  service: 'VA',
  entity: 'YE',
  factor: 'YF',
  challenge: 'YC',
  credential: 'CR',
  accessToken: 'YK',
  notification: 'NT',
  webhook: 'YW',
} as const;
export type SidPrefix = (typeof SidPrefix)[keyof typeof SidPrefix];

export const sidPattern = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/**
 * A new SID: the prefix, 12 hex digits of the creation time in milliseconds, then 20 random hex digits
 * (80 bits). SIDs therefore sort by creation time, which gives list endpoints their creation order
 * straight from the table's sort key.
 */
export function newSid(prefix: SidPrefix, now: Date = new Date()): string {
  const time = now.getTime().toString(16).padStart(12, '0').slice(-12);
  return `${prefix}${time}${randomBytes(10).toString('hex')}`;
}
