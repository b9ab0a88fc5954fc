export { EnvelopeSealer } from './secret-sealer';
export { keyProvider } from './key-providers';
