/**
 * Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH), headless, driven by playwright-core
 * (which brings no browser of its own). The flags keep Chromium from reaching out: without
 * --disable-background-networking and friends it tries Google's hosts at start and on a closed
 * network fills the log with refused connections. Each launch gets a fresh profile directory
 * (playwright-core passes Chromium a new temporary --user-data-dir itself and refuses one of ours),
 * and each page a fresh context: its own storage, so it starts signed out.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../tools/local-env/local-env';

export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is not installed at ${path}: the browser tests need Debian's chromium (apt-get install chromium), or CHROMIUM_PATH set to a Chromium binary.`,
    );
  }
  return path;
}

export interface HeadlessBrowser {
  browser: Browser;
  /** A fresh context (its own storage: signed out) with a page, console errors collected. */
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: 120_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(60_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      return { context, page, errors };
    },
    close: () => browser.close(),
  };
}

/** Saves a full-page screenshot as test-artifacts/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
