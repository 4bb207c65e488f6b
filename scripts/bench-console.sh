#!/usr/bin/env bash
# The console's figures for docs/performance.md: first-page bundle size (gzipped) and, over
# 100,000 seeded customers, the time from typing a customer search to its first results
# rendered in Chromium. Release builds. Not part of the test suite.
#
#   ./scripts/bench-console.sh        (or `just bench-console`)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-console: $*" >&2; }
T=${CARGO_TARGET_DIR:-target}

eval "$(scripts/infra/setup-chromium.sh)"
log "building the release binary (with the console) and the seeder"
cargo build --release -q -p crm-gateway
cargo build --release -q -p crm-customers --features seed --bin crm-seed-customers
(cd apps/crm-console && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })

log "bundle size"
node apps/crm-console/scripts/bundle-size.mjs

WORK=$(mktemp -d /tmp/crm-bench-console.XXXX)
trap 'rm -rf "$WORK"' EXIT
log "seeding 100,000 customers"
"$T/release/crm-seed-customers" "$WORK/crm.db" 100000 >/dev/null

log "search as you type in the browser"
CRM_BIN="$T/release/crm" CRM_DATA_DIR="$WORK" node apps/crm-console/e2e/bench-search.mjs
