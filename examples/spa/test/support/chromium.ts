import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`); Playwright's own browser download does not work here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Whether the browser suite must be skipped: only outside CI, when Chromium is missing. In CI a
 * missing browser is a failure, never a silent skip.
 *
 * @example
 * describe.skipIf(skipBrowserTests())("in Chromium", () => { … });
 */
export function skipBrowserTests(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  console.warn(
    `\n  !! SKIPPING the browser tests of examples/spa: ${CHROMIUM_PATH} is missing.` +
      "\n  !! Install it with: apt-get install -y --no-install-recommends chromium\n",
  );
  return true;
}

/**
 * Launches headless Chromium with the flags that work on these machines.
 *
 * @example
 * const browser = await launchChromium();
 * await browser.close();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}
