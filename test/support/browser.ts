import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive (`.ci/run` installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_MISSING = (path: string) =>
  `Chromium is missing at ${path}: the browser tests need it. Install it with \`apt-get install -y chromium\` ` +
  '(Debian; .ci/run does this when it is missing), then run the tests again.';

/**
 * Headless Chromium for one test file. Fails, never skips, when Chromium is not installed: a suite that
 * passes without its browser tests would hide that they did not run.
 */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(CHROMIUM_MISSING(executablePath));
  return chromium.launch({
    executablePath,
    headless: true,
    // Root needs --no-sandbox; nothing in a test should reach the network on its own.
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

/** What the virtual authenticator holds (CDP binary fields are standard Base64). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export interface AuthenticatorPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  credentials(): Promise<VirtualCredential[]>;
  /** Forgets every credential: the virtual authenticator holds at most 3 resident ones (measured). */
  clearCredentials(): Promise<void>;
}

/**
 * A page with its own DevTools-protocol virtual authenticator: CTAP2, internal (a platform authenticator),
 * resident keys, user verification that succeeds, presence simulated. Authenticators belong to a page and
 * survive its navigations; a page that calls WebAuthn without one may be closed by headless Chromium.
 */
export async function authenticatorPage(
  browser: Browser,
  viewport = { width: 1200, height: 900 },
): Promise<AuthenticatorPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () =>
    ((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[]) ??
    [];
  const clearCredentials = async () => {
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
  };
  return { context, page, cdp, authenticatorId, credentials, clearCredentials };
}

/**
 * Puts a credential back with a lower signature counter (remove, then add the same key): what a cloned
 * authenticator looks like to the relying party.
 */
export async function lowerSignCount(
  target: AuthenticatorPage,
  credential: VirtualCredential,
  signCount: number,
) {
  const { cdp, authenticatorId } = target;
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: credential.credentialId,
      isResidentCredential: credential.isResidentCredential,
      rpId: credential.rpId,
      privateKey: credential.privateKey,
      userHandle: credential.userHandle,
      signCount,
    },
  });
}

/**
 * A second origin for the same site: every request to http://localhost:<new port> is forwarded to
 * `target` as it is (cookies, server-sent events included), so the very same page runs on an origin that
 * the Verify service does not list. RP ID `localhost` covers every port, so only the origin check can
 * refuse what it signs.
 */
export async function startProxy(target: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { hostname, port } = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: hostname === 'localhost' ? '127.0.0.1' : hostname,
        port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://localhost:${(server.address() as { port: number }).port}`;
  return {
    url,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A blank page on http://localhost:<port>, for WebAuthn calls made from a test through page.evaluate. */
export async function startBlankSite(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((_request, response) => {
    response
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>RP</title>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://localhost:${(server.address() as { port: number }).port}`;
  return {
    url,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** SHA-256 over every file under `dir` (paths and contents, in a stable order). */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/**
 * A screenshot for the README at `path`, rewritten only when the page's sources (`sourcesDir`) changed since
 * it was made (their hash is kept beside it, in `<path>.sources`): a test run leaves the picture, and the
 * clone, as they were unless the page changed, and then the picture follows. Returns whether it was
 * rewritten; the page is captured either way.
 */
export async function readmeScreenshot(page: Page, path: string, sourcesDir: string): Promise<boolean> {
  const png = await page.screenshot({ fullPage: true });
  const sources = treeHash(sourcesDir);
  const recorded = existsSync(`${path}.sources`) ? readFileSync(`${path}.sources`, 'utf8').trim() : '';
  if (recorded === sources && existsSync(path)) return false;
  writeFileSync(path, png);
  writeFileSync(`${path}.sources`, `${sources}\n`);
  return true;
}
