/**
 * The headless browser the report test runs in. No npm package can bring one here (their installers
 * download a browser build at install time), so the test uses a system Chromium or Chrome: `$CHROMIUM`,
 * else the first of the usual commands on PATH. Without one the test is skipped with a notice,
 * unless ASL_RUN_REQUIRE_BROWSER=1 (set by `.ci/run`, which installs Debian's chromium), where a
 * missing browser fails the test instead.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export const BROWSER_REQUIRED = process.env.ASL_RUN_REQUIRE_BROWSER === '1';

/** The browser's path, or undefined where none is installed. A `$CHROMIUM` that does not exist is an error, not a skip. */
export function findBrowser(): string | undefined {
  const chosen = process.env.CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new Error(`CHROMIUM=${chosen}: no such file`);
    return chosen;
  }
  for (const name of CANDIDATES) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return undefined;
}

export const NO_BROWSER = 'no Chromium/Chrome found (apt-get install chromium, or set CHROMIUM=/path/to/chrome)';

/** One line saying why a browser test does not run, shown in the test output. */
export function browserSkipNotice(what: string): string {
  return `SKIPPED: ${what} — ${NO_BROWSER}; .ci/run requires it`;
}
