import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

/** A key provider in memory: a new data key each time, and a count of the unwraps asked of it. */
function memoryKeys() {
  const keys = new Map<string, Buffer>();
  const provider = {
    unwraps: 0,
    failNextUnwrap: false,
    async newDataKey() {
      const wrapped = `key-${keys.size + 1}`;
      keys.set(wrapped, randomBytes(32));
      return { plaintext: keys.get(wrapped)!, wrapped };
    },
    async unwrap(wrapped: string) {
      provider.unwraps++;
      if (provider.failNextUnwrap) {
        provider.failNextUnwrap = false;
        throw new Error('KMS is down');
      }
      return keys.get(wrapped)!;
    },
  };
  return provider;
}

describe('envelope sealing: what it refuses and what it keeps', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a sealed form of another version or with a part missing, before asking for its key', async () => {
    const keys = memoryKeys();
    const sealed = await new EnvelopeSealer(keys).seal('SECRET', 'YF1');
    const [, wrapped, iv, ciphertext, tag] = sealed.split('.');
    for (const bad of [
      ['v2', wrapped, iv, ciphertext, tag],
      ['v1', '', iv, ciphertext, tag],
      ['v1', wrapped, '', ciphertext, tag],
      ['v1', wrapped, iv, '', tag],
      ['v1', wrapped, iv, ciphertext, ''],
      ['v1', wrapped, iv, ciphertext],
    ]) {
      await expect(new EnvelopeSealer(keys).open(bad.join('.'), 'YF1'), bad.join('.')).rejects.toThrow(
        'Unknown sealed format',
      );
    }
    expect(keys.unwraps).toBe(0);
    expect(await new EnvelopeSealer(keys).open(sealed, 'YF1')).toBe('SECRET');
  });

  it('refuses a sealed secret whose tag was cut short (GCM would check only the bytes left)', async () => {
    const keys = memoryKeys();
    const sealed = await new EnvelopeSealer(keys).seal('SECRET', 'YF1');
    const parts = sealed.split('.');
    const tag = Buffer.from(parts[4]!, 'base64');
    for (const length of [4, 8, 12, 15]) {
      const cut = [...parts.slice(0, 4), tag.subarray(0, length).toString('base64')].join('.');
      await expect(new EnvelopeSealer(keys).open(cut, 'YF1'), `${length} bytes`).rejects.toThrow();
    }
    expect(await new EnvelopeSealer(keys).open(sealed, 'YF1')).toBe('SECRET');
  });

  it('uses a data key for five minutes, then takes a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-02T10:00:00Z').getTime();
    vi.setSystemTime(start);
    const keys = memoryKeys();
    const writer = new EnvelopeSealer(keys);
    const wrappedOf = async () => (await writer.seal('S', 'YF1')).split('.')[1];
    expect(await wrappedOf()).toBe('key-1');
    vi.setSystemTime(start + 5 * 60_000 - 1);
    expect(await wrappedOf()).toBe('key-1');
    vi.setSystemTime(start + 5 * 60_000);
    expect(await wrappedOf()).toBe('key-2');
  });

  it('keeps at most 100 unwrapped data keys, dropping the oldest', async () => {
    const keys = memoryKeys();
    // 101 secrets, each sealed with a data key of its own.
    const sealed = [];
    for (let i = 0; i < 101; i++) sealed.push(await new EnvelopeSealer(keys).seal(`S${i}`, 'YF1'));
    const reader = new EnvelopeSealer(keys);
    for (const s of sealed) await reader.open(s, 'YF1');
    expect(keys.unwraps).toBe(101);
    await reader.open(sealed[100]!, 'YF1');
    await reader.open(sealed[1]!, 'YF1');
    expect(keys.unwraps).toBe(101);
    // The first one was dropped when the 101st came.
    await reader.open(sealed[0]!, 'YF1');
    expect(keys.unwraps).toBe(102);
  });

  it('opens what it sealed itself without unwrapping its data key', async () => {
    const keys = memoryKeys();
    const sealer = new EnvelopeSealer(keys);
    const sealed = await sealer.seal('SECRET', 'YF1');
    expect(await sealer.open(sealed, 'YF1')).toBe('SECRET');
    expect(keys.unwraps).toBe(0);
  });

  it('does not keep a failed unwrap: the next open asks again', async () => {
    const keys = memoryKeys();
    const sealed = await new EnvelopeSealer(keys).seal('SECRET', 'YF1');
    const reader = new EnvelopeSealer(keys);
    keys.failNextUnwrap = true;
    await expect(reader.open(sealed, 'YF1')).rejects.toThrow('KMS is down');
    expect(await reader.open(sealed, 'YF1')).toBe('SECRET');
    expect(keys.unwraps).toBe(2);
  });
});
