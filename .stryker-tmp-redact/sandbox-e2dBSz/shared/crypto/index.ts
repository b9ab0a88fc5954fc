// @ts-nocheck
import type { SecretSealer } from '../app/ports';
import type { Config } from '../config';
import { ACCOUNT_TOKEN_CONTEXT, keyProvider } from './key-providers';
import { EnvelopeSealer } from './secret-sealer';

export { EnvelopeSealer } from './secret-sealer';
export { keyProvider } from './key-providers';

/** The secret sealer of a function that seals or opens TOTP secrets: KMS on AWS, the local key file locally. */
export const secretSealer = ({ config }: { config: Config }): SecretSealer =>
  new EnvelopeSealer(keyProvider(config));

/** The sealer of account auth tokens (KMS purpose `verify-account-token`; AAD the account SID). */
export const accountTokenSealer = ({ config }: { config: Config }): SecretSealer =>
  new EnvelopeSealer(keyProvider(config, ACCOUNT_TOKEN_CONTEXT));
