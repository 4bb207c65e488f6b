#!/usr/bin/env bash
# The service desk's HTTP figure for docs/performance.md: POST /api/crm/tickets against the
# release binary, a new body per request (wrk, 2 threads x 32 connections, 10 s), on a fresh
# database with one customer. The in-process queue figures are `cargo bench -p crm-tickets`.
# Installs wrk from Debian if missing. Nothing here is part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-tickets: $*" >&2; }

scripts/bench/need-wrk.sh

log "building the release binary"
cargo build --release -q -p crm-gateway

WORK=$(mktemp -d /tmp/crm-bench-tickets.XXXX)
PID=
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
export CRM_DATA_DIR=$WORK CRM_BIND=127.0.0.1:$PORT CRM_JWT_SECRET=bench-secret-0123456789abcdef CRM_LOG=warn CRM_WORKERS=2

./target/release/crm serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.005; done

TOKEN=$(python3 scripts/bench/token.py)
CUSTOMER=$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"Ιερός Ναός Αγίου Νικολάου","location":{"city":"Ναύπλιο"}}' \
  "http://127.0.0.1:$PORT/api/crm/customers" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
export TOKEN CUSTOMER

cat > "$WORK/create_ticket.lua" <<'LUA'
-- wrk: POST a new ticket per request (subject, priority, kind, assignee and tags vary).
local token = os.getenv("TOKEN")
local customer = os.getenv("CUSTOMER")
local n = 0
local kinds = { "repair", "maintenance", "question", "installation", "complaint" }
local priorities = { "low", "normal", "high", "urgent" }
local who = { "nikos", "maria", "giorgos" }

request = function()
  n = n + 1
  local body = string.format(
    '{"customer_id":"%s","subject":"Η καμπάνα %d χτυπά λάθος ώρα","description":"Τηλεφώνησε ο π. Γεώργιος (%d).","kind":"%s","priority":"%s","assignee":"%s","status":"open","tags":["bench","ζώνη-%d"]}',
    customer, n, n, kinds[n % #kinds + 1], priorities[n % #priorities + 1], who[n % #who + 1], n % 7)
  return wrk.format("POST", "/api/crm/tickets",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

done = function(summary)
  io.write(string.format("non-2xx answers: %d\n", summary.errors.status))
end
LUA

log "POST /api/crm/tickets: wrk 2 threads x 32 connections, 10 s"
wrk -t2 -c32 -d10s --latency -s "$WORK/create_ticket.lua" "http://127.0.0.1:$PORT"
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/crm/tickets?limit=1" |
  python3 -c 'import json,sys;d=json.load(sys.stdin);print("tickets stored:", d["total"], "last number:", d["tickets"][0]["number"])'
