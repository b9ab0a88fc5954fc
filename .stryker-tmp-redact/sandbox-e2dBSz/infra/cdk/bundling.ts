/**
 * How every function is bundled. The CDK stack passes these to NodejsFunction and `npm run bench:bundles`
 * hands the same settings to esbuild, so the benchmark measures what deploys.
 */
// @ts-nocheck

export const BUNDLING = {
  target: 'node22',
  format: 'esm',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  /** Bundle the AWS SDK too: a pinned version, and tree-shaking keeps it small. */
  externalModules: [] as string[],
  /** Lets CommonJS dependencies call `require` inside the ESM bundle. */
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;
