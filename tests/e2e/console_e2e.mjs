// End-to-end test of the web console in real Chromium (Debian's, driven by playwright-core)
// against a real bankrecd on 127.0.0.1 with a temp data dir. Users are made with the real
// `bankrec user add/totp` CLI; TOTP codes are computed here. Every page is saved as a screenshot
// in OUT_DIR. A step whose API route this server does not have yet (404 "no such resource") is
// reported as skipped, never as passed.
//
// env: BANKRECD, BANKREC_CLI, CONSOLE_DIST, CONSOLE_DIR (node_modules), SOURCE_DIR, OUT_DIR
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { Daemon, PASSWORD } from './harness.mjs';
import { selfTest, stepNow, totp, base32Decode } from './totp.mjs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const require = createRequire(join(env('CONSOLE_DIR'), 'package.json'));
const { chromium } = require('playwright-core');

const OUT = env('OUT_DIR');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const CAMT = join(env('SOURCE_DIR'), 'tests/fixtures/demo/2026-11-20_camt053.xml');
const MT940 = join(env('SOURCE_DIR'), 'tests/fixtures/demo/2026-11-20.sta');
const OPEN_ITEMS = join(env('SOURCE_DIR'), 'tests/fixtures/demo/open-items.csv');

class Skip extends Error {}
const results = { passed: 0, failed: 0, skipped: 0 };
let shot = 0;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function screenshot(page, name) {
  await page.waitForTimeout(150); // let charts and toasts settle
  const file = join(OUT, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** Skips the step when the server has no such API route yet. */
async function requireApi(page, path) {
  const res = await page.request.get(path);
  if (res.status() === 404) {
    const body = await res.json().catch(() => ({}));
    if (body?.error?.message === 'no such resource') throw new Skip(`${path} is not served by this bankrecd yet`);
  }
  return res;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.passed++;
    console.log(`ok      ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    if (e instanceof Skip) {
      results.skipped++;
      console.log(`skipped ${name}: ${e.message}`);
      return;
    }
    results.failed++;
    console.log(`FAILED  ${name}: ${e.stack ?? e}`);
  }
}

async function signIn(page, base, name, code) {
  await page.goto(base + '/');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  if (code !== undefined) {
    await page.waitForSelector('input[name=totp]');
    await page.fill('input[name=totp]', code);
    await page.click('button[type=submit]');
  }
}

async function main() {
  selfTest();
  const daemon = await Daemon.start({
    bankrecd: env('BANKRECD'),
    cli: env('BANKREC_CLI'),
    dist: env('CONSOLE_DIST'),
    outDir: OUT,
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const consoleErrors = [];
  const newPage = async (locale) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale, viewport: { width: 1360, height: 860 } });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && !/status of 40[134]/.test(m.text()) && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    return page;
  };
  const base = daemon.base;
  try {
    let adminKey;
    await step('users are made with the bankrec CLI (admin with TOTP, a viewer, an approver to enrol)', async () => {
      await daemon.addUser('admin', 'admin');
      adminKey = await daemon.enrol('admin');
      await daemon.addUser('viv', 'viewer');
      await daemon.addUser('appr', 'approver');
      await daemon.bankrec('open-items', 'import', OPEN_ITEMS);
    });

    const page = await newPage('en-GB');
    await step('the console is served: index.html no-store, hashed assets immutable, CSP on every answer', async () => {
      const res = await page.request.get(base + '/');
      check(res.status() === 200, `GET / answered ${res.status()}`);
      check(res.headers()['cache-control'] === 'no-store', `index cache-control ${res.headers()['cache-control']}`);
      check((res.headers()['content-security-policy'] ?? '').includes("default-src 'self'"), 'no CSP on /');
      const html = await res.text();
      const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      check(js, 'index.html names no script');
      const asset = await page.request.get(base + js);
      check(asset.status() === 200, `GET ${js} answered ${asset.status()}`);
      check(asset.headers()['content-type'].startsWith('text/javascript'), `content-type ${asset.headers()['content-type']}`);
      check(asset.headers()['cache-control'].includes('immutable'), `asset cache-control ${asset.headers()['cache-control']}`);
      for (const bad of ['/assets/..%2Findex.html', '/assets/nope-ABCDEFGH.js', '/assets/.hidden', '/etc/passwd'])
        check((await page.request.get(base + bad)).status() === 404, `${bad} was not a 404`);
    });

    await step('login with password and TOTP', async () => {
      await page.goto(base + '/');
      await page.waitForSelector('[data-testid=login-form]');
      await screenshot(page, 'login');
      await signIn(page, base, 'admin');
      await page.waitForSelector('input[name=totp]');
      await screenshot(page, 'login-totp');
      // The CLI used this step's code at enrolment; the next step's is fresh (±1 step is accepted).
      await page.fill('input[name=totp]', totp(adminKey, stepNow() + 1));
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=page-dashboard]');
      check(await page.isVisible('nav >> text=Users'), 'the admin sees no Users link');
      await screenshot(page, 'dashboard-empty');
    });

    await step('upload a CAMT file (drag and drop) and an MT940 (file picker) with per-file outcome', async () => {
      await page.goto(base + '/#/upload');
      await page.waitForSelector('[data-testid=page-upload]');
      await screenshot(page, 'upload-empty');
      const data = readFileSync(CAMT, 'utf8');
      // A real drop event with a DataTransfer holding the file, as a person's drag would send.
      const transfer = await page.evaluateHandle(({ name, text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: 'application/xml' }));
        return dt;
      }, { name: basename(CAMT), text: data });
      await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: transfer });
      await page.setInputFiles('[data-testid=file-input]', MT940);
      await page.waitForFunction(() => {
        const items = [...document.querySelectorAll('[data-testid=uploads] li')];
        return items.length === 2 && items.every((li) => ['done', 'failed'].includes(li.getAttribute('data-state')));
      }, null, { timeout: 60000 });
      await screenshot(page, 'upload-done');
      await requireApi(page, base + '/api/v1/statements');
      const states = await page.$$eval('[data-testid=uploads] li', (lis) => lis.map((li) => `${li.getAttribute('data-state')}: ${li.textContent}`));
      check(states.every((s) => s.startsWith('done')), `uploads did not all succeed: ${states.join(' | ')}`);
    });

    await step('the uploaded CAMT file is in Statements, with its detail', async () => {
      await requireApi(page, base + '/api/v1/statements');
      await page.goto(base + '/#/statements');
      await page.waitForSelector(`[data-testid=statements-table] >> text=${basename(CAMT)}`, { timeout: 20000 });
      await screenshot(page, 'statements');
      await page.click(`[data-testid=statements-table] >> text=${basename(CAMT)}`);
      await page.waitForSelector('[data-testid=page-statement] [data-testid=entries-table]');
      await screenshot(page, 'statement-detail');
    });

    await step('transactions list and a transaction with its details', async () => {
      await requireApi(page, base + '/api/v1/entries');
      await page.goto(base + '/#/transactions');
      await page.waitForSelector('[data-testid=entries-table] tbody tr');
      await screenshot(page, 'transactions');
      await page.click('[data-testid=entries-table] tbody tr >> nth=0');
      await page.waitForSelector('[data-testid=page-transaction] .kv');
      await screenshot(page, 'transaction-detail');
    });

    await step('accept a suggestion in the review queue (key a) and see the audit entry', async () => {
      await requireApi(page, base + '/api/v1/review');
      await requireApi(page, base + '/api/v1/audit');
      // Reconciliation runs as a job after the import: wait until a line with a suggestion waits
      // (one without a write-off: a write-off would ask for step-up, which is not this step's business).
      let target = null;
      for (let i = 0; i < 60 && !target; i++) {
        const body = await (await page.request.get(base + '/api/v1/review?limit=200')).json();
        for (const it of body.items ?? []) {
          const pos = (it.suggestions ?? []).findIndex((sg) => !sg.writeoff);
          if (pos >= 0) {
            target = { id: String(it.entry.id), pos };
            break;
          }
        }
        if (!target) await page.waitForTimeout(500);
      }
      check(target, 'no review item with a suggestion (without write-off) appeared within 30 s');
      await page.goto(base + '/#/review');
      await page.waitForSelector('.review-entry');
      // s skips to the next line until the chosen one is shown.
      const shown = `.review-entry a[href="#/transactions/${target.id}"]`;
      for (let i = 0; i < 200 && !(await page.isVisible(shown)); i++) await page.keyboard.press('s');
      check(await page.isVisible(shown), `line ${target.id} never came up in the review queue`);
      const entryId = target.id;
      await page.click(`[data-testid=suggestion] >> nth=${target.pos}`);
      await screenshot(page, 'review-one');
      await page.keyboard.press('a');
      await page.waitForSelector('.toast-success', { timeout: 15000 });
      await screenshot(page, 'review-accepted');
      const entry = await (await page.request.get(base + '/api/v1/entries/' + entryId)).json().catch(() => null);
      if (entry?.status) check(entry.status === 'reconciled', `entry ${entryId} is ${entry.status} after accept`);
      await page.goto(base + '/#/audit');
      await page.waitForSelector('[data-testid=audit-table] tbody tr');
      const rows = await page.$$eval('[data-testid=audit-table] tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      check(rows.some((r) => /review|accept|match/i.test(r) && r.includes('admin')),
        `no audit entry of the accept by admin among ${rows.length} rows: ${rows.slice(0, 5).join(' | ')}`);
      await screenshot(page, 'audit');
      await page.goto(base + '/#/review?view=table');
      await page.waitForSelector('[data-testid=page-review]');
      await screenshot(page, 'review-table');
    });

    await step('dashboard, errors, connectors, rules, users, settings render', async () => {
      for (const [path, id] of [['/', 'dashboard'], ['/errors', 'errors'], ['/connectors', 'connectors'], ['/rules', 'rules'],
        ['/users', 'users'], ['/settings', 'settings']]) {
        await page.goto(base + '/#' + path);
        await page.waitForSelector(`[data-testid=page-${id}]`);
        await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 15000 });
        await screenshot(page, id);
        if (id === 'users') check(await page.isVisible('[data-testid=users-table] >> text=viv'), 'the users page lists no viv');
      }
    });

    await step('German: the language setting switches the whole console', async () => {
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-de]');
      await page.waitForSelector('h1:has-text("Einstellungen")');
      await page.goto(base + '/#/');
      await page.waitForSelector('h1:has-text("Übersicht")');
      await screenshot(page, 'dashboard-de');
      await page.goto(base + '/#/review');
      await page.waitForSelector('[data-testid=page-review]');
      await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 15000 });
      await screenshot(page, 'review-de');
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-en]');
      await page.waitForSelector('h1:has-text("Settings")');
    });

    await step('logout ends the session', async () => {
      await page.click('[data-testid=sign-out]');
      await page.waitForSelector('[data-testid=login-form]');
      const me = await page.request.get(base + '/api/v1/auth/me');
      check(me.status() === 401, `/auth/me after logout answered ${me.status()}`);
      await page.goto(base + '/#/users');
      await page.waitForSelector('[data-testid=login-form]');
    });

    await step('a viewer cannot reach admin pages', async () => {
      const viewer = await newPage('de-DE');
      await signIn(viewer, base, 'viv');
      await viewer.waitForSelector('[data-testid=page-dashboard]');
      check(!(await viewer.isVisible('nav a[href="#/users"]')), 'the viewer sees the Users link');
      check(!(await viewer.isVisible('nav a[href="#/upload"]')), 'the viewer sees the Upload link');
      await viewer.goto(base + '/#/users');
      await viewer.waitForSelector('[data-testid=forbidden]');
      await screenshot(viewer, 'viewer-users-forbidden');
      const api = await viewer.request.get(base + '/api/v1/users');
      check(api.status() === 403, `GET /api/v1/users as viewer answered ${api.status()}`);
      await viewer.goto(base + '/#/upload');
      await viewer.waitForSelector('[data-testid=forbidden]');
      await viewer.context().close();
    });

    await step('an approver without TOTP must enrol first: QR code, code, recovery codes', async () => {
      const p = await newPage('en-US');
      await signIn(p, base, 'appr');
      await p.waitForSelector('[data-testid=enrol-form] img.qr');
      await screenshot(p, 'enrol');
      const secret = (await p.textContent('[data-testid=totp-secret]')).replace(/\s+/g, '');
      await p.fill('input[name=totp]', totp(base32Decode(secret), stepNow()));
      await p.click('button[type=submit]');
      await p.waitForSelector('[data-testid=recovery-codes] code');
      const codes = await p.$$eval('[data-testid=recovery-codes] code', (c) => c.length);
      check(codes >= 5, `only ${codes} recovery codes shown`);
      await screenshot(p, 'enrol-recovery-codes');
      await p.click('text=I have saved them');
      await p.waitForSelector('[data-testid=page-dashboard]');
      await p.context().close();
    });

    await step('no script errors in the browser console', async () => {
      check(consoleErrors.length === 0, consoleErrors.join('\n'));
    });
  } finally {
    await browser.close();
    await daemon.stop();
  }
  console.log(`e2e: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped (screenshots in ${OUT})`);
  process.exitCode = results.failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
