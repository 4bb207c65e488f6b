#!/usr/bin/env node
// Generates src/api/schema.d.ts from the gateway's OpenAPI document.
//
//   node scripts/gen-api.mjs [openapi.json]          write src/api/schema.d.ts
//   node scripts/gen-api.mjs --check [openapi.json]  exit 1 when the file is not what the
//                                                    current gateway generates (drift check)
//
// Without a file argument the document comes from the gateway itself:
// `cargo run -q -p crm-gateway --example openapi` (honours CARGO_TARGET_DIR).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const consoleDir = join(here, '..');
const target = join(consoleDir, 'src/api/schema.d.ts');
const args = process.argv.slice(2);
const check = args.includes('--check');
const file = args.find((a) => a !== '--check');

function loadDocument() {
  if (file) return readFileSync(file, 'utf8');
  return execFileSync(
    'cargo',
    ['run', '-q', '--locked', '-p', 'crm-gateway', '--example', 'openapi'],
    { cwd: join(consoleDir, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
}

const header =
  '// Generated from the gateway\'s OpenAPI document by scripts/gen-api.mjs: do not edit.\n' +
  '// Regenerate with `npm run gen:api` after changing the API.\n\n';
// utoipa names each operation after its handler (`list`, `get`, …), so several share an
// operationId, which OpenAPI forbids and openapi-typescript refuses: prefix them with their
// tag (`customers_list`). The types are keyed by path and method anyway.
const doc = JSON.parse(loadDocument());
for (const item of Object.values(doc.paths ?? {})) {
  for (const op of Object.values(item)) {
    if (op && typeof op === 'object' && op.operationId) {
      op.operationId = `${op.tags?.[0] ?? 'api'}_${op.operationId}`;
    }
  }
}
const ast = await openapiTS(doc, { alphabetize: true });
const generated = header + astToString(ast);

if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== generated) {
    console.error(
      'gen-api: src/api/schema.d.ts is out of date with the gateway\'s OpenAPI document.\n' +
        '         Run `npm run gen:api` in apps/crm-console and commit the result.',
    );
    process.exit(1);
  }
  console.error('gen-api: src/api/schema.d.ts matches the gateway');
} else {
  writeFileSync(target, generated);
  console.error(`gen-api: wrote ${target}`);
}
