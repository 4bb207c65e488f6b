#!/usr/bin/env bash
# The login flood of issue 15, for docs/performance.md. Run on an otherwise idle machine:
#   ./scripts/bench-login.sh                 the release build of this tree, default limits
#   CRM_BIN=/path/to/crm ./scripts/bench-login.sh    another build (e.g. before a change)
#   FLOOD_SPRAY=1 CRM_LOGIN_LIMIT_PER_ADDRESS=0 CRM_LOGIN_LIMIT_PER_USER=0 ./scripts/bench-login.sh
#       no rate limit, a new user name per request: every attempt reaches the password pool
# Starts the server on a temporary data dir with one user (`crm user add`), then for
# FLOOD_SECS (10) seconds floods POST /api/auth/login with wrong passwords from
# FLOOD_CONNECTIONS (256) connections while a second wrk measures an authenticated
# GET /api/crm/customers/{id}; samples the server's RSS from /proc every 0.2 s. A server whose
# RSS passes RSS_CAP_MB (8192) is killed, so that a run of a build without the fix cannot
# take the machine down. Installs wrk from Debian if missing. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-login: $*" >&2; }

CONNECTIONS=${FLOOD_CONNECTIONS:-256}
SECS=${FLOOD_SECS:-10}
RSS_CAP_MB=${RSS_CAP_MB:-8192}

scripts/bench/need-wrk.sh

if [ -z "${CRM_BIN:-}" ]; then
  log "building the release binary"
  CRM_CONSOLE_SKIP_BUILD=${CRM_CONSOLE_SKIP_BUILD:-1} cargo build --release -q -p crm-gateway --bin crm
  CRM_BIN="${CARGO_TARGET_DIR:-target}/release/crm"
fi

WORK=$(mktemp -d /tmp/crm-bench-login.XXXX)
PID=
SAMPLER=
cleanup() {
  [ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || true
  [ -z "$PID" ] || kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
export CRM_DATA_DIR=$WORK CRM_BIND=127.0.0.1:$PORT CRM_JWT_SECRET=bench-secret-0123456789abcdef
export CRM_LOG=${CRM_LOG:-warn} CRM_WORKERS=${CRM_WORKERS:-2}
BASE="http://127.0.0.1:$PORT"

echo "bench-passphrase-2026" | "$CRM_BIN" user add bench --permissions crm:view,crm:edit --password-stdin >/dev/null
"$CRM_BIN" serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "$BASE/healthz" >/dev/null; do sleep 0.01; done

rss_mb() { awk '/VmRSS/{print int($2/1024)}' "/proc/$PID/status" 2>/dev/null || echo 0; }

TOKEN=$(curl -sf "$BASE/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-passphrase-2026"}' |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
ID=$(curl -sf "$BASE/api/crm/customers" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Ενορία Αγίου Νικολάου"}' |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
sleep 1
echo "idle RSS: $(rss_mb) MB"

# RSS every 0.2 s into a file; past the cap the server is killed
(
  while kill -0 "$PID" 2>/dev/null; do
    r=$(rss_mb)
    echo "$r" >>"$WORK/rss.txt"
    if [ "$r" -gt "$RSS_CAP_MB" ]; then
      echo "RSS passed ${RSS_CAP_MB} MB: server killed" >>"$WORK/rss.txt"
      kill -9 "$PID"
      break
    fi
    sleep 0.2
  done
) &
SAMPLER=$!

log "flood: wrk -t2 -c$CONNECTIONS -d${SECS}s POST /api/auth/login (wrong passwords), meanwhile GET /api/crm/customers/{id} -c4"
wrk -t2 -c"$CONNECTIONS" -d"${SECS}s" -s scripts/bench/login_flood.lua "$BASE" >"$WORK/flood.txt" 2>&1 &
FLOOD=$!
sleep 1 # let the flood build up before measuring the reads
wrk -t1 -c4 -d"$((SECS - 2))s" --latency -H "Authorization: Bearer $TOKEN" \
  "$BASE/api/crm/customers/$ID" >"$WORK/get.txt" 2>&1 || true
wait "$FLOOD" || true
sleep 2
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=

echo "--- flood"
grep -E "requests in|Requests/sec|login answers|Socket errors" "$WORK/flood.txt" || cat "$WORK/flood.txt"
echo "--- authenticated GET during the flood"
grep -E "requests in|Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors" "$WORK/get.txt" || cat "$WORK/get.txt"
echo "--- RSS"
MAX=$(grep -E '^[0-9]+$' "$WORK/rss.txt" | sort -n | tail -1)
echo "peak RSS during the flood: ${MAX} MB"
grep -v -E '^[0-9]+$' "$WORK/rss.txt" || true
if kill -0 "$PID" 2>/dev/null; then
  sleep 3
  echo "RSS 5 s after the flood: $(rss_mb) MB"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"bench-passphrase-2026"}')
  echo "a right password after the flood: HTTP $code"
fi
echo "log lines written: $(wc -l <"$WORK/crm.log"), the most frequent:"
sed -E 's/^[^ ]+ +//; s/(user|client|retry_after_secs)=[^ ]+//g' "$WORK/crm.log" | sort | uniq -c | sort -rn | head -5
