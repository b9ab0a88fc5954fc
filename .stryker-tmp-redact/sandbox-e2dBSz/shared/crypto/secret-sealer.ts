// @ts-nocheck
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretSealer } from '../app/ports';

/** Where data keys come from: AWS KMS in the cloud, a local key file on a developer's machine. */
export interface KeyProvider {
  /** A fresh 256-bit data key and its wrapped (encrypted) form, which is safe to store. */
  newDataKey(): Promise<{ plaintext: Buffer; wrapped: string }>;
  unwrap(wrapped: string): Promise<Buffer>;
}

const FORMAT = 'v1';
/** GCM tags are 16 bytes; decryption insists on it, so a truncated tag cannot weaken the check. */
export const GCM_TAG_BYTES = 16;
const DATA_KEY_LIFETIME_MS = 5 * 60_000;
const MAX_CACHED_KEYS = 100;

/**
 * Envelope encryption with AES-256-GCM. A data key from the provider seals secrets for a few minutes, so a
 * warm function asks KMS for a key rarely; unwrapped keys are cached for the same reason. The context (the
 * factor SID) is authenticated data, so a sealed secret copied onto another factor does not open.
 *
 * Sealed form: `v1.<wrapped data key>.<iv>.<ciphertext>.<tag>` (Base64 parts).
 */
export class EnvelopeSealer implements SecretSealer {
  private current?: { key: Promise<{ plaintext: Buffer; wrapped: string }>; expires: number };
  /** Unwrapped data keys by wrapped form; promises, so concurrent requests share one KMS call. */
  private readonly unwrapped = new Map<string, Promise<Buffer>>();

  constructor(private readonly keys: KeyProvider) {}

  async seal(plaintext: string, context: string): Promise<string> {
    const key = await this.dataKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv).setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, key.wrapped, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
      .join('.');
  }

  async open(sealed: string, context: string): Promise<string> {
    const [format, wrapped, iv, ciphertext, tag] = sealed.split('.');
    if (format !== FORMAT || !wrapped || !iv || !ciphertext || !tag) throw new Error('Unknown sealed format');
    const key = await this.unwrap(wrapped);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), {
      authTagLength: GCM_TAG_BYTES,
    })
      .setAAD(Buffer.from(context, 'utf8'))
      .setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }

  private dataKey() {
    if (!this.current || this.current.expires <= Date.now()) {
      const key = this.keys.newDataKey();
      this.current = { key, expires: Date.now() + DATA_KEY_LIFETIME_MS };
      key.then(
        ({ wrapped, plaintext }) => this.remember(wrapped, Promise.resolve(plaintext)),
        () => (this.current = undefined),
      );
    }
    return this.current.key;
  }

  private unwrap(wrapped: string) {
    let key = this.unwrapped.get(wrapped);
    if (!key) {
      key = this.keys.unwrap(wrapped);
      key.catch(() => this.unwrapped.delete(wrapped));
      this.remember(wrapped, key);
    }
    return key;
  }

  private remember(wrapped: string, key: Promise<Buffer>) {
    if (this.unwrapped.size >= MAX_CACHED_KEYS) this.unwrapped.delete(this.unwrapped.keys().next().value!);
    this.unwrapped.set(wrapped, key);
  }
}
