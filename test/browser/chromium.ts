// Debian's Chromium, driven by playwright-core (which never downloads a browser here).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const HOW_TO_INSTALL = `browser tests skipped: no Chromium at ${CHROMIUM}. Install Debian's with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH), then rerun npm test.`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
