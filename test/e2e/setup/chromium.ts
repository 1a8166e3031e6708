import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core: npm packages that download their own browser
 * cannot work on an offline machine. CI installs the package (.ci/run); elsewhere a missing
 * browser skips the browser tests with a loud message, but under CI=true it is a failure.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

export type ChromiumAvailability = { readonly ok: true } | { readonly ok: false; readonly inCi: boolean; readonly message: string };

export function chromiumAvailability(): ChromiumAvailability {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  const inCi = process.env.CI === 'true';
  return {
    ok: false,
    inCi,
    message: `no Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`,
  };
}

/** Prints the skip so that nobody mistakes a skipped browser suite for a passing one. */
export function warnSkipped(suite: string, message: string): void {
  const bar = '!'.repeat(100);
  process.stderr.write(`\n${bar}\n!!! ${suite} SKIPPED: ${message}\n!!! (under CI=true this fails instead)\n${bar}\n\n`);
}

/** playwright gives every launch a fresh temporary profile (its own --user-data-dir) and deletes it on close. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
