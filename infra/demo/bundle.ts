import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/** The page's files as the server serves them: nothing is written to disk. */
export interface PageAssets {
  html: string;
  script: string;
  css: string;
}

/**
 * Bundles the page's TypeScript (and the QR library it uses) with esbuild, in memory, when the demo
 * starts, so no build output is ever committed or stale.
 */
export async function bundlePage(): Promise<PageAssets> {
  const result = await build({
    entryPoints: [`${PAGE_DIR}app.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no page bundle');
  return {
    html: readFileSync(`${PAGE_DIR}index.html`, 'utf8'),
    script: output.text,
    css: readFileSync(`${PAGE_DIR}style.css`, 'utf8'),
  };
}
