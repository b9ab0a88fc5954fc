import type { KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config';
import { instrumentClient } from '../observability/aws-sdk';
import { GCM_TAG_BYTES, type KeyProvider } from './secret-sealer';

/** Binds every data key to its purpose in KMS (logged in CloudTrail, required again to decrypt). */
export const ENCRYPTION_CONTEXT = { purpose: 'verify-totp-secret' };
/**
 * Account auth tokens (kept sealed so webhooks can be signed) have a purpose of their own: a role allowed
 * to open them (the webhook delivery) cannot open TOTP secrets or push credentials, nor the reverse.
 */
export const ACCOUNT_TOKEN_CONTEXT = { purpose: 'verify-account-token' };
export type EncryptionContext = typeof ENCRYPTION_CONTEXT;

/**
 * The KMS client is imported on first use: only TOTP requests need it, and a warm function keeps its data
 * key, so most cold starts never pay for loading it.
 */
const kmsModule = () => import('./kms');

export class KmsKeyProvider implements KeyProvider {
  constructor(
    private readonly keyId: string,
    private kms?: KMSClient,
    private readonly context: EncryptionContext = ENCRYPTION_CONTEXT,
  ) {}

  private async client() {
    this.kms ??= instrumentClient(new (await kmsModule()).KMSClient({}));
    return this.kms;
  }

  async newDataKey() {
    const { GenerateDataKeyCommand } = await kmsModule();
    const result = await (
      await this.client()
    ).send(
      new GenerateDataKeyCommand({
        KeyId: this.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: this.context,
      }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new Error('KMS returned no data key');
    return {
      plaintext: Buffer.from(result.Plaintext),
      wrapped: Buffer.from(result.CiphertextBlob).toString('base64'),
    };
  }

  async unwrap(wrapped: string) {
    const { DecryptCommand } = await kmsModule();
    const result = await (
      await this.client()
    ).send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(wrapped, 'base64'),
        EncryptionContext: this.context,
      }),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(result.Plaintext);
  }
}

/**
 * For local runs: data keys are wrapped with AES-256-GCM under a 32-byte master key read from a file
 * (created by `npm start` in the git-ignored `.local/` folder).
 */
export class FileKeyProvider implements KeyProvider {
  private readonly masterKey: Buffer;

  constructor(path: string) {
    this.masterKey = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (this.masterKey.length !== 32) throw new Error(`${path} must hold a Base64 32-byte key`);
  }

  async newDataKey() {
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    const wrapped = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { plaintext, wrapped: wrapped.toString('base64') };
  }

  async unwrap(wrapped: string) {
    const bytes = Buffer.from(wrapped, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, bytes.subarray(0, 12), {
      authTagLength: GCM_TAG_BYTES,
    });
    decipher.setAuthTag(bytes.subarray(-GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(12, -GCM_TAG_BYTES)), decipher.final()]);
  }
}

/** KMS when `KMS_KEY_ID` is set (the deployed stack), else the local key file. */
export function keyProvider(
  config: Pick<Config, 'kmsKeyId' | 'localMasterKeyFile'>,
  context: EncryptionContext = ENCRYPTION_CONTEXT,
): KeyProvider {
  if (config.kmsKeyId) return new KmsKeyProvider(config.kmsKeyId, undefined, context);
  if (config.localMasterKeyFile) return new FileKeyProvider(config.localMasterKeyFile);
  throw new ConfigError('Set KMS_KEY_ID (AWS) or LOCAL_MASTER_KEY_FILE (local) to encrypt TOTP secrets');
}
