// The console's translations of the daemon's machine codes (console/src/codes.ts) against the C++
// that writes them; no browser, no daemon.
// 1. Connector operations: the `operation` argument of every request a connector sends
//    (ConnectorContext::send and the wrappers that pass it on: send_ais, OAuthClient::send,
//    token_request, linked_requisition, the Call{method, path, body, operation, ...} structs)
//    in daemon/connectors/src. A literal is a code; an argument that only passes `operation` on is
//    fine; anything else fails, so a new way of naming an operation is looked at, not missed.
// 2. Outcomes of a request: "ok" and net::http_errc_name's names (daemon/net/src/http_error.cpp).
// 3. Job kinds: kKindNames in daemon/store/src/jobs_repo.cpp.
// 4. Audit actions: the action (second member) of every AuditRecord written in daemon/ (outside
//    the sandbox bank and tests): braced records passed to append/audit/append_audit, and the
//    store's audit(store, actor, "action", ...) helper. A non-literal action fails the same way.
// Every code must have a German and an English text that is not the code itself (except "OK"),
// and the text functions must give it in each language and the raw code for an unknown one.
//
// env: CONSOLE_DIR, SOURCE_DIR
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Checks, env } from './checks.mjs';

const CONSOLE = env('CONSOLE_DIR');
const SOURCE = env('SOURCE_DIR');
const require = createRequire(join(CONSOLE, 'package.json'));
const esbuild = require('esbuild');

const checks = new Checks();
const check = (name, problems) => checks.check(name, problems);

/** C++ text without // and block comments (string literals kept as they are). */
function stripComments(text) {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The top-level arguments of the call or braced list whose opening bracket is at `open`. */
function argumentsAt(text, open) {
  const closing = { '(': ')', '{': '}', '[': ']' };
  const stack = [closing[text[open]]];
  const args = [];
  let start = open + 1;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (closing[c]) {
      stack.push(closing[c]);
    } else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) {
        args.push(text.slice(start, i).trim());
        return args;
      }
    } else if (c === ',' && stack.length === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return null;
}

const lineOf = (text, index) => text.slice(0, index).split('\n').length;

// An argument that passes a caller's operation on, or declares the parameter.
const passesOn = /^(?:(?:const\s+)?std::string(?:_view)?\s*&?\s+)?(?:std::string\()?(?:call\.)?operation\)?$/;

