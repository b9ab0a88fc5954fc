import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How every function is bundled: one function for the CDK stack (at synth) and `npm run bench:bundles`, so
 * the benchmark measures what deploys.
 *
 * The bundle is split into chunks (esbuild `splitting`): `index.mjs` holds what the handler imports
 * statically, and every dynamic `import()` (the KMS client in `shared/crypto/key-providers.ts`, and the AWS
 * SDK's own lazily loaded credential providers and event-stream code) becomes a chunk that is read and
 * compiled only when first used. A single-file bundle defers *running* that code but still pays for reading
 * and compiling it at every cold start; `npm run bench:bundles` measures the difference.
 */
export const BUNDLING = {
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: false,
  splitting: true,
  mainFields: ['module', 'main'],
  /** Nothing is left to the runtime: the AWS SDK is bundled too, at the pinned version. */
  external: [] as string[],
  /** Lets CommonJS dependencies call `require` inside the ESM bundle. */
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;

/** The file, in the output directory, that the Lambda handler setting `index.handler` names. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/** Bundles the module at `entry` (absolute) into `outdir`: `index.mjs` plus its chunks. */
export function bundleFunction(entry: string, outdir: string): void {
  buildSync({
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    splitting: BUNDLING.splitting,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.external],
    banner: { js: BUNDLING.banner },
    logLevel: 'warning',
  });
}

/**
 * The files of a bundle in `dir` that a cold start reads: `index.mjs` and the chunks it imports statically,
 * and theirs. Chunks reached only through `import()` are left out.
 */
export function eagerFiles(dir: string, file = BUNDLE_ENTRY_FILE, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  // esbuild's static chunk imports: `import{a as b}from"./chunk-X.mjs"` or `import"./chunk-X.mjs"`.
  for (const [, chunk] of code.matchAll(/\bimport\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.mjs)["']/g)) {
    eagerFiles(dir, chunk!, seen);
  }
  return seen;
}
