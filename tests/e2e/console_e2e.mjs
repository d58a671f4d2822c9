// End-to-end test of the web console in real Chromium (Debian's, driven by playwright-core)
// against a real bankrecd on 127.0.0.1 with a temp data dir. Users are made with the real
// `bankrec user add/totp` CLI; TOTP codes are computed here. Every page is saved as a screenshot
// in OUT_DIR. A step whose API route this server does not have yet (404 "no such resource") is
// reported as skipped, never as passed.
//
// A real `bankrec-sandbox` bank plays the XS2A side of a decoupled consent (the account holder
// approves in the banking app after a few status polls).
//
// env: BANKRECD, BANKREC_CLI, BANKREC_SANDBOX, CONSOLE_DIST, CONSOLE_DIR (node_modules), SOURCE_DIR, OUT_DIR
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { Daemon, PASSWORD, Sandbox } from './harness.mjs';
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

/** A code of `key` that is wrong for every step the server accepts now (now ± 1). */
function wrongCode(key) {
  const near = new Set([-1, 0, 1, 2].map((d) => totp(key, stepNow() + d)));
  for (let n = 123456; ; n = (n + 111111) % 1000000) {
    const c = String(n).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

/** Adds a fault to the sandbox bank (POST /_sandbox/faults answers 201 with the fault). */
function addFault(bank, fault) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(fault);
    const req = httpsRequest(bank.url + '/_sandbox/faults', {
      method: 'POST', ca: bank.ca, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, timeout: 10000,
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(`POST /_sandbox/faults answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** Waits until `fn` (in the page) is truthy; a clear message instead of a bare timeout. */
async function waitText(page, selector, pattern, timeout = 15000) {
  try {
    await page.waitForFunction(({ selector, source }) => {
      const el = document.querySelector(selector);
      return !!el && new RegExp(source).test(el.textContent ?? '');
    }, { selector, source: pattern.source }, { timeout });
  } catch {
    const text = await page.textContent(selector).catch(() => null);
    throw new Error(`${selector} did not show ${pattern} within ${timeout} ms (it shows: ${JSON.stringify(text)})`);
  }
}

async function main() {
  selfTest();
  const bank = await Sandbox.start({ binary: env('BANKREC_SANDBOX'), outDir: OUT, args: ['--xs2a-sca', 'decoupled'] });
  // The banking app approves on the bank's third status poll: the console shows the wait first.
  await bank.configure('/_sandbox/xs2a', { decoupled_polls: 3, decoupled_outcome: 'approve' });
  const bankIban = await bank.iban('musterbank');
  const connectors = `connectors:
  - name: musterbank
    type: xs2a
    base_url: ${bank.url}/v1
    accounts: [${bankIban}]
    schedule: daily 06:00
    history_days: 20
    jitter_minutes: 0
    options:
      client_id: PSDDE-BAFIN-123456
      sca_approach: decoupled
      psu_id: muster-psu
      sca_poll_ms: 1000
      sca_timeout_seconds: 60
    tls:
      ca_file: ${bank.cert}
`;
  let daemon;
  try {
    daemon = await Daemon.start({
      bankrecd: env('BANKRECD'),
      cli: env('BANKREC_CLI'),
      dist: env('CONSOLE_DIST'),
      outDir: OUT,
      extraConfig: connectors,
    });
  } catch (e) {
    await bank.stop();
    throw e;
  }
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
    let acceptedEntry = null;
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

    // The MT940 fixture with a debit/credit mark no bank writes: the parser names line, column, byte and field.
    const broken = readFileSync(MT940, 'utf8').replace(/^:61:(.{10})C/m, ':61:$1X');
    await step('a broken file fails with its line; Errors shows it labelled, with its original to download', async () => {
      await page.goto(base + '/#/upload');
      await page.waitForSelector('[data-testid=page-upload]');
      await page.setInputFiles('[data-testid=file-input]', { name: 'broken-2026-11-20.sta', mimeType: 'text/plain', buffer: Buffer.from(broken) });
      await page.waitForSelector('[data-testid=uploads] li[data-state=failed]', { timeout: 60000 });
      const outcome = await page.textContent('[data-testid=uploads] li[data-state=failed]');
      check(/line 6, column 15, byte 147, field :61: — invalid debit\/credit mark/.test(outcome), `upload outcome: ${outcome}`);
      await screenshot(page, 'upload-broken');
      await requireApi(page, base + '/api/v1/errors');
      await page.goto(base + '/#/errors?kind=parse');
      await page.waitForSelector('[data-testid=errors-table] [data-testid=error-download]', { timeout: 20000 });
      await waitText(page, '[data-testid=errors-table] .error-frame', /^line 6 · column 15 · byte 147 · field :61:$/);
      const link = await page.getAttribute('[data-testid=error-download]', 'href');
      const listed = await (await page.request.get(base + '/api/v1/errors?kind=parse')).json();
      const failed = (listed.items ?? []).find((e) => e.detail === 'broken-2026-11-20.sta');
      check(failed && link === `/api/v1/files/${failed.id}/original`, `download link ${link} for ${JSON.stringify(failed)}`);
      const original = await page.request.get(base + link);
      check(original.status() === 200, `GET ${link} answered ${original.status()}`);
      check((await original.body()).equals(Buffer.from(broken)), 'the downloaded original is not the uploaded file');
      check(/broken-2026-11-20\.sta/.test(original.headers()['content-disposition'] ?? ''), `content-disposition ${original.headers()['content-disposition']}`);
      await screenshot(page, 'errors-parse');
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
      // The day filter speaks the user's format (en-GB here), not Chromium's date picker.
      const from = page.getByLabel('From', { exact: true });
      check(await from.getAttribute('placeholder') === 'DD/MM/YYYY', `placeholder ${await from.getAttribute('placeholder')}`);
      check(await from.getAttribute('type') === 'text', 'the From filter is still a browser date input');
      await from.fill('2026-11-20');
      await from.press('Enter');
      await page.waitForFunction(() => /[?&]from=2026-11-20(&|$)/.test(location.hash));
      check(await from.inputValue() === '20/11/2026', `an ISO day typed in en-GB shows as ${await from.inputValue()}`);
      await from.fill('');
      await from.press('Enter');
      await page.waitForFunction(() => !/[?&]from=/.test(location.hash));
      await page.waitForSelector('[data-testid=entries-table] tbody tr');
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
      acceptedEntry = entryId;
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
      // The chain status: the page's check went on from the last walk (the first request after start
      // walked the whole chain); the button walks the whole chain again.
      await page.waitForSelector('[data-testid=chain-ok]');
      await page.click('[data-testid=verify-whole-chain]');
      await page.waitForFunction(() => /just now|eben durchlaufen/.test(document.querySelector('[data-testid=chain-when]')?.textContent ?? ''));
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

    await step('Connectors: a decoupled XS2A consent is started, waits for the banking app, then is valid', async () => {
      await requireApi(page, base + '/api/v1/connectors/musterbank/consent');
      await page.goto(base + '/#/connectors');
      await page.waitForSelector('[data-testid=connector-musterbank]');
      await page.click('[data-testid=reauth-musterbank]');
      // The admin signed in with a code minutes ago: step-up is still fresh, no dialog.
      await page.waitForSelector('[data-testid=connector-musterbank] [data-testid=consent-pending]', { timeout: 15000 });
      await waitText(page, '[data-testid=consent-pending]', /banking app/);
      await screenshot(page, 'connectors-consent-waiting');
      const pending = await (await page.request.get(base + '/api/v1/connectors/musterbank/consent')).json();
      check(pending.approach === 'decoupled', `consent approach ${JSON.stringify(pending)}`);
      await page.waitForSelector('[data-testid=connector-musterbank] [data-testid=consent-valid]', { timeout: 60000 });
      const done = await (await page.request.get(base + '/api/v1/connectors/musterbank/consent')).json();
      check(done.state === 'valid' && /^\d{4}-\d{2}-\d{2}$/.test(done.valid_until ?? ''), `consent progress ${JSON.stringify(done)}`);
      // The day in the page's locale (en-GB: DD/MM/YYYY), in the notice and in the card once reloaded.
      const [y, m, d] = done.valid_until.split('-');
      await waitText(page, '[data-testid=connector-musterbank] [data-testid=consent-valid]', new RegExp(`valid until ${d}/${m}/${y}`));
      await waitText(page, '[data-testid=connector-musterbank] [data-testid=consent-expires]', new RegExp(`${d}/${m}/${y}`));
      const list = await (await page.request.get(base + '/api/v1/connectors')).json();
      const c = list.items.find((x) => x.name === 'musterbank');
      check(c?.consent_state === 'valid' && c?.state === 'active', `connector after consent: ${JSON.stringify(c)}`);
      await screenshot(page, 'connectors-consent-valid');
      const audit = await (await page.request.get(base + '/api/v1/audit?limit=50')).json();
      const rows = (audit.items ?? []).map((r) => JSON.stringify(r));
      check(rows.some((r) => r.includes('connector.consent') && r.includes('admin') && r.includes('musterbank')),
        `no connector.consent audit entry by admin: ${rows.slice(0, 5).join(' | ')}`);
    });

    let failedFetch = false;
    await step('a failed fetch: the connection log and Errors name the request and the job in words, the code as tooltip', async () => {
      await requireApi(page, base + '/api/v1/errors');
      // The bank refuses the next account request (consent expired): the fetch stops for good
      // (a dead letter) and the refused request is a connector error.
      await addFault(bank, { path: '/v1/accounts*', fault: 'consent_expired', count: 1 });
      await page.goto(base + '/#/connectors');
      await page.waitForSelector('[data-testid=connector-musterbank]');
      await page.click('[data-testid=connector-musterbank] >> xpath=ancestor::section >> button:has-text("Run now")');
      let dead = null;
      let refused = null;
      for (let i = 0; i < 60 && !(dead && refused); i++) {
        const errors = await (await page.request.get(base + '/api/v1/errors?limit=50')).json();
        dead = (errors.items ?? []).find((e) => e.kind === 'dead_letter' && e.source === 'fetch') ?? null;
        refused = (errors.items ?? []).find((e) => e.kind === 'connector' && e.source === 'musterbank') ?? null;
        if (!(dead && refused)) await page.waitForTimeout(500);
      }
      check(dead, 'no dead letter of the fetch job within 30 s');
      check(refused, 'no connector error of musterbank within 30 s');
      failedFetch = true;
      await page.goto(base + '/#/errors');
      await page.waitForSelector('[data-testid=errors-table] [data-testid=error-job]');
      await waitText(page, '[data-testid=errors-table] [data-testid=error-job]', /^Job: Fetch from the bank$/);
      check(await page.getAttribute('[data-testid=error-job]', 'title') === 'fetch', 'the job kind code is not the tooltip');
      const request = await page.textContent('[data-testid=errors-table] [data-testid=error-request]');
      const op = refused.message.split(':')[0];
      check(/^Request (Accounts|Transactions|Account|Balances): HTTP error 401$/.test(request.trim()), `connector error shown as ${JSON.stringify(request)} (server: ${refused.message})`);
      check(await page.getAttribute('[data-testid=error-request]', 'title') === refused.message, 'the raw message is not the tooltip');
      await screenshot(page, 'errors-failed-fetch');
      await page.goto(base + '/#/connectors');
      await page.waitForSelector('[data-testid=connector-musterbank]');
      await page.click('[data-testid=connector-musterbank] >> xpath=ancestor::section >> button[aria-expanded]');
      await page.waitForSelector('[data-testid=log-operation]');
      const ops = await page.$$eval('[data-testid=log-operation]', (els) => els.map((e) => [e.textContent, e.getAttribute('title')]));
      check(ops.some(([text, code]) => code === op && text !== op), `the log shows ${op} raw: ${JSON.stringify(ops)}`);
      check(ops.every(([text, code]) => text && code && text !== code), `raw operation codes in the log: ${JSON.stringify(ops)}`);
      await screenshot(page, 'connectors-log');
    });

    await step('German: the language setting switches the whole console', async () => {
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-de]');
      await page.waitForSelector('h1:has-text("Einstellungen")');
      await page.goto(base + '/#/');
      await page.waitForSelector('h1:has-text("Übersicht")');
      // Amounts in German form (1.234,56 €), also after a reload: the saved choice, not the page's en-GB.
      for (let round = 0; round < 2; round++) {
        if (round) await page.reload();
        await page.waitForSelector('h1:has-text("Übersicht")');
        await page.waitForSelector('.tile-value');
        await waitText(page, '.tile-value', /^-?[\d.]+,\d{2}\s€$/);
      }
      await screenshot(page, 'dashboard-de');
      await page.goto(base + '/#/review');
      await page.waitForSelector('[data-testid=page-review]');
      await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 15000 });
      // The engine's reasons (English on the server) in German, amounts in German form.
      await page.waitForSelector('[data-testid=reasons] li');
      const reasons = await page.$$eval('[data-testid=reasons] li', (lis) => lis.map((li) => li.textContent ?? ''));
      const english = /counterparty|document number|amount equal|partner's|open item|below the auto|cash discount|taken within/i;
      check(reasons.every((r) => !english.test(r)), `English reasons in the German review queue: ${reasons.join(' | ')}`);
      check(reasons.some((r) => /Belegnummer|IBAN der Gegenseite|Betrag stimmt überein|Kundennummer|Gegenseite|Skonto/.test(r)),
        `no German reason: ${reasons.join(' | ')}`);
      const writeoffs = await page.$$eval('[data-testid=writeoff]', (ps) => ps.map((p) => p.textContent ?? ''));
      check(writeoffs.every((w) => !/cash discount|service provider fee|small overpayment|counter-booking/.test(w)), `English write-off: ${writeoffs.join(' | ')}`);
      await screenshot(page, 'review-de');
      await page.goto(base + '/#/review?view=table');
      await page.waitForSelector('[data-testid=review-table]');
      await screenshot(page, 'review-table-de');
      if (acceptedEntry) {
        await page.goto(base + '/#/transactions/' + acceptedEntry);
        await page.waitForSelector('[data-testid=match-reasons] li');
        const shown = await page.$$eval('[data-testid=match-reasons] li', (lis) => lis.map((li) => li.textContent ?? ''));
        check(shown.every((r) => !english.test(r)), `English reasons in the German transaction: ${shown.join(' | ')}`);
        await screenshot(page, 'transaction-detail-de');
      }
      await page.goto(base + '/#/errors');
      await page.waitForSelector('[data-testid=errors-table]');
      await waitText(page, '[data-testid=errors-table] .error-frame', /^Zeile 6 · Spalte 15 · Byte 147 · Feld :61:$/);
      await screenshot(page, 'errors-de');
      await page.goto(base + '/#/statements');
      await page.waitForSelector('[data-testid=statements-table]');
      await screenshot(page, 'statements-de');
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-en]');
      await page.waitForSelector('h1:has-text("Settings")');
      // Back to the browser's language (en-GB here): the server forgets the choice.
      await page.click('[data-testid=lang-browser]');
      await page.waitForFunction(() => document.querySelector('[data-testid=lang-browser]')?.getAttribute('aria-checked') === 'true');
      let prefs = null;
      for (let i = 0; i < 20 && prefs?.chosen !== false; i++) {
        prefs = await (await page.request.get(base + '/api/v1/me/preferences')).json();
        if (prefs.chosen !== false) await page.waitForTimeout(250);
      }
      check(prefs?.chosen === false, `after "browser default" the preferences are ${JSON.stringify(prefs)}`);
      await page.reload();
      await page.waitForSelector('h1:has-text("Settings")');
    });

    await step('German: days typed as TT.MM.JJJJ filter the transactions; operations and jobs in German', async () => {
      await requireApi(page, base + '/api/v1/entries');
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-de]');
      await page.waitForSelector('h1:has-text("Einstellungen")');
      await page.goto(base + '/#/transactions');
      await page.waitForSelector('[data-testid=entries-table] tbody tr');
      const from = page.getByLabel('Von', { exact: true });
      const to = page.getByLabel('Bis', { exact: true });
      check(await from.getAttribute('placeholder') === 'TT.MM.JJJJ', `placeholder ${await from.getAttribute('placeholder')}`);
      const shownDays = async () => page.$$eval('[data-testid=entries-table] tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
      const german = (iso) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
      const listed = async (query) => ((await (await page.request.get(base + '/api/v1/entries?limit=50&' + query)).json()).items ?? []).map((e) => german(e.booking_date));
      const waitRows = async (want) => {
        try {
          await page.waitForFunction((want) => {
            const rows = [...document.querySelectorAll('[data-testid=entries-table] tbody tr td:first-child')].map((td) => td.textContent);
            return JSON.stringify(rows) === JSON.stringify(want);
          }, want, { timeout: 15000 });
        } catch {
          throw new Error(`the list shows ${JSON.stringify(await shownDays())}, the API ${JSON.stringify(want)}`);
        }
      };
      const all = await (await page.request.get(base + '/api/v1/entries?limit=200')).json();
      const days = [...new Set((all.items ?? []).map((e) => e.booking_date))].sort();
      check(days.length >= 1, 'no booked lines');
      const year = new Date().toISOString().slice(0, 4);
      const shift = (iso, n) => new Date(Date.parse(iso + 'T00:00:00Z') + n * 86400e3).toISOString().slice(0, 10);
      // "1.1." is the first of January this year; Tab (leaving the field) applies it.
      await from.fill('1.1.');
      await from.press('Tab');
      await page.waitForFunction((y) => new RegExp(`[?&]from=${y}-01-01(&|$)`).test(location.hash), year);
      check(await from.inputValue() === `01.01.${year}`, `"1.1." shows as ${await from.inputValue()}`);
      await waitRows(await listed(`from=${year}-01-01`));
      // The last booking day as TT.MM.JJJJ, applied with Enter: that day's lines.
      const last = days[days.length - 1];
      await from.fill(german(last));
      await from.press('Enter');
      await page.waitForFunction((d) => new RegExp(`[?&]from=${d}(&|$)`).test(location.hash), last);
      const lastRows = await listed(`from=${last}`);
      check(lastRows.length > 0 && lastRows.every((d) => d === german(last)), `the API's lines from ${last}: ${lastRows.join(', ')}`);
      await waitRows(lastRows);
      // Arrow up: one day later, applied with Enter: none of the last day's lines is left.
      await from.press('ArrowUp');
      check(await from.inputValue() === german(shift(last, 1)), `arrow up from ${german(last)} shows ${await from.inputValue()}`);
      await from.press('Enter');
      await page.waitForFunction((d) => new RegExp(`[?&]from=${d}(&|$)`).test(location.hash), shift(last, 1));
      const laterRows = await listed(`from=${shift(last, 1)}`);
      check(laterRows.length < lastRows.length, `from the day after ${last} the API still lists ${laterRows.length} lines`);
      await waitRows(laterRows);
      // Arrow down twice: the day before the last one.
      await from.press('ArrowDown');
      await from.press('ArrowDown');
      check(await from.inputValue() === german(shift(last, -1)), `arrow down twice shows ${await from.inputValue()}`);
      await from.press('Enter');
      await page.waitForFunction((d) => new RegExp(`[?&]from=${d}(&|$)`).test(location.hash), shift(last, -1));
      // A short form in "Bis": day and month without zeros, a two-digit year.
      await to.fill(`${+last.slice(8, 10)}.${+last.slice(5, 7)}.${last.slice(2, 4)}`);
      await to.press('Enter');
      await page.waitForFunction((d) => new RegExp(`[?&]to=${d}(&|$)`).test(location.hash), last);
      check(await to.inputValue() === german(last), `the short form shows as ${await to.inputValue()}`);
      const rangeRows = await listed(`from=${shift(last, -1)}&to=${last}`);
      check(rangeRows.length > 0, `nothing listed from ${shift(last, -1)} to ${last}`);
      await waitRows(rangeRows);
      await to.fill('');
      await to.press('Enter');
      await page.waitForFunction(() => !/[?&]to=/.test(location.hash));
      const hashBefore = await page.evaluate(() => location.hash);
      const rowsBefore = await shownDays();
      // A day that does not exist: named inline, not applied.
      await to.fill('31.02.2026');
      await to.press('Enter');
      await page.waitForSelector('[data-testid=filter-to] .field-error');
      await waitText(page, '[data-testid=filter-to] .field-error', /^31\.02\.2026: diesen Tag gibt es nicht$/);
      check(await to.getAttribute('aria-invalid') === 'true', 'the invalid field is not marked aria-invalid');
      check(await page.evaluate(() => location.hash) === hashBefore, `an invalid day changed the URL to ${await page.evaluate(() => location.hash)}`);
      check(JSON.stringify(await shownDays()) === JSON.stringify(rowsBefore), 'an invalid day changed the list');
      await screenshot(page, 'transactions-date-error-de');
      await to.fill('irgendwann');
      await to.press('Enter');
      await waitText(page, '[data-testid=filter-to] .field-error', /Kein Datum: bitte TT\.MM\.JJJJ eingeben/);
      await to.press('Escape');
      check(!(await page.isVisible('[data-testid=filter-to] .field-error')), 'Escape left the error');
      check(await to.inputValue() === '', `Escape left ${await to.inputValue()}`);
      await screenshot(page, 'transactions-date-filter-de');
      // The audit log's filter is the same field.
      await page.goto(base + '/#/audit');
      await page.waitForSelector('[data-testid=page-audit]');
      const auditFrom = page.getByLabel('Von', { exact: true });
      await auditFrom.fill(german(last));
      await auditFrom.press('Enter');
      await page.waitForFunction((d) => new RegExp(`[?&]from=${d}(&|$)`).test(location.hash), last);
      await page.waitForSelector('[data-testid=audit-table] [data-testid=audit-action]');
      // Actions in words, the code as tooltip (and the value the action filter takes).
      const actions = await page.$$eval('[data-testid=audit-action]', (els) => els.map((e) => [e.textContent, e.getAttribute('title')]));
      check(actions.some(([text, code]) => code === 'reconcile.accept' && text === 'Vorschlag übernommen'), `audit actions: ${JSON.stringify(actions.slice(0, 8))}`);
      check(actions.every(([text, code]) => text !== code), `untranslated audit actions: ${actions.filter(([a, b]) => a === b).map(([a]) => a).join(', ')}`);
      await screenshot(page, 'audit-de');
      if (failedFetch) {
        await page.goto(base + '/#/errors');
        await page.waitForSelector('[data-testid=errors-table] [data-testid=error-job]');
        await waitText(page, '[data-testid=errors-table] [data-testid=error-job]', /^Auftrag: Abruf von der Bank$/);
        await waitText(page, '[data-testid=errors-table] [data-testid=error-request]', /^Anfrage (Konten|Umsätze|Konto|Salden): HTTP-Fehler 401$/);
        await screenshot(page, 'errors-failed-fetch-de');
        await page.goto(base + '/#/connectors');
        await page.waitForSelector('[data-testid=connector-musterbank]');
        await page.click('[data-testid=connector-musterbank] >> xpath=ancestor::section >> button[aria-expanded]');
        await page.waitForSelector('[data-testid=log-operation]');
        const ops = await page.$$eval('[data-testid=log-operation]', (els) => els.map((e) => e.textContent ?? ''));
        check(ops.some((o) => /Zustimmung|Konten|Umsätze/.test(o)), `no German operation in the log: ${ops.join(' | ')}`);
        check(ops.every((o) => !/^(consent|accounts|transactions|token|consent-status)$/.test(o)), `English operation codes in the log: ${ops.join(' | ')}`);
        await screenshot(page, 'connectors-log-de');
      }
      await page.goto(base + '/#/settings');
      await page.click('[data-testid=lang-browser]');
      await page.waitForFunction(() => document.querySelector('[data-testid=lang-browser]')?.getAttribute('aria-checked') === 'true');
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

    await step('a viewer cannot reach admin pages; never having chosen, a German browser gets German', async () => {
      const viewer = await newPage('de-DE');
      await signIn(viewer, base, 'viv');
      await viewer.waitForSelector('[data-testid=page-dashboard]');
      const prefs = await (await viewer.request.get(base + '/api/v1/me/preferences')).json();
      check(prefs.chosen === false, `the viewer's preferences: ${JSON.stringify(prefs)}`);
      await viewer.waitForSelector('h1:has-text("Übersicht")');
      await waitText(viewer, '.tile-value', /^-?[\d.]+,\d{2}\s€$/);
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

    let approver = null;
    await step('an approver without TOTP must enrol first: QR code, code, recovery codes', async () => {
      const p = await newPage('en-US');
      await signIn(p, base, 'appr');
      await p.waitForSelector('[data-testid=enrol-form] img.qr');
      await screenshot(p, 'enrol');
      const secret = (await p.textContent('[data-testid=totp-secret]')).replace(/\s+/g, '');
      const enrolStep = stepNow();
      await p.fill('input[name=totp]', totp(base32Decode(secret), enrolStep));
      await p.click('button[type=submit]');
      await p.waitForSelector('[data-testid=recovery-codes] code');
      const codes = await p.$$eval('[data-testid=recovery-codes] code', (c) => c.length);
      check(codes >= 5, `only ${codes} recovery codes shown`);
      await screenshot(p, 'enrol-recovery-codes');
      await p.click('text=I have saved them');
      await p.waitForSelector('[data-testid=page-dashboard]');
      approver = { page: p, key: base32Decode(secret), lastStep: enrolStep };
    });

    await step('step-up: approving a write-off asks for a fresh code; a wrong one is refused, the right one approves', async () => {
      check(approver, 'no signed-in approver (enrolment failed)');
      const { page: p, key } = approver;
      await requireApi(p, base + '/api/v1/review');
      // The approver enrolled with a code but signed in without one: step-up is not fresh.
      const me = await (await p.request.get(base + '/api/v1/auth/me')).json();
      check(me.step_up_fresh === false, `the approver's session is stepped up already: ${JSON.stringify(me)}`);
      let target = null;
      const body = await (await p.request.get(base + '/api/v1/review?limit=200')).json();
      for (const it of body.items ?? []) {
        const pos = (it.suggestions ?? []).findIndex((sg) => sg.writeoff);
        if (pos >= 0) {
          target = { id: String(it.entry.id), pos };
          break;
        }
      }
      check(target, 'no review item with a write-off suggestion');
      await p.goto(base + '/#/review');
      await p.waitForSelector('.review-entry');
      const shown = `.review-entry a[href="#/transactions/${target.id}"]`;
      for (let i = 0; i < 200 && !(await p.isVisible(shown)); i++) await p.keyboard.press('s');
      check(await p.isVisible(shown), `line ${target.id} never came up in the review queue`);
      // Keyboard only: the suggestion's number selects it, a accepts.
      await p.keyboard.press(String(target.pos + 1));
      await p.keyboard.press('a');
      await p.waitForSelector('[data-testid=step-up]');
      check(await p.evaluate(() => document.activeElement?.getAttribute('name') === 'stepup-code'), 'the code field has no focus');
      await screenshot(p, 'step-up');
      await p.keyboard.type(wrongCode(key));
      await p.keyboard.press('Enter');
      await waitText(p, '[data-testid=step-up] .notice-error', /not accepted/);
      await screenshot(p, 'step-up-wrong-code');
      check(!(await p.isVisible('.toast-success')), 'the write-off was approved with a wrong code');
      const stillReview = await (await p.request.get(base + '/api/v1/entries/' + target.id)).json().catch(() => null);
      if (stillReview?.status) check(stillReview.status === 'review', `entry ${target.id} is ${stillReview.status} after a wrong code`);
      // The next step's code: the enrolment used this one (a replay is refused).
      const step = Math.max(approver.lastStep + 1, stepNow());
      await p.keyboard.type(totp(key, step));
      await p.keyboard.press('Enter');
      await p.waitForSelector('.toast-success', { timeout: 15000 });
      check(!(await p.isVisible('[data-testid=step-up]')), 'the step-up dialog stayed open');
      await screenshot(p, 'step-up-approved');
      const entry = await (await p.request.get(base + '/api/v1/entries/' + target.id)).json().catch(() => null);
      if (entry?.status) check(entry.status === 'reconciled', `entry ${target.id} is ${entry.status} after the write-off`);
      const audit = await (await p.request.get(base + '/api/v1/audit?limit=50')).json();
      const rows = (audit.items ?? []).map((r) => JSON.stringify(r));
      check(rows.some((r) => r.includes('auth.step_up') && r.includes('appr')), 'no auth.step_up audit entry of appr');
      check(rows.some((r) => /reconcile\.accept|review\.accept/.test(r) && r.includes('appr')),
        `no audit entry of the write-off approval by appr: ${rows.slice(0, 6).join(' | ')}`);
      await p.goto(base + '/#/audit');
      await p.waitForSelector('[data-testid=audit-table] tbody tr');
      await screenshot(p, 'audit-step-up');
      await p.context().close();
    });

    await step('no script errors in the browser console', async () => {
      check(consoleErrors.length === 0, consoleErrors.join('\n'));
    });
  } finally {
    await browser.close();
    await daemon.stop();
    await bank.stop();
  }
  console.log(`e2e: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped (screenshots in ${OUT})`);
  process.exitCode = results.failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
