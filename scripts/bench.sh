#!/usr/bin/env bash
# Benchmarks for docs/performance.md. Run on an otherwise idle machine:
#   ./scripts/bench.sh            everything
#   SKIP_CRITERION=1 ./scripts/bench.sh   only the HTTP figures
# Installs wrk from Debian if missing. Nothing here is part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench: $*" >&2; }

scripts/bench/need-wrk.sh

if [ -z "${SKIP_CRITERION:-}" ]; then
  log "in-process customer search over 100,000 customers"
  cargo bench -p crm-customers --bench search
fi

log "building the release binary and the seeder"
cargo build --release -q -p crm-gateway
cargo build --release -q -p crm-customers --features seed --bin crm-seed-customers

WORK=$(mktemp -d /tmp/crm-bench.XXXX)
PID=
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
export CRM_DATA_DIR=$WORK CRM_BIND=127.0.0.1:$PORT CRM_JWT_SECRET=bench-secret-0123456789abcdef CRM_LOG=warn CRM_WORKERS=2
# WhatsApp on, against a Graph API host nobody listens on: the webhook path never calls it
export CRM_WA_PHONE_NUMBER_ID=106540352242922 CRM_WA_ACCESS_TOKEN=bench-token \
  CRM_WA_APP_SECRET=bench-app-secret CRM_WA_VERIFY_TOKEN=bench-verify CRM_WA_GRAPH_URL=http://127.0.0.1:9

log "seeding 100,000 customers"
./target/release/crm-seed-customers "$WORK/crm.db" 100000 > "$WORK/ids.txt"

T0=$(date +%s%N)
./target/release/crm serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.005; done
STARTUP_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
sleep 1
RSS_IDLE_KB=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
echo "startup with 100,000 customers: ${STARTUP_MS} ms (until /healthz answers)"
echo "idle RSS: $((RSS_IDLE_KB / 1024)) MB"

TOKEN=$(python3 scripts/bench/token.py)
export TOKEN IDS_FILE="$WORK/ids.txt"

log "GET /api/crm/customers/{id}: wrk 2 threads x 32 connections, 10 s, random ids"
wrk -t2 -c32 -d10s --latency -s scripts/bench/get_customer.lua "http://127.0.0.1:$PORT" | tee "$WORK/get.txt"

log "GET /api/crm/customers/{id}: same, one fixed id without a Lua script (wrk's Lua shares the 2 cores)"
wrk -t2 -c32 -d10s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/crm/customers/$(head -1 "$WORK/ids.txt")"

log "GET /healthz (one pooled read, no auth) and an unknown route (no read, no auth): the plumbing's ceilings"
wrk -t2 -c32 -d5s "http://127.0.0.1:$PORT/healthz" | grep Requests/sec
wrk -t2 -c32 -d5s "http://127.0.0.1:$PORT/no-such-route" | grep Requests/sec

log "POST /api/crm/customers: wrk 2 threads x 32 connections, 10 s"
wrk -t2 -c32 -d10s --latency -s scripts/bench/create_customer.lua "http://127.0.0.1:$PORT" | tee "$WORK/post.txt"

log "POST /api/crm/comms: wrk 2 threads x 32 connections, 10 s (durability under kill -9 is the test suite's)"
wrk -t2 -c32 -d10s --latency -s scripts/bench/create_comms.lua "http://127.0.0.1:$PORT" | tee "$WORK/comms.txt"

log "POST /api/webhooks/whatsapp: signed body verified and stored before each 200, wrk 2 x 32, 10 s"
python3 - "$WORK/wa.json" > "$WORK/wa.sig" <<'PY'
import hashlib, hmac, json, os, sys
body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
    "messaging_product": "whatsapp", "metadata": {"display_phone_number": "302101234567", "phone_number_id": "106540352242922"},
    "contacts": [{"profile": {"name": "π. Νικόλαος"}, "wa_id": "306912345678"}],
    "messages": [{"from": "306912345678", "id": "wamid.bench", "timestamp": "1764316800", "type": "text",
                  "text": {"body": "Καλημέρα, η καμπάνα του ναού δεν χτυπά από χθες."}}]}}]}]}, ensure_ascii=False).encode()
open(sys.argv[1], "wb").write(body)
print("sha256=" + hmac.new(os.environ["CRM_WA_APP_SECRET"].encode(), body, hashlib.sha256).hexdigest())
PY
BODY_FILE="$WORK/wa.json" SIGNATURE=$(cat "$WORK/wa.sig") \
  wrk -t2 -c32 -d10s --latency -s scripts/bench/whatsapp_webhook.lua "http://127.0.0.1:$PORT/api/webhooks/whatsapp" | tee "$WORK/wa.txt"

RSS_AFTER_KB=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
echo "RSS after load: $((RSS_AFTER_KB / 1024)) MB"
