#!/usr/bin/env node
// Bundles the browser dashboard (src/dashboard/app) into dist/dashboard/: index.html, app.<hash>.js,
// app.<hash>.css (content-hashed, so they can be cached for good) with source maps, and
// manifest.json, the list of files the API serves (src/dashboard/dashboard.controller.ts) and
// nothing else. Run after `nest build`, which empties dist/ first.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(ROOT, 'src', 'dashboard', 'app');
const OUT = path.join(ROOT, 'dist', 'dashboard');
/** The URL prefix the assets are served under. */
const PREFIX = '/ui/';

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  // Earlier bundles (other hashes) go; the compiled Nest files that share the folder stay.
  for (const f of fs.readdirSync(OUT)) if (/^app\.[A-Za-z0-9]+\.(js|css)(\.map)?$/.test(f) || f === 'index.html' || f === 'manifest.json') fs.rmSync(path.join(OUT, f));
  const result = await esbuild.build({
    entryPoints: { app: path.join(APP, 'main.tsx'), style: path.join(APP, 'styles.css') },
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(APP, 'tsconfig.json'),
    entryNames: 'app.[hash]',
    outdir: OUT,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild produced no ${js ? 'CSS' : 'JS'} bundle: ${outputs.join(', ')}`);
  const html = fs.readFileSync(path.join(APP, 'index.html'), 'utf8').replace('__JS__', PREFIX + js).replace('__CSS__', PREFIX + css);
  fs.writeFileSync(path.join(OUT, 'index.html'), html);
  const files = [...outputs, 'index.html'].sort();
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify({ built_at: new Date().toISOString(), index: 'index.html', files }, null, 2) + '\n');
  const size = (f) => `${f} ${(fs.statSync(path.join(OUT, f)).size / 1024).toFixed(1)} KiB`;
  process.stdout.write(`dashboard: ${[js, css].map(size).join(', ')} in ${path.relative(ROOT, OUT)}/\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
