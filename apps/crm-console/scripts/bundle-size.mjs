#!/usr/bin/env node
// The first page's weight: index.html plus every script, stylesheet and preload it names,
// each gzipped (level 9) as a server or CDN would send it. Fails above the budget.
//
//   node scripts/bundle-size.mjs [dist]     (BUNDLE_BUDGET_BYTES, default 300 KB = 307200)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../dist');
const budget = Number(process.env.BUNDLE_BUDGET_BYTES ?? 300 * 1024);
const html = readFileSync(join(dist, 'index.html'));
const refs = new Set();
for (const m of html.toString('utf8').matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*>/g)) {
  const tag = m[0];
  const ref = m[1];
  if (/^(data:|https?:|\/\/)/.test(ref)) continue;
  if (tag.startsWith('<link') && !/rel="(stylesheet|modulepreload|preload)"/.test(tag)) continue;
  refs.add(ref.replace(/^\//, ''));
}
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
let total = gz(html);
const rows = [['index.html', html.length, total]];
for (const ref of refs) {
  const buf = readFileSync(join(dist, ref));
  const g = gz(buf);
  total += g;
  rows.push([ref, buf.length, g]);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const [name, raw, g] of rows) console.log(`${name.padEnd(40)} ${kb(raw).padStart(10)} ${kb(g).padStart(10)} gzip`);
console.log(`first page, gzipped: ${kb(total)} (${total} bytes; budget ${kb(budget)})`);
if (refs.size === 0) {
  console.error('bundle-size: index.html loads no script: is this the placeholder page?');
  process.exit(1);
}
if (total >= budget) {
  console.error(`bundle-size: over budget by ${kb(total - budget)}`);
  process.exit(1);
}