// Where an operation is named: a regular expression ending at the opening bracket, and the index
// of the operation among the arguments.
const sites = [
  { name: 'ctx.send', re: /\bctx\.send\(/g, arg: 1 },
  { name: 'send_ais', re: /\bsend_ais\(/g, arg: 2 },
  { name: 'oauth_.send', re: /\boauth_\.send\(/g, arg: 2 },
  { name: 'token_request', re: /\btoken_request\(/g, arg: 3 },
  { name: 'linked_requisition', re: /\blinked_requisition\(/g, arg: 1 },
  { name: 'Call{}', re: /(?<!struct\s+)\bCall(?:\s+\w+)?\s*\{/g, arg: 3 },
];

function connectorOperations() {
  const dir = join(SOURCE, 'daemon/connectors/src');
  const codes = new Map(); // code -> first place
  const problems = [];
  const counts = Object.fromEntries(sites.map((s) => [s.name, 0]));
  for (const file of readdirSync(dir).filter((f) => /\.(cpp|h)$/.test(f)).sort()) {
    const text = stripComments(readFileSync(join(dir, file), 'utf8'));
    for (const site of sites) {
      for (const m of text.matchAll(site.re)) {
        const open = m.index + m[0].length - 1;
        const where = `daemon/connectors/src/${file}:${lineOf(text, m.index)}`;
        const args = argumentsAt(text, open);
        if (!args) {
          problems.push(`${where}: cannot read the arguments of ${site.name}`);
          continue;
        }
        counts[site.name]++;
        const a = args[site.arg];
        if (a === undefined) {
          problems.push(`${where}: ${site.name} with ${args.length} arguments names no operation`);
          continue;
        }
        const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(a);
        if (literal) {
          if (!codes.has(literal[1])) codes.set(literal[1], where);
        } else if (!passesOn.test(a)) {
          problems.push(`${where}: ${site.name} names its operation as \`${a}\`: make it a literal or extend this check`);
        }
      }
    }
  }
  return { codes, problems, counts };
}

function outcomeCodes() {
  const net = stripComments(readFileSync(join(SOURCE, 'daemon/net/src/http_error.cpp'), 'utf8'));
  const start = net.indexOf('http_errc_name(HttpErrc');
  const body = net.slice(start, net.indexOf('\n}\n', start));
  const names = [...body.matchAll(/return\s+"([^"]+)"/g)].map((m) => m[1]);
  const context = stripComments(readFileSync(join(SOURCE, 'daemon/connectors/src/context.cpp'), 'utf8'));
  const fixed = [...context.matchAll(/event\.outcome\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
  const httpForm = /"http_"\s*\+\s*std::to_string/.test(context);
  return { names: [...new Set([...fixed, ...names])], httpForm, found: start >= 0 };
}

function jobKindCodes() {
  const repo = stripComments(readFileSync(join(SOURCE, 'daemon/store/src/jobs_repo.cpp'), 'utf8'));
  const m = /kKindNames\s*=\s*\{([^}]*)\}/.exec(repo);
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

function sourceFiles(dir, out = []) {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      if (f !== 'sandbox' && f !== 'tests') sourceFiles(p, out);
    } else if (/\.(cpp|h|inc)$/.test(f) && !/_test\.cpp$/.test(f)) {
      out.push(p);
    }
  }
  return out;
}

function auditActionCodes() {
  const codes = new Map();
  const problems = [];
  let sitesSeen = 0;
  const code = /^"([a-z][a-z_]*\.[a-z][a-z_]*)"$/;
  const choice = /^[^"]+\?\s*("[^"]*")\s*:\s*("[^"]*")$/;
  for (const path of sourceFiles(join(SOURCE, 'daemon'))) {
    const text = stripComments(readFileSync(path, 'utf8'));
    const file = path.slice(SOURCE.length + 1);
    for (const m of text.matchAll(/\b(append|audit|append_audit)\s*\(/g)) {
      const args = argumentsAt(text, m.index + m[0].length - 1);
      if (!args) continue;
      const actions = [];
      for (const a of args) {
        if (!a.startsWith('{')) continue;
        const inner = argumentsAt(a, 0);
        if (inner && inner.length >= 4) actions.push(inner[1]);
      }
      if (m[1] === 'audit' && args.length >= 4 && !args[0].startsWith('{')) actions.push(args[2]);
      for (const a of actions) {
        sitesSeen++;
        const where = `${file}:${lineOf(text, m.index)}`;
        const alternatives = choice.exec(a);
        for (const one of alternatives ? [alternatives[1], alternatives[2]] : [a]) {
          const literal = code.exec(one);
          if (literal) {
            if (!codes.has(literal[1])) codes.set(literal[1], where);
          } else if (!/^(?:const\s+char\s*\*\s*|std::string(?:_view)?\s+)?action$/.test(one)) {
            problems.push(`${where}: an audit action written as \`${one}\`: make it a literal or extend this check`);
          }
        }
      }
    }
  }
  return { codes, problems, sitesSeen };
}

async function main() {
  const bundle = await esbuild.build({
    stdin: {
      contents: "export * from './src/codes.ts'; export { language } from './src/i18n.ts';",
      resolveDir: CONSOLE,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const codes = await import('data:text/javascript;base64,' + Buffer.from(bundle.outputFiles[0].text).toString('base64'));

  const translated = (table, fn, list, what) => {
    const problems = [];
    for (const code of list) {
      const entry = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;
      if (!entry) {
        problems.push(`${what} ${JSON.stringify(code)} has no translation in console/src/codes.ts`);
        continue;
      }
      for (const lang of ['de', 'en']) {
        codes.language.set(lang);
        const shown = fn(code);
        if (!entry[lang] || shown !== entry[lang]) problems.push(`${what} ${code}: ${lang} text ${JSON.stringify(shown)}`);
        else if (shown === code && code !== 'ok') problems.push(`${what} ${code}: the ${lang} text is the code itself`);
      }
    }
    return problems;
  };

  // 1. connector operations
  const ops = connectorOperations();
  check(`every operation argument in daemon/connectors/src is a literal or passes one on (${Object.entries(ops.counts).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    ops.problems);
  const few = Object.entries(ops.counts).filter(([, n]) => n === 0).map(([k]) => `no call of ${k} found: the connectors changed, update this check`);
  check('the connectors still name operations the way this check reads them', [...few, ...(ops.codes.size < 8 ? [`only ${ops.codes.size} operations found`] : [])]);
  check(`every connector operation is translated (${[...ops.codes.keys()].sort().join(', ')})`,
    translated(codes.operations, codes.operationText, [...ops.codes.keys()], 'operation').map((p) => `${p} (first at ${ops.codes.get(p.split(' ')[1]?.replace(/[":]/g, '')) ?? '?'})`));

  // 2. outcomes
  const out = outcomeCodes();
  check(`every request outcome is translated (${out.names.join(', ')})`, [
    ...(out.found && out.names.length >= 4 ? [] : ['net::http_errc_name not found in daemon/net/src/http_error.cpp']),
    ...(out.httpForm ? [] : ['context.cpp no longer writes http_<status>: update outcomeText and this check']),
    ...translated(codes.outcomes, codes.outcomeText, out.names, 'outcome'),
  ]);
  const httpProblems = [];
  for (const [lang, want] of [['de', 'HTTP-Fehler 401'], ['en', 'HTTP error 401']]) {
    codes.language.set(lang);
    if (codes.outcomeText('http_401') !== want) httpProblems.push(`${lang}: http_401 → ${JSON.stringify(codes.outcomeText('http_401'))}, want ${want}`);
  }
  check('an HTTP status outcome (http_401) reads as the HTTP error with its status', httpProblems);

  // 3. job kinds
  const kinds = jobKindCodes();
  check(`every job kind is translated (${kinds.join(', ')})`, [
    ...(kinds.length >= 3 ? [] : ['kKindNames not found in daemon/store/src/jobs_repo.cpp']),
    ...translated(codes.jobKinds, codes.jobKindText, kinds, 'job kind'),
  ]);

  // 4. audit actions
  const audit = auditActionCodes();
  check(`every audit action in daemon/ is a literal (${audit.sitesSeen} records)`, [
    ...audit.problems,
    ...(audit.codes.size >= 30 ? [] : [`only ${audit.codes.size} audit actions found: the way records are written changed, update this check`]),
  ]);
  check(`every audit action is translated (${audit.codes.size}: ${[...audit.codes.keys()].sort().join(', ')})`,
    translated(codes.auditActions, codes.auditActionText, [...audit.codes.keys()], 'audit action')
      .map((p) => `${p} (first at ${audit.codes.get(p.split(' ')[2]?.replace(/[":]/g, '')) ?? '?'})`));

  // Unknown codes stay as they are; stale entries are named (old log rows may still hold them).
  const unknown = [];
  for (const lang of ['de', 'en']) {
    codes.language.set(lang);
    for (const [fn, code] of [[codes.operationText, 'frobnicate'], [codes.jobKindText, 'rebuild_index'], [codes.outcomeText, 'http_99'], [codes.operationText, 'constructor'], [codes.auditActionText, 'vault.open']])
      if (fn(code) !== code) unknown.push(`${lang}: ${code} → ${JSON.stringify(fn(code))}`);
  }
  check('an unknown code is shown as it is', unknown);
  const stale = [
    ...Object.keys(codes.operations).filter((c) => !ops.codes.has(c)).map((c) => `operation ${c}`),
    ...Object.keys(codes.jobKinds).filter((c) => !kinds.includes(c)).map((c) => `job kind ${c}`),
    ...Object.keys(codes.outcomes).filter((c) => !out.names.includes(c)).map((c) => `outcome ${c}`),
    ...Object.keys(codes.auditActions).filter((c) => !audit.codes.has(c)).map((c) => `audit action ${c}`),
  ];
  if (stale.length) console.log(`note    translated but not written by the daemon any more: ${stale.join(', ')}`);

  checks.summary('code translations');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
