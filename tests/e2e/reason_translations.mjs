// The console's German reasons (console/src/reasons.ts) against the engine that writes them.
// 1. Every string literal the engine builds a reason from (daemon/reconcile/src/explain.cpp, the
//    reasons of engine.cpp, the `how` and field names of text_scan.cpp) is part of a known template:
//    a new or changed template in C++ fails here until it is translated.
// 2. The real engine over generated days (reconcile_quality --decisions, direct and through the
//    MT940 parser) and the real `bankrec match` on the match fixture: every distinct reason and
//    write-off reason it prints translates to German (and back to display English).
//
// env: CONSOLE_DIR, SOURCE_DIR, RECONCILE_QUALITY, BANKREC_CLI, WORK_DIR
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Checks, env } from './checks.mjs';

const CONSOLE = env('CONSOLE_DIR');
const SOURCE = env('SOURCE_DIR');
const WORK = env('WORK_DIR');
const require = createRequire(join(CONSOLE, 'package.json'));
const esbuild = require('esbuild');

const checks = new Checks();
const check = (name, problems) => checks.check(name, problems);

/** The string literals of C++ source text ("a\"b" → a"b), without comments. */
function literals(source) {
  const out = [];
  const re = /"((?:[^"\\\n]|\\.)*)"/g;
  let m;
  while ((m = re.exec(source))) out.push(m[1].replace(/\\(.)/g, '$1'));
  return out;
}
const stripComments = (text) => text.split('\n').map((l) => l.replace(/(^|\s)\/\/.*$/, '')).join('\n');

