import type { SecretSealer } from '../app/ports';
import type { Config } from '../config';
import { keyProvider } from './key-providers';
import { EnvelopeSealer } from './secret-sealer';

export { EnvelopeSealer } from './secret-sealer';
export { keyProvider } from './key-providers';

/** The secret sealer of a function that seals or opens TOTP secrets: KMS on AWS, the local key file locally. */
export const secretSealer = ({ config }: { config: Config }): SecretSealer =>
  new EnvelopeSealer(keyProvider(config));
