// @ts-nocheck
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

/** An account and its auth token. Only a hash of the token is ever stored. */
export interface Account {
  sid: string;
  authTokenHash: string;
  /**
   * The auth token itself, sealed (AAD: the account SID), so that webhooks can be signed with it as Twilio
   * signs them. Accounts stored before webhooks existed have none until their token is rotated.
   */
  sealedAuthToken?: string;
  dateCreated: string;
}

/** The sealing context of an account's auth token: its SID, so a sealed token moved to another account fails. */
export const accountTokenContext = (accountSid: string) => accountSid;

/** An API key (`SK…`) that acts for its account. Only a hash of the secret is ever stored. */
export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  secretHash: string;
  dateCreated: string;
}

/**
 * Auth tokens and key secrets are 128-bit random values, so a single SHA-256 is enough to make a leaked
 * table useless; a slow password hash would only add latency to every request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(storedHash, 'base64');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

export const newAuthToken = () => randomBytes(16).toString('hex');

/**
 * Auth tokens and API key secrets are 32 hex digits (`newAuthToken`, `newApiKey`): anything else cannot
 * match a stored hash, so it is refused without looking the username up.
 */
export const isWellFormedSecret = (secret: string) => /^[0-9a-fA-F]{32}$/.test(secret);

export function newAccount(now: Date, authToken = newAuthToken(), sid = newSid(SidPrefix.account, now)) {
  const account: Account = { sid, authTokenHash: hashSecret(authToken), dateCreated: formatDate(now) };
  return { account, authToken };
}

export function newApiKey(accountSid: string, friendlyName: string, now: Date) {
  const secret = randomBytes(16).toString('hex');
  const apiKey: ApiKey = {
    sid: newSid(SidPrefix.apiKey, now),
    accountSid,
    friendlyName,
    secretHash: hashSecret(secret),
    dateCreated: formatDate(now),
  };
  return { apiKey, secret };
}

export interface BasicCredentials {
  username: string;
  password: string;
}

export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