async function main() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const bundle = await esbuild.build({
    entryPoints: [join(CONSOLE, 'src/reasons.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const reasons = await import('data:text/javascript;base64,' + Buffer.from(bundle.outputFiles[0].text).toString('base64'));
  const known = reasons.knownServerTexts();

  // 1. literals of the C++ templates
  const src = (p) => stripComments(readFileSync(join(SOURCE, 'daemon/reconcile/src', p), 'utf8'));
  const explain = src('explain.cpp')
    .split('\n')
    .filter((l) => !/^\s*#include|BANKREC_UNREACHABLE/.test(l))
    .join('\n');
  const engine = src('engine.cpp');
  const engineParts = [];
  for (const m of engine.matchAll(/reasons\.(push_back|insert)\(/g)) {
    const end = engine.indexOf(');\n', m.index);
    engineParts.push(engine.slice(m.index, end));
  }
  const templateLiterals = [...literals(explain), ...literals(engineParts.join('\n'))]
    .filter((s) => s.replace(/[^A-Za-z]/g, '').length >= 3);
  const unknownLiterals = [...new Set(templateLiterals)].filter((s) => !known.templates.some((t) => t.includes(s)));
  check(`every literal of explain.cpp and engine.cpp's reasons is in a template (${templateLiterals.length} literals, ` +
    `${engineParts.length} engine reasons)`, unknownLiterals.map((s) => `no template contains ${JSON.stringify(s)}`));
  if (engineParts.length < 5) check('engine.cpp still builds its reasons with d.reasons.push_back', ['found only ' + engineParts.length]);

  const scan = src('text_scan.cpp');
  const hows = [...new Set(literals(scan).filter((s) => /^(document number|payment reference|creditor reference)/.test(s)))];
  const fields = [...new Set([...scan.matchAll(/scan_field\([^;]*?"(\w+)"/g)].map((m) => m[1]))];
  check(`every way text_scan.cpp cites a document (${hows.length}) and every field it reads (${fields.length}) is known`, [
    ...hows.filter((h) => !known.how.includes(h)).map((h) => `unknown how ${JSON.stringify(h)}`),
    ...fields.filter((f) => !known.fields.includes(f)).map((f) => `unknown field ${JSON.stringify(f)}`),
    ...(hows.length < 5 ? ['found fewer than 5 ways of citing: the extraction no longer fits text_scan.cpp'] : []),
    ...(fields.length < 3 ? ['found fewer than 3 fields: the extraction no longer fits text_scan.cpp'] : []),
  ]);

  // 2. what the real engine prints
  const seen = new Map(); // reason -> 'reason' | 'writeoff'
  const collect = (decision) => {
    for (const r of decision.reasons ?? []) seen.set(r, 'reason');
    if (decision.writeoff?.reason) seen.set(decision.writeoff.reason, 'writeoff');
    for (const s of decision.suggestions ?? []) collect(s);
  };
  const readJsonl = (text) => text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const runs = [
    ['--lines', '700', '--items', '1000', '--seed', '7'],
    ['--lines', '700', '--items', '1000', '--seed', '8', '--source', 'mt940'],
    ['--lines', '400', '--items', '300', '--seed', '9'],
  ];
  for (const [i, args] of runs.entries()) {
    const file = join(WORK, `decisions-${i}.jsonl`);
    const r = spawnSync(env('RECONCILE_QUALITY'), [...args, '--decisions', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`reconcile_quality ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    readJsonl(readFileSync(file, 'utf8')).forEach(collect);
  }
  const fixture = join(SOURCE, 'tests/reconcile/fixtures/match');
  const match = spawnSync(env('BANKREC_CLI'), ['match', join(fixture, 'statement.jsonl'), '--open-items', join(fixture, 'open_items.csv')],
    { encoding: 'utf8', cwd: WORK });
  if (match.status !== 0) throw new Error(`bankrec match exited ${match.status}: ${match.stderr}`);
  readJsonl(match.stdout).forEach(collect);

  const format = (language) => ({
    language,
    money: (d) => (language === 'de' ? d.replace('.', ',') + ' €' : '€' + d),
    integer: (n) => String(n),
  });
  const de = format('de');
  const en = format('en');
  const problems = [];
  const used = new Set();
  for (const [text, kind] of seen) {
    const tr = kind === 'writeoff' ? reasons.translateWriteoff : reasons.translateReason;
    const german = tr(text, de);
    const english = tr(text, en);
    if (german === null) problems.push(`no German for ${kind} ${JSON.stringify(text)}`);
    else if (/[{}]/.test(german)) problems.push(`placeholder left in ${JSON.stringify(german)}`);
    else if (/\b(the|of|and|by|with|partner's|items')\b/.test(german.replace(/„[^“]*“/g, '')))
      problems.push(`English left in ${JSON.stringify(german)} (from ${JSON.stringify(text)})`);
    if (english === null) problems.push(`no display English for ${kind} ${JSON.stringify(text)}`);
    used.add(text.replace(/'[^']*'|\d+(\.\d+)?|[A-Z]{2,}[-\w]*/g, '…'));
  }
  check(`every one of ${seen.size} distinct reasons the engine gave on generated days translates (${used.size} shapes)`, [
    ...problems,
    ...(seen.size < 30 ? [`only ${seen.size} distinct reasons: the generated days no longer exercise the engine`] : []),
  ]);

  // Unknown text stays the server's: a person's own write-off reason, a future template.
  check('unknown text is left to the server\'s English', [
    ...(reasons.translateWriteoff('agreed with the customer by phone', de) === null ? [] : ['a typed write-off reason was translated']),
    ...(reasons.translateReason('a reason from a newer engine', de) === null ? [] : ['an unknown reason was translated']),
    ...(reasons.translateReason('document number RE-1 in remittance', de) === 'Belegnummer RE-1 im Feld Verwendungszweck' ? []
      : [`document number: ${reasons.translateReason('document number RE-1 in remittance', de)}`]),
    ...(reasons.translateReason('cash discount 10.71 taken within the discount period', de) === 'Skonto 10,71 € innerhalb der Skontofrist abgezogen' ? []
      : ['cash discount: ' + reasons.translateReason('cash discount 10.71 taken within the discount period', de)]),
  ]);

  checks.summary('reason translations');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
