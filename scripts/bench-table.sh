#!/usr/bin/env bash
# The headline HTTP figures as one table, and a guard against regressions.
#
#   ./scripts/bench-table.sh            the table (10 s per scenario)
#   ./scripts/bench-table.sh --record   the same, then saved as scripts/bench/baseline.tsv
#   ./scripts/bench-table.sh --check    a short run (4 s each) compared with the baseline:
#                                       exit 1 when a figure lost more than 20 %
#
# Same harness as scripts/bench.sh: release build, 100,000 seeded customers, wrk 2 threads x 32
# connections on the same 2 cores as the server (2 workers), server CPU per request from
# /proc. Run it on an otherwise idle machine: a busy one moves every figure. Not part of the
# test suite (its figures depend on the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-table: $*" >&2; }

MODE=${1:-table}
SECS=10
[ "$MODE" = "--check" ] && SECS=4
BASELINE=scripts/bench/baseline.tsv

scripts/bench/need-wrk.sh
log "building the release binary and the seeder"
cargo build --release -q -p crm-gateway
cargo build --release -q -p crm-customers --features seed --bin crm-seed-customers

WORK=$(mktemp -d /tmp/crm-bench-table.XXXX)
PID=
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
export CRM_DATA_DIR=$WORK CRM_BIND=127.0.0.1:$PORT CRM_JWT_SECRET=bench-secret-0123456789abcdef \
  CRM_LOG=warn CRM_WORKERS=2 CRM_BACKUP_EVERY_HOURS=0
log "seeding 100,000 customers"
./target/release/crm-seed-customers "$WORK/crm.db" 100000 > "$WORK/ids.txt"
head -1 "$WORK/ids.txt" > "$WORK/one.txt"
ONE=$(cat "$WORK/one.txt")
./target/release/crm serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.02; done
TOKEN=$(python3 scripts/bench/token.py)
export TOKEN
URL="http://127.0.0.1:$PORT"
ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# scenario name, then wrk's arguments after the common ones
measure() {
  local name=$1; shift
  wrk -t2 -c32 -d2s "$@" >/dev/null   # warm-up
  local t0 t1 out
  t0=$(ticks)
  out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$@")
  t1=$(ticks)
  local rps p99 reqs cpu
  rps=$(echo "$out" | awk '/Requests\/sec/{printf "%d", $2}')
  p99=$(echo "$out" | awk '/ 99%/{print $2}')
  reqs=$(echo "$out" | awk '/requests in/{print $1}')
  cpu=$(python3 -c "print(f'{($t1-$t0)/$HZ*1000/max($reqs,1):.3f}')")
  printf '%s\t%s\t%s\t%s\n' "$name" "$rps" "$p99" "$cpu" >> "$RESULTS"
  log "$name: $rps req/s, p99 $p99, server CPU $cpu ms/req"
}

measure get_customer -H "Authorization: Bearer $TOKEN" "$URL/api/crm/customers/$ONE"
IDS_FILE="$WORK/ids.txt" measure post_comms_unique -s scripts/bench/create_comms.lua "$URL"
# the first customer's page of 100 newest, among the entries written above and these
IDS_FILE="$WORK/one.txt" wrk -t2 -c32 -d3s -s scripts/bench/create_comms.lua "$URL" >/dev/null
ENTRIES=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/crm/comms?customer_id=$ONE&limit=1" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", "?"))')
log "the comms page's customer holds $ENTRIES entries"
measure comms_page_100 -H "Authorization: Bearer $TOKEN" "$URL/api/crm/comms?customer_id=$ONE&limit=100"
measure customer_search -H "Authorization: Bearer $TOKEN" \
  "$URL/api/crm/customers?q=%CE%BD%CE%B1%CF%8C%CF%82%20%CE%B1%CE%B3%CE%AF%CE%BF%CF%85&limit=50"

echo
echo "| Scenario (wrk 2 × 32, ${SECS} s) | req/s | p99 | server CPU per request |"
echo "|---|---|---|---|"
awk -F'\t' '{printf "| %s | %s | %s | %s ms |\n", $1, $2, $3, $4}' "$RESULTS"

case "$MODE" in
  --record)
    cp "$RESULTS" "$BASELINE"
    log "recorded as $BASELINE"
    ;;
  --check)
    [ -f "$BASELINE" ] || { log "no $BASELINE yet: run with --record first"; exit 1; }
    python3 - "$BASELINE" "$RESULTS" <<'PY'
import sys
def read(p):
    return {r[0]: float(r[1]) for r in (l.rstrip("\n").split("\t") for l in open(p)) if len(r) > 1}
base, now = read(sys.argv[1]), read(sys.argv[2])
worse = [(k, base[k], now.get(k, 0.0)) for k in base if now.get(k, 0.0) < 0.8 * base[k]]
for k, b, n in worse:
    print(f"bench-table: REGRESSION {k}: {n:.0f} req/s against {b:.0f} recorded ({(n / b - 1) * 100:+.0f} %)", file=sys.stderr)
if not worse:
    print("bench-table: every figure within 20 % of the recorded baseline", file=sys.stderr)
sys.exit(1 if worse else 0)
PY
    ;;
esac
