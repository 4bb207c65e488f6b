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
# The browser scripts, in two lanes at once (each starts its own gateway on a free port with a
# data dir of its own; on two cores the second lane uses the time the first spends waiting on
# the browser and the servers). Every script runs even when one before it failed; a lane fails
# when any of its scripts did. The first lane's output is kept and shown once it is done.
e2e() { log "end to end: $1"; CRM_BIN="$T/debug/crm" node "e2e/$2.mjs"; }
lane_a() {
  local rc=0
  e2e "the first hour (Chromium against $T/debug/crm)" run || rc=1
  # e-mail through the Dovecot and Postfix of scripts/infra/start-mail.sh (MAIL_*), WhatsApp
  # and the PBX through scripted peers speaking their wire formats (e2e/peers.mjs)
  e2e "the channels (e-mail, WhatsApp, calls)" comms || rc=1
  e2e "administration, permissions, order files" admin || rc=1
  e2e "duplicate customers (suggestions, merge dialog, history)" merges || rc=1
  return $rc
}
lane_b() {
  local rc=0
  e2e "the service desk (tickets, visits, serial history)" tickets || rc=1
  e2e "the sales pipeline (board, lead page, conversion)" sales || rc=1
  e2e "the CSV import wizard (upload, map, dry run, run, error CSV)" imports || rc=1
  e2e "workflow automation (editor, field errors, test run, run history)" workflows || rc=1
  return $rc
}
lane_a_log=$(mktemp)
lane_a >"$lane_a_log" 2>&1 &
lane_a_pid=$!
lane_b_status=0
lane_b || lane_b_status=$?
lane_a_status=0
wait "$lane_a_pid" || lane_a_status=$?
cat "$lane_a_log"
rm -f "$lane_a_log"
log "end to end: lanes done (first lane exit $lane_a_status, second lane exit $lane_b_status)"
[ "$lane_a_status" -eq 0 ] && [ "$lane_b_status" -eq 0 ]
