// The console's reading of typed days (console/src/format.ts parseDay/dayFormat/addDays) in each
// locale the Settings page offers; no browser. The e2e test types into the real field; this one
// covers the forms and locales the e2e run does not reach.
//
// env: CONSOLE_DIR
import { createRequire } from 'node:module';
import { join } from 'node:path';

const CONSOLE = process.env.CONSOLE_DIR;
if (!CONSOLE) throw new Error('CONSOLE_DIR is not set');
const require = createRequire(join(CONSOLE, 'package.json'));
const esbuild = require('esbuild');

const bundle = await esbuild.build({
  stdin: { contents: "export * from './src/format.ts'; export { language, locale } from './src/i18n.ts';", resolveDir: CONSOLE, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'silent',
});
const f = await import('data:text/javascript;base64,' + Buffer.from(bundle.outputFiles[0].text).toString('base64'));

const TODAY = '2026-11-23';
const ok = (iso) => ({ ok: iso });
const bad = (why) => ({ error: why });
// [language, locale, pattern, how 2026-01-31 is shown, [typed, expected]...]
const cases = [
  ['de', 'de-DE', 'TT.MM.JJJJ', '31.01.2026', [
    ['31.01.2026', ok('2026-01-31')], ['31.1.26', ok('2026-01-31')], ['31.01.', ok('2026-01-31')], ['1.1.', ok('2026-01-01')],
    ['1.1', ok('2026-01-01')], [' 2026-01-31 ', ok('2026-01-31')], ['31012026', ok('2026-01-31')], ['310126', ok('2026-01-31')],
    ['29.02.2028', ok('2028-02-29')], ['31.02.2026', bad('invalid')], ['29.02.2026', bad('invalid')], ['1.13.2026', bad('invalid')],
    ['0.1.2026', bad('invalid')], ['2026-02-30', bad('invalid')], ['31.1.202', bad('format')], ['123.1.2026', bad('format')],
    ['gestern', bad('format')], ['31.01.2026 12:00', bad('format')], ['', ok('')], ['   ', ok('')],
  ]],
  ['de', 'de-CH', 'TT.MM.JJJJ', '31.01.2026', [['31.1.26', ok('2026-01-31')], ['2026-01-31', ok('2026-01-31')]]],
  ['de', 'de-AT', 'TT.MM.JJJJ', '31.01.2026', [['31.01.', ok('2026-01-31')]]],
  ['en', 'en-GB', 'DD/MM/YYYY', '31/01/2026', [
    ['31/01/2026', ok('2026-01-31')], ['31/1/26', ok('2026-01-31')], ['31/1', ok('2026-01-31')], ['2026-01-31', ok('2026-01-31')],
    ['1/31/2026', bad('invalid')], ['31/02/2026', bad('invalid')],
  ]],
  ['en', 'en-IE', 'DD/MM/YYYY', '31/01/2026', [['31/1/2026', ok('2026-01-31')]]],
  ['en', 'en-US', 'MM/DD/YYYY', '01/31/2026', [
    ['1/31/2026', ok('2026-01-31')], ['01/31/26', ok('2026-01-31')], ['1/31', ok('2026-01-31')], ['2026-01-31', ok('2026-01-31')],
    ['31/01/2026', bad('invalid')], ['01312026', ok('2026-01-31')],
  ]],
];

const problems = [];
let n = 0;
for (const [lang, loc, pattern, shown, inputs] of cases) {
  f.language.set(lang);
  f.locale.set(loc);
  const fmt = f.dayFormat();
  if (fmt.pattern !== pattern) problems.push(`${loc}: pattern ${fmt.pattern}, want ${pattern}`);
  if (f.date('2026-01-31') !== shown) problems.push(`${loc}: 2026-01-31 shown as ${f.date('2026-01-31')}, want ${shown}`);
  // What the field shows reads back as the same day.
  for (const iso of ['2026-01-31', '2028-02-29', '1999-12-01']) {
    n++;
    const back = f.parseDay(f.date(iso), TODAY);
    if (back.ok !== iso) problems.push(`${loc}: ${iso} shown as ${f.date(iso)} reads back as ${JSON.stringify(back)}`);
  }
  for (const [typed, want] of inputs) {
    n++;
    const got = f.parseDay(typed, TODAY);
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${loc}: ${JSON.stringify(typed)} → ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}
for (const [day, by, want] of [['2026-12-31', 1, '2027-01-01'], ['2024-03-01', -1, '2024-02-29'], ['2026-01-31', 30, '2026-03-02']]) {
  n++;
  if (f.addDays(day, by) !== want) problems.push(`addDays(${day}, ${by}) = ${f.addDays(day, by)}, want ${want}`);
}
if (problems.length) {
  console.log(`FAILED  typed days (${problems.length} of ${n}):\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`ok      typed days: ${n} cases in ${cases.length} locales`);
}
