#!/usr/bin/env bash
# The console's part of the test suite (scripts/test.sh runs it after `cargo test`):
# Chromium, npm ci, the OpenAPI drift check, tsc, vitest, vite build, the bundle budget and
# the end-to-end run against the real gateway. Needs the crm binary ($CARGO_TARGET_DIR or
# target/debug/crm; built here when missing), WEBDAV_URL/USER/PASS of
# scripts/infra/start-webdav.sh and MAIL_* of scripts/infra/start-mail.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."
log() { echo "console: [${SECONDS}s] $*" >&2; }
# Absolute: the end-to-end run below starts from apps/crm-console.
T=$(realpath -m "${CARGO_TARGET_DIR:-target}")

log "Chromium"
eval "$(scripts/infra/setup-chromium.sh)"
[ -x "$T/debug/crm" ] || cargo build --locked -q -p crm-gateway --bin crm

cd apps/crm-console
log "npm ci"
npm ci --no-audit --no-fund --loglevel=error
log "OpenAPI drift check (src/api/schema.d.ts against the gateway's document)"
node scripts/gen-api.mjs --check
log "tsc --noEmit"
npx tsc --noEmit
log "vitest"
npx vitest run
log "vite build"
npx vite build --logLevel warn
log "bundle size"
node scripts/bundle-size.mjs
log "end to end (Chromium against $T/debug/crm)"
CRM_BIN="$T/debug/crm" node e2e/run.mjs
# e-mail through the Dovecot and Postfix of scripts/infra/start-mail.sh (MAIL_*), WhatsApp and
# the PBX through scripted peers speaking their wire formats (e2e/peers.mjs)
log "end to end: the channels (e-mail, WhatsApp, calls)"
CRM_BIN="$T/debug/crm" node e2e/comms.mjs
log "end to end: administration, permissions, order files"
CRM_BIN="$T/debug/crm" node e2e/admin.mjs
log "end to end: the service desk (tickets, visits, serial history)"
CRM_BIN="$T/debug/crm" node e2e/tickets.mjs
log "end to end: the sales pipeline (board, lead page, conversion)"
CRM_BIN="$T/debug/crm" node e2e/sales.mjs
log "end to end: duplicate customers (suggestions, merge dialog, history)"
CRM_BIN="$T/debug/crm" node e2e/merges.mjs
log "end to end: the CSV import wizard (upload, map, dry run, run, error CSV)"; CRM_BIN="$T/debug/crm" node e2e/imports.mjs
