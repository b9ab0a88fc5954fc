// @ts-nocheck
import { compactVerify, decodeProtectedHeader } from 'jose';
import { deviceTokenOutOfTime } from '../../domain/errors';
import { parsePushPublicKey } from '../../domain/push-key';
import { sidPattern } from '../../domain/sid';
import type { AuthenticatorKind } from '.';

const LEEWAY_S = 60;
/** The SDKs mint tokens valid for 10 minutes; anything claiming much longer is refused. */
const MAX_LIFETIME_S = 3600;
/** A compact JWS: three Base64url parts. Far longer than any device token the SDKs make is refused unread. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 4096;
const CREDENTIAL_SID = sidPattern('CR');

/**
 * The Verify Push SDKs' device credential (protocol reference §4): `token:<JWT>`, ES256-signed with the
 * push factor's key, `kid` = the factor's credential SID, `sub` = its account, `nbf`/`exp` a 10-minute
 * window. A token outside its window answers 401 with a `Date` header, from which the SDKs fix their clock.
 * A token whose header is not ES256 with a well-formed `kid` is refused without a read.
 */
export const deviceCredentials: AuthenticatorKind = ({ factors }) => ({
  accepts: ({ username, password }) =>
    username === 'token' && password.length <= MAX_TOKEN_LENGTH && JWT.test(password),
  async verify({ password: token }, now) {
    let kid: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'ES256' || (header.typ !== undefined && header.typ !== 'JWT')) return undefined;
      kid = header.kid;
    } catch {
      return undefined;
    }
    if (typeof kid !== 'string' || !CREDENTIAL_SID.test(kid)) return undefined;
    const device = await factors.getDeviceKey(kid);
    if (!device) return undefined;
    let claims: Record<string, unknown>;
    try {
      const key = parsePushPublicKey(device.publicKey);
      if (typeof key === 'string') return undefined;
      const { payload } = await compactVerify(token, key, { algorithms: ['ES256'] });
      claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const { sub, nbf, exp } = claims ?? {};
    if (sub !== device.accountSid || typeof nbf !== 'number' || typeof exp !== 'number') return undefined;
    if (exp - nbf > MAX_LIFETIME_S) return undefined;
    const seconds = now.getTime() / 1000;
    if (nbf > seconds + LEEWAY_S || exp < seconds - LEEWAY_S) throw deviceTokenOutOfTime(now);
    const { accountSid, serviceSid, identity, factorSid } = device;
    return {
      principal: { kind: 'device', accountSid, serviceSid, identity, factorSid },
      rememberUntil: (exp + LEEWAY_S) * 1000,
    };
  },
});
