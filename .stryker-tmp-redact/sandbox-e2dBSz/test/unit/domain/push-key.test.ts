// @ts-nocheck
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePushPublicKey, verifyFactorSignature } from '../../../shared/domain/push-key';
import { deviceKey, signFactorSid } from '../../support/fixtures';

const spki = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
  key.export({ format: 'der', type: 'spki' }).toString('base64');

describe('push factor keys', () => {
  it('accepts the Base64 DER SPKI of a P-256 key, as the SDKs send it', () => {
    const { publicKey } = deviceKey();
    expect(publicKey.startsWith('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE')).toBe(true);
    expect(typeof parsePushPublicKey(publicKey)).toBe('object');
  });

  it.each([
    [
      'another curve',
      spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey),
      'must be an ECDSA P-256 key',
    ],
    [
      'an RSA key',
      spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey),
      'must be an ECDSA P-256 key',
    ],
    ['an Ed25519 key', spki(generateKeyPairSync('ed25519').publicKey), 'must be an ECDSA P-256 key'],
    ['not Base64', 'not base64!', 'must be Base64'],
    [
      'Base64 of garbage',
      Buffer.from('hello world').toString('base64'),
      'must be a DER SubjectPublicKeyInfo',
    ],
    [
      'trailing bytes',
      Buffer.concat([Buffer.from(deviceKey().publicKey, 'base64'), Buffer.from([0])]).toString('base64'),
      'must be a DER SubjectPublicKeyInfo',
    ],
    ['the spec example placeholder', 'dGVzdF9rZXk=', 'must be a DER SubjectPublicKeyInfo'],
  ])('rejects %s', (_name, value, reason) => {
    expect(parsePushPublicKey(value)).toBe(reason);
  });

  it('verifies the DER signature of the factor SID and nothing else', () => {
    const device = deviceKey();
    const other = deviceKey();
    const sid = 'YF0123456789abcdef0123456789abcdef';
    expect(verifyFactorSignature(device.publicKey, sid, signFactorSid(device.privateKey, sid))).toBe(true);
    expect(verifyFactorSignature(device.publicKey, sid, signFactorSid(other.privateKey, sid))).toBe(false);
    expect(
      verifyFactorSignature(device.publicKey, sid, signFactorSid(device.privateKey, `${sid.slice(0, -1)}0`)),
    ).toBe(false);
    expect(verifyFactorSignature(device.publicKey, sid, 'AAAA')).toBe(false);
    expect(verifyFactorSignature(device.publicKey, sid, '%%%')).toBe(false);
  });
});
