// Bundles the console: node build.mjs OUTDIR
// Writes OUTDIR/index.html and OUTDIR/assets/<name>-<HASH>.{js,css,svg}. No inline script or style
// (the daemon's CSP is default-src 'self'), no CDN: everything the page needs is in OUTDIR.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const outdir = resolve(process.argv[2] ?? 'dist');
const assets = join(outdir, 'assets');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  entryPoints: ['src/main.tsx'],
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});

const written = Object.entries(result.metafile.outputs).map(([p, o]) => ({ name: basename(p), bytes: o.bytes }));
const outputs = written.map((w) => w.name);
const js = outputs.find((n) => n.endsWith('.js'));
const css = outputs.find((n) => n.endsWith('.css'));
if (!js || !css) throw new Error(`esbuild wrote no js or css: ${outputs.join(', ')}`);

// The icon gets a content hash like the bundles, so it may be cached forever too.
const icon = readFileSync('src/favicon.svg');
const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 10).toUpperCase()}.svg`;
copyFileSync('src/favicon.svg', join(assets, iconName));

writeFileSync(
  join(outdir, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>bankrec</title>
<link rel="icon" type="image/svg+xml" href="/assets/${iconName}">
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The bankrec console needs JavaScript. / Die bankrec-Konsole braucht JavaScript.</noscript>
</body>
</html>
`,
);
console.log(`console: ${outdir}: index.html, ${iconName}, ${written.map((w) => `${w.name} ${w.bytes} B`).join(', ')}`);
