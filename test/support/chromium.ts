// Debian's chromium, headless, for the browser tests: never a downloaded
// browser. The flags keep it from reaching out (this machine has no network
// but the package registries) and let SwiftShader draw WebGL.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** False when chromium is installed; otherwise the reason to skip. */
export const chromiumMissing: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install chromium)`;

/** A fresh persistent context in its own profile directory (remove it when done). */
export async function launchChromium(profilePrefix: string): Promise<{ context: BrowserContext; userDir: string }> {
  const userDir = await mkdtemp(join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
  return { context, userDir };
}
