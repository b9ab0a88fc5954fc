import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeScreenshot } from '../support/browser';

/** The README's screenshot is remade when the page's sources change, and only then (a test run leaves the clone clean). */
describe('readmeScreenshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-shot-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the picture when it is missing or the sources changed, and leaves it otherwise', async () => {
    const sources = join(dir, 'page');
    mkdirSync(sources, { recursive: true });
    writeFileSync(join(sources, 'index.html'), '<h1>One</h1>');
    const picture = join(dir, 'demo.png');
    let shot = 0;
    const page = { screenshot: async () => Buffer.from(`png ${++shot}`) } as unknown as Page;

    expect(await readmeScreenshot(page, picture, sources)).toBe(true);
    expect(readFileSync(picture, 'utf8')).toBe('png 1');
    expect(await readmeScreenshot(page, picture, sources)).toBe(false);
    expect(readFileSync(picture, 'utf8')).toBe('png 1');

    writeFileSync(join(sources, 'index.html'), '<h1>Two</h1>');
    expect(await readmeScreenshot(page, picture, sources)).toBe(true);
    expect(readFileSync(picture, 'utf8')).toBe('png 3');

    rmSync(picture);
    expect(await readmeScreenshot(page, picture, sources)).toBe(true);
    expect(existsSync(picture)).toBe(true);
  });
});
