#!/usr/bin/env bash
# The Firestore store's figures for docs/performance.md, against Google's emulator (started
# here, stopped after):
#   1. `crm store copy --from sqlite --to firestore` of N seeded customers (default 100,000):
#      records/s of the copy, then the time of the verification pass;
#   2. GET /api/crm/customers/{id} through the gateway on Firestore: wrk 2 threads x 32
#      connections, 10 s, random ids — req/s and latency percentiles.
# Customer search over 10,000 customers is `cargo bench -p crm-customers --bench search_firestore`.
#   N=20000 ./scripts/bench-firestore.sh     fewer customers
# Installs wrk from Debian if missing. Nothing here is part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-firestore: $*" >&2; }
N=${N:-100000}
BIN=${CARGO_TARGET_DIR:-target}/release

scripts/bench/need-wrk.sh

log "building the release binary and the seeder"
cargo build --release -q -p crm-gateway
cargo build --release -q -p crm-customers --features seed --bin crm-seed-customers

WORK=$(mktemp -d /tmp/crm-bench-fs.XXXX)
PID=
eval "$(INFRA_DIR=$WORK/emulator scripts/infra/start-firestore.sh)"
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; scripts/infra/stop-firestore.sh "$FIRESTORE_PIDFILE"; rm -rf "$WORK"' EXIT

export CRM_DATA_DIR=$WORK/data CRM_JWT_SECRET=bench-secret-0123456789abcdef CRM_LOG=warn CRM_WORKERS=2
export CRM_FIRESTORE_PROJECT=$FIRESTORE_PROJECT CRM_FIRESTORE_COLLECTION_PREFIX=bench_
mkdir -p "$CRM_DATA_DIR"

log "seeding $N customers into SQLite"
"$BIN"/crm-seed-customers "$CRM_DATA_DIR/crm.db" "$N" > "$WORK/ids.txt"

log "crm store copy --from sqlite --to firestore ($N customers), then its verification pass"
"$BIN"/crm store copy --from sqlite --to firestore

PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
CRM_STORE=firestore CRM_FIRESTORE_REINDEX_SECS=0 CRM_BIND=127.0.0.1:$PORT \
  "$BIN"/crm serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.05; done
curl -s "http://127.0.0.1:$PORT/healthz"; echo
# the start-up reindex reads every collection once: let it finish before measuring
sleep "${REINDEX_WAIT:-20}"

TOKEN=$(python3 scripts/bench/token.py)
export TOKEN IDS_FILE="$WORK/ids.txt"

log "GET /api/crm/customers/{id} on Firestore: wrk 2 threads x 32 connections, 10 s, random ids"
wrk -t2 -c32 -d10s --latency -s scripts/bench/get_customer.lua "http://127.0.0.1:$PORT"
RSS_KB=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
echo "gateway RSS after load: $((RSS_KB / 1024)) MB"
