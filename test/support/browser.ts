import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwright, type BrowserContext } from 'playwright-core';

/**
 * Headless Chromium driven by Playwright. The browser is the one the @sparticuz/chromium npm
 * package ships (unpacked on first use), so `npm ci` is all a machine needs: no browser download.
 */
export async function openBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const context = await playwright.launchPersistentContext(profile, {
    executablePath: chromiumExecutable(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The package is an ES module, which Jest's CommonJS sandbox cannot load: ask a plain Node process
 * to unpack the browser and say where it is.
 */
function chromiumExecutable(): string {
  const script = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((path) => process.stdout.write(path))";
  return execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
}
