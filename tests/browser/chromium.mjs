// Finds Chromium the way `cargo xtask test` does (xtask/src/browser.rs): $CHROMIUM if set, else
// the first of these names found on PATH. A test in xtask keeps the two lists equal.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/// The browser's path, or null when none is found.
export function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  const dirs = (process.env.PATH || '').split(delimiter).filter((d) => d);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return null;
}
