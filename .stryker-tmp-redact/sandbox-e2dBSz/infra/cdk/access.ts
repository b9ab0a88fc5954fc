// @ts-nocheck
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { ENCRYPTION_CONTEXT } from '../../shared/crypto/key-providers';
import type { Access } from '../../shared/http/routes';

const KMS_ACTIONS = {
  seal: ['kms:GenerateDataKey'],
  open: ['kms:Decrypt'],
  'seal+open': ['kms:GenerateDataKey', 'kms:Decrypt'],
} as const;

/**
 * Allows a function exactly what its `Access` declares: those DynamoDB actions on the table (only on items of
 * the declared partitions, when it declares them), and sealing and/or opening TOTP secrets with the key, only
 * under the encryption context the key providers use.
 */
export function grantAccess(grantee: IGrantable, access: Access, table: ITable, secretsKey?: IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: access.table.map((action) => `dynamodb:${action}`),
      resources: [table.tableArn],
      conditions: access.partitions && {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.partitions.map((kind) => `${kind}#*`) },
      },
    }),
  );
  if (!access.kms) return;
  if (!secretsKey) throw new Error('A function that seals or opens secrets needs the secrets key');
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...KMS_ACTIONS[access.kms]],
      resources: [secretsKey.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': ENCRYPTION_CONTEXT.purpose } },
    }),
  );
}
