// @ts-nocheck
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { saveAccount } from '../../shared/app/accounts';
import { newAccount } from '../../shared/domain/credentials';
import { testDeps } from './deps';

/** A fresh account in the test table, with its auth token. */
export async function createAccount() {
  const { account, authToken } = newAccount(new Date());
  await saveAccount(testDeps(), account, authToken);
  return { sid: account.sid, authToken };
}

/** A device key as the Verify Push SDKs make one: P-256, public key as Base64 DER SPKI. */
export function deviceKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** The factor verification payload of protocol reference §5.1: Base64 DER ECDSA-SHA256 over the SID. */
export const signFactorSid = (privateKey: KeyObject, factorSid: string) =>
  sign('sha256', Buffer.from(factorSid), { key: privateKey, dsaEncoding: 'der' }).toString('base64');

let counter = 0;
/** A valid, unique entity identity. */
export const newIdentity = () => `user-${Date.now().toString(36)}-${(counter++).toString(36)}-${process.pid}`;
