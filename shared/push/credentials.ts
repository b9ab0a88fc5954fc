// TEMPORARY stand-in until the provider layer lands (issue8-providers branch): the agreed interface.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { ApnAuth, FcmServiceAccount } from './types';

type Parsed<T> = T | { error: string };

export function parseFcmSecret(text: string): Parsed<FcmServiceAccount> {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const { project_id, client_email, private_key, token_uri, private_key_id } = json;
    if (typeof project_id !== 'string' || typeof client_email !== 'string')
      return { error: 'project_id and client_email are required' };
    if (typeof private_key !== 'string' || typeof token_uri !== 'string')
      return { error: 'private_key and token_uri are required' };
    createPrivateKey(private_key);
    return {
      projectId: project_id,
      clientEmail: client_email,
      privateKey: private_key,
      tokenUri: token_uri,
      ...(typeof private_key_id === 'string' ? { privateKeyId: private_key_id } : {}),
    };
  } catch {
    return { error: 'must be the service account JSON Google issues' };
  }
}

export function parseApnTokenSecret(text: string): Parsed<Extract<ApnAuth, { kind: 'token' }>> {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const { team_id, key_id, private_key } = json;
    if (typeof team_id !== 'string' || typeof key_id !== 'string' || typeof private_key !== 'string')
      return { error: 'team_id, key_id and private_key are required' };
    createPrivateKey(private_key);
    return { kind: 'token', teamId: team_id, keyId: key_id, privateKey: private_key };
  } catch {
    return { error: 'must be a JSON object {"team_id", "key_id", "private_key"}' };
  }
}

export function parseApnCertificate(
  certificate: string,
  privateKey: string,
): Parsed<Extract<ApnAuth, { kind: 'certificate' }>> {
  try {
    new X509Certificate(certificate);
    createPrivateKey(privateKey);
    return { kind: 'certificate', certificate, privateKey };
  } catch {
    return { error: 'must be a PEM certificate and its private key' };
  }
}
