import { compactVerify, decodeProtectedHeader } from 'jose';
import { deviceTokenOutOfTime } from '../../domain/errors';
import { parsePushPublicKey } from '../../domain/push-key';
import { sidPattern } from '../../domain/sid';
import { factorStore } from '../../store';
import type { Authenticator } from '.';

const LEEWAY_S = 60;
/** The SDKs mint tokens valid for 10 minutes; anything claiming much longer is refused. */
const MAX_LIFETIME_S = 3600;
const REMEMBER_MS = 60_000;
const CREDENTIAL_SID = sidPattern('CR');

/**
 * The Verify Push SDKs' device credential (protocol reference §4): `token:<JWT>`, ES256-signed with the
 * push factor's key, `kid` = the factor's credential SID, `sub` = its account, `nbf`/`exp` a 10-minute
 * window. A token outside its window answers 401 with a `Date` header, from which the SDKs fix their clock.
 * A `kid` that is not a credential SID is refused without a read (a 3,000-character one used to reach
 * DynamoDB, which rejects such a key).
 */
export const deviceCredentials: Authenticator = {
  accepts: ({ username, password }) => username === 'token' && password.split('.').length === 3,
  async verify({ password: token }, now) {
    let kid: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'ES256') return undefined;
      kid = header.kid;
    } catch {
      return undefined;
    }
    if (typeof kid !== 'string' || !CREDENTIAL_SID.test(kid)) return undefined;
    const device = await factorStore().getDeviceKey(kid);
    if (!device) return undefined;
    let claims: unknown;
    try {
      const key = parsePushPublicKey(device.publicKey);
      if (typeof key === 'string') return undefined;
      const { payload } = await compactVerify(token, key, { algorithms: ['ES256'] });
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { sub, nbf, exp } = claims as Record<string, unknown>;
    if (sub !== device.accountSid || typeof nbf !== 'number' || typeof exp !== 'number') return undefined;
    if (exp - nbf > MAX_LIFETIME_S) return undefined;
    const seconds = now.getTime() / 1000;
    if (nbf > seconds + LEEWAY_S || exp < seconds - LEEWAY_S) throw deviceTokenOutOfTime();
    const { accountSid, serviceSid, identity, factorSid } = device;
    return {
      principal: { kind: 'device', accountSid, serviceSid, identity, factorSid },
      rememberUntil: Math.min(now.getTime() + REMEMBER_MS, (exp + LEEWAY_S) * 1000),
    };
  },
};
