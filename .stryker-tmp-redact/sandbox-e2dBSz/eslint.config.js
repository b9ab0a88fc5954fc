// @ts-nocheck
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import boundaries between the layers: each may use the ones below it, never the ones above. */
const AWS = ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '@middy/*'];
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message, allowTypeImports: false }] }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', '.bench/', '.scratch/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The domain core stays free of AWS and runtime concerns, and of every other layer.
  layer(
    ['shared/domain/**/*.ts'],
    [
      ...AWS,
      '**/app/**',
      '**/store/**',
      '**/http/**',
      '**/crypto/**',
      '**/events/**',
      '**/dependencies',
      '**/config',
    ],
    'The domain core imports nothing but itself (and node: built-ins).',
  ),
  // Use cases work against ports: no AWS, no DynamoDB adapters, no HTTP.
  layer(
    ['shared/app/**/*.ts'],
    [
      ...AWS.filter((p) => p !== '@aws-sdk/*'),
      '@aws-sdk/client-*',
      '@aws-sdk/lib-*',
      '**/store/**',
      '**/http/**',
      '**/crypto/**',
      '**/dependencies',
      '../config',
    ],
    'Use cases depend on ports (shared/app/ports.ts), not on adapters, AWS or HTTP.',
  ),
  // Stores adapt DynamoDB to the ports; they know nothing of HTTP or of how they are wired.
  layer(
    ['shared/store/**/*.ts'],
    ['@middy/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '**/http/**', '**/dependencies', '../app/!(ports)*'],
    'Stores implement the ports; they do not import HTTP, use cases or the wiring.',
  ),
  // The push provider layer (APNs, FCM) is bundled into the sender Lambda: node: built-ins, jose and itself only.
  {
    files: ['shared/push/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|jose$|\\./)',
              message:
                'shared/push imports only node: built-ins, jose and its own modules (no AWS SDK, no other layer).',
            },
          ],
        },
      ],
    },
  },
  // The HTTP layer parses, authenticates and presents; it reaches data only through use cases and ports.
  layer(
    ['shared/http/**/*.ts'],
    ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '**/store/**', '**/crypto/**'],
    'The HTTP layer does not touch AWS or the stores directly; handlers get dependencies passed in.',
  ),
);
