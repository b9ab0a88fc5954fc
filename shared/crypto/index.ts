import type { SecretSealer } from '../app/ports';
import { keyProviderFromEnv } from './key-providers';
import { EnvelopeSealer } from './secret-sealer';

let cached: SecretSealer | undefined;

/** The process's secret sealer (KMS in the cloud, the local key file locally), created on first use. */
export const secretSealer = (): SecretSealer => (cached ??= new EnvelopeSealer(keyProviderFromEnv()));
