// A real bankrecd on 127.0.0.1 with a temp data dir, and the real `bankrec` CLI beside it.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32Decode, stepNow, totp } from './totp.mjs';

export const PASSWORD = 'Kaffeetasse+Regenschirm';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET over TLS, trusting only the daemon's own (self-signed) certificate; resolves the status. */
function getStatus(url, ca) {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Runs a command to its end; `input` goes to stdin, `onLine` sees stdout lines and may answer. */
export function run(argv, { input, onLine, log } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let pending = '';
    const take = (chunk) => {
      const text = chunk.toString();
      out += text;
      log?.write(text);
      pending += text;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const answer = onLine?.(line);
        if (answer !== undefined) {
          child.stdin.write(answer + '\n');
          child.stdin.end();
        }
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`))));
    if (input !== undefined) {
      child.stdin.write(input);
      child.stdin.end();
    } else if (!onLine) {
      child.stdin.end();
    }
  });
}

/** POST JSON over TLS to a server whose certificate is `ca`; resolves { status, body }. */
function postJson(url, ca, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', ca, timeout: 5000, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

function getJson(url, ca) {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new Error(`${url} answered ${res.statusCode} with no JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The real `bankrec-sandbox` bank (XS2A, Bridge, GoCardless) on a free loopback port with its own TLS certificate. */
export class Sandbox {
  static async start({ binary, outDir, args = [] }) {
    const s = new Sandbox();
    s.dir = mkdtempSync(join(tmpdir(), 'bankrec-e2e-bank-'));
    s.log = createWriteStream(join(outDir, 'sandbox.log'));
    s.proc = spawn(binary, ['--listen', '127.0.0.1:0', '--data-dir', s.dir, '--seed', '13', '--days', '20', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    s.exited = new Promise((resolve) => s.proc.on('exit', resolve));
    s.proc.stderr.pipe(s.log);
    let out = '';
    let timer;
    await new Promise((resolve, reject) => {
      s.proc.stdout.on('data', (chunk) => {
        out += chunk.toString();
        s.log.write(chunk);
        if (/^ready$/m.test(out)) resolve();
      });
      s.proc.on('exit', (code) => reject(new Error(`bankrec-sandbox exited ${code} (see sandbox.log)`)));
      timer = setTimeout(() => reject(new Error('bankrec-sandbox was not ready within 30 s')), 30000);
    }).finally(() => clearTimeout(timer));
    s.url = /^url=(.*)$/m.exec(out)?.[1];
    s.cert = /^cert=(.*)$/m.exec(out)?.[1];
    if (!s.url || !s.cert) throw new Error(`bankrec-sandbox printed no url= or cert=:\n${out}`);
    s.ca = readFileSync(s.cert);
    return s;
  }

  /** POST /_sandbox/... (the sandbox's own switches: the banking app's behaviour, faults). */
  async configure(path, body) {
    const r = await postJson(this.url + path, this.ca, body);
    if (r.status !== 200) throw new Error(`POST ${path} answered ${r.status}: ${r.body}`);
  }

  /** IBAN of the sandbox's first account of `bank` (cash account type CACC). */
  async iban(bank) {
    const state = await getJson(this.url + '/_sandbox/state', this.ca);
    const a = (state.accounts ?? []).find((x) => x.bank === bank && x.type === 'CACC' && typeof x.iban === 'string');
    if (!a) throw new Error(`the sandbox has no CACC account of ${bank}`);
    return a.iban;
  }

  async stop() {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(timer);
    }
    this.log.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Daemon {
  /** `extraConfig`: more bankrec.yaml (top-level keys, e.g. a connectors: list). */
  static async start({ bankrecd, cli, dist, outDir, extraConfig = '' }) {
    const d = new Daemon();
    d.cli = cli;
    d.dir = mkdtempSync(join(tmpdir(), 'bankrec-e2e-'));
    d.data = join(d.dir, 'data');
    d.port = await freePort();
    d.base = `https://127.0.0.1:${d.port}`;
    d.config = join(d.dir, 'bankrec.yaml');
    // Rules that post nothing by themselves: every line with a candidate waits in the review queue.
    const rules = join(d.dir, 'rules.yaml');
    writeFileSync(rules, 'thresholds:\n  auto: 100\n  margin: 100\n  suggest_minimum: 1\npartial_payments:\n  auto: false\n');
    writeFileSync(d.config, `data_dir: ${d.data}\nconsole:\n  assets_dir: ${dist}\nreconcile:\n  rules: ${rules}\n${extraConfig}`);
    d.log = createWriteStream(join(outDir, 'bankrecd.log'));
    d.cliLog = createWriteStream(join(outDir, 'cli.log'));
    d.proc = spawn(bankrecd, ['--config', d.config, '--data-dir', d.data, '--listen', `127.0.0.1:${d.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC' },
    });
    d.proc.stdout.pipe(d.log);
    d.proc.stderr.pipe(d.log);
    d.exited = new Promise((resolve) => d.proc.on('exit', resolve));
    for (let i = 0; i < 600; i++) {
      if (d.proc.exitCode !== null) throw new Error(`bankrecd exited ${d.proc.exitCode} (see bankrecd.log)`);
      const cert = join(d.data, 'tls', 'cert.pem');
      try {
        if (existsSync(cert) && (await getStatus(d.base + '/healthz', readFileSync(cert))) === 200) return d;
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    throw new Error('bankrecd did not come up within 60 s (see bankrecd.log)');
  }

  bankrec(...args) {
    return run([this.cli, '--config', this.config, '--data-dir', this.data, ...args], { log: this.cliLog });
  }

  addUser(name, role) {
    return run([this.cli, '--config', this.config, '--data-dir', this.data, 'user', 'add', name, '--role', role], {
      input: PASSWORD + '\n',
      log: this.cliLog,
    });
  }

  /** `bankrec user totp NAME`, answered with the current code; returns the shared secret. */
  async enrol(name) {
    let secret;
    await run([this.cli, '--config', this.config, '--data-dir', this.data, 'user', 'totp', name], {
      log: this.cliLog,
      onLine: (line) => {
        const m = /^otpauth:\/\/totp\/.*[?&]secret=([A-Z2-7]+)/.exec(line.trim());
        if (!m) return undefined;
        secret = base32Decode(m[1]);
        return totp(secret, stepNow());
      },
    });
    if (!secret) throw new Error(`bankrec user totp ${name} printed no otpauth uri`);
    return secret;
  }

  async stop() {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      await this.exited;
      clearTimeout(timer);
    }
    this.log.end();
    this.cliLog.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
