// @ts-nocheck
import { randomBytes } from 'node:crypto';
import { hashSecret } from './credentials';
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

export const ACCESS_TOKEN_TTL = { min: 60, max: 300, default: 60 } as const;

/**
 * An enrollment token: lets a device create one push factor for one entity (the Verify Push SDKs send it
 * as `token:<token>` when they create the factor). Only its hash is stored; it works once, within its TTL.
 */
export interface AccessToken {
  sid: string;
  accountSid: string;
  serviceSid: string;
  identity: string;
  factorType: 'push';
  factorFriendlyName: string | null;
  ttl: number;
  dateCreated: string;
  tokenHash: string;
  used: boolean;
}

export function newAccessToken(
  input: Pick<AccessToken, 'accountSid' | 'serviceSid' | 'identity' | 'factorFriendlyName' | 'ttl'>,
  now: Date,
) {
  const sid = newSid(SidPrefix.accessToken, now);
  // The SID prefix lets the server find the record; the rest is 256 random bits.
  const token = `${sid}.${randomBytes(32).toString('base64url')}`;
  const accessToken: AccessToken = {
    ...input,
    sid,
    factorType: 'push',
    dateCreated: formatDate(now),
    tokenHash: hashSecret(token),
    used: false,
  };
  return { accessToken, token };
}

/** `YK…` + `.` + 256 bits in Base64url: the only shape an access token has. */
const ACCESS_TOKEN = /^(YK[0-9a-f]{32})\.[A-Za-z0-9_-]{43}$/;

export function accessTokenSid(token: string): string | undefined {
  return ACCESS_TOKEN.exec(token)?.[1];
}

export const accessTokenExpired = (token: AccessToken, now: Date) =>
  now.getTime() >= Date.parse(token.dateCreated) + token.ttl * 1000;
