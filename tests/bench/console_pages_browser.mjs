// How long each console page takes in real Chromium against a running bankrecd (issue 8: "pages
// load fast with 10 million entries"). Run by console_api_bench.py --browser, which starts the
// daemon on the data dir; by hand:
//   node tests/bench/console_pages_browser.mjs URL USER PASSWORD [ROUNDS]
// For each page: from the hash change (the console is a single-page app, as a click in its menu) to
// the page's element shown and its last API answer in, with nothing loading; the first visit and the
// median of ROUNDS more. Also the whole app from a fresh load (HTML, bundle, sign-in state) to the
// dashboard. Prints one line per page; exits 1 when a page does not appear within 60 s.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'console', 'package.json'));
const { chromium } = require('playwright-core');

const [url, user, password, roundsArg] = process.argv.slice(2);
if (!url || !user || !password) {
  console.error('usage: console_pages_browser.mjs URL USER PASSWORD [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const pages = [
  ['dashboard', '/', 'page-dashboard'],
  ['statements', '/statements', 'page-statements'],
  ['transactions', '/transactions', 'page-transactions'],
  ['transactions, search "müller"', '/transactions?q=m%C3%BCller', 'page-transactions'],
  ['transactions, search "gehalt januar"', '/transactions?q=gehalt%20januar', 'page-transactions'],
  ['transactions, by amount', '/transactions?sort=-amount', 'page-transactions'],
  ['review queue', '/review', 'page-review'],
  ['review queue, table', '/review?view=table', 'page-review'],
  ['errors', '/errors', 'page-errors'],
  ['connectors', '/connectors', 'page-connectors'],
  ['rules', '/rules', 'page-rules'],
  ['audit log', '/audit', 'page-audit'],
  ['settings', '/settings', 'page-settings'],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
let failed = false;
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'de-DE', viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  let inFlight = 0;
  let lastDone = 0;
  page.on('request', (r) => r.url().includes('/api/') && inFlight++);
  const done = (r) => {
    if (!r.url().includes('/api/')) return;
    inFlight--;
    lastDone = performance.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);

  /** Waits for the page element, then until no API request has been open for 150 ms; returns the time
   *  from `start` to the later of the element appearing and the last API answer. */
  async function settled(testid, start) {
    await page.waitForSelector(`[data-testid=${testid}]`, { timeout: 60000 });
    const appeared = performance.now();
    let quietSince = performance.now();
    for (;;) {
      await page.waitForTimeout(10);
      if (inFlight > 0) quietSince = performance.now();
      else if (performance.now() - quietSince >= 150) break;
      if (performance.now() - start > 60000) throw new Error(`${testid}: API requests still open after 60 s`);
    }
    return Math.max(lastDone, appeared) - start;
  }

  // Sign in, then a fresh load of the whole app.
  await page.goto(url + '/');
  await page.fill('input[name=name]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=page-dashboard]', { timeout: 60000 });
  let start = performance.now();
  await page.goto(url + '/#/');
  const fresh = await settled('page-dashboard', start);
  console.log(`${'fresh load of the app to the dashboard'.padEnd(44)} ${fresh.toFixed(0).padStart(8)} ms`);

  console.log(`${'page (a click in the menu)'.padEnd(44)} ${'first'.padStart(8)} ${'median'.padStart(8)}`);
  for (const [name, hash, testid] of pages) {
    const times = [];
    for (let i = 0; i <= rounds; i++) {
      await page.evaluate(() => { location.hash = '#/__bench_blank'; });
      await page.waitForTimeout(50);
      start = performance.now();
      await page.evaluate((h) => { location.hash = '#' + h; }, hash);
      times.push(await settled(testid, start));
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    console.log(`${name.padEnd(44)} ${times[0].toFixed(0).padStart(8)} ${rest[Math.floor(rest.length / 2)].toFixed(0).padStart(8)} ms`);
  }
} catch (e) {
  failed = true;
  console.error(String(e?.stack ?? e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
