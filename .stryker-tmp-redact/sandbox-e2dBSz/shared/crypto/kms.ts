// @ts-nocheck
// Only what KmsKeyProvider uses, so that its lazy import() still lets esbuild tree-shake the KMS client.
export { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
