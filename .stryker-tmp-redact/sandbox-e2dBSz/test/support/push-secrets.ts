// @ts-nocheck
import { generateKeyPairSync } from 'node:crypto';

/** Provider secrets of the kinds the Credentials resource takes, with fresh keys (and their public halves). */

/** An APNs token-auth key as Apple issues it (`.p8`: PKCS#8 P-256), in the JSON `Secret` takes. */
export function apnTokenSecret(teamId = 'TEAM123456', keyId = 'KEY1234567') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    secret: JSON.stringify({ team_id: teamId, key_id: keyId, private_key: pem }),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    teamId,
    keyId,
  };
}

let rsa: { publicKey: string; privateKey: string } | undefined;

/** A Google service account's JSON key file (one RSA key per test process: generating one takes a while). */
export function fcmSecret(tokenUri = 'https://oauth2.googleapis.com/token', projectId = 'owl-bank') {
  rsa ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const clientEmail = `push@${projectId}.iam.gserviceaccount.com`;
  return {
    secret: JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'a1b2c3d4e5f6',
      private_key: rsa.privateKey,
      client_email: clientEmail,
      client_id: '1234567890',
      token_uri: tokenUri,
    }),
    publicKey: rsa.publicKey,
    clientEmail,
    projectId,
  };
}
