// @ts-nocheck
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsKeyProvider } from '../../../shared/crypto/key-providers';
import { EnvelopeSealer } from '../../../shared/crypto/secret-sealer';

const kms = mockClient(KMSClient);
const dataKey = randomBytes(32);
const wrapped = Buffer.from('wrapped-by-kms');

beforeEach(() => {
  kms.reset();
  kms.on(GenerateDataKeyCommand).resolves({ Plaintext: dataKey, CiphertextBlob: wrapped });
  kms.on(DecryptCommand).resolves({ Plaintext: dataKey });
});

const sealer = () =>
  new EnvelopeSealer(new KmsKeyProvider('arn:aws:kms:us-east-1:111122223333:key/test', new KMSClient({})));

describe('envelope sealing with a KMS data key', () => {
  it('round-trips a secret without the plaintext appearing in the sealed form', async () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const sealed = await sealer().seal(secret, 'YF1');
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64'));
    expect(await sealer().open(sealed, 'YF1')).toBe(secret);
  });

  it('asks KMS for one data key for many secrets, and unwraps each data key once', async () => {
    const writer = sealer();
    const sealed = await Promise.all(['A', 'B', 'C'].map((s, i) => writer.seal(s, `YF${i}`)));
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toMatchObject({
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'verify-totp-secret' },
    });
    const reader = sealer();
    expect(await Promise.all(sealed.map((s, i) => reader.open(s, `YF${i}`)))).toEqual(['A', 'B', 'C']);
    await reader.open(sealed[1]!, 'YF1');
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
  });

  it('refuses to open a secret under another context (a secret copied onto another factor)', async () => {
    const sealed = await sealer().seal('SECRET', 'YF1');
    await expect(sealer().open(sealed, 'YF2')).rejects.toThrow();
  });

  it('fails loudly when KMS fails, and asks again on the next seal', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejectsOnce(new Error('KMS is down'))
      .resolves({ Plaintext: dataKey, CiphertextBlob: wrapped });
    const writer = sealer();
    await expect(writer.seal('SECRET', 'YF1')).rejects.toThrow('KMS is down');
    expect(await writer.open(await writer.seal('SECRET', 'YF1'), 'YF1')).toBe('SECRET');
  });
});
