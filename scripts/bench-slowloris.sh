#!/usr/bin/env bash
# Slow clients against the gateway (issue 15's target: while 2,000 connections trickle a
# request at one byte a second, /healthz answers in < 50 ms).
#
#   ./scripts/bench-slowloris.sh                     2,000 connections, body mode, 60 s
#   CONNS=1000 SECS=30 MODE=head ./scripts/bench-slowloris.sh
#   CRM_BIN=/tmp/crm-old ./scripts/bench-slowloris.sh   another build of `crm` (an older one)
#   NOFILE_HARD=1024 ./scripts/bench-slowloris.sh    the server's hard open-file limit lowered too
#
# MODE is what each slow connection does:
#   body       the head of a login (POST /api/auth/login: no token needed) at once, with
#              Content-Length: 1000, then its body 1 byte a second
#   head       the request head itself, 1 byte a second
#   keepalive  one quick GET /healthz, then the next request's head 1 byte a second
# The attacker (a Python asyncio client, loopback only) opens CONNS connections in steps of 100
# and reopens every one the server closes, so that CONNS stay open as far as the server lets
# them. The server runs with the soft open-file limit of the issue's machine, 1,024
# (`ulimit -Sn $NOFILE`; the hard limit is left as it is unless NOFILE_HARD is given, and the
# server may raise its soft limit up to it). After WARMUP seconds, curl asks /healthz 10 times
# a second for the rest of SECS, each time on a fresh connection with a 2 s timeout, and the
# script reports the latencies (p50, p99, max) and the failures; the attacker reports how many
# connections it held and how many the server cut. Everything stops by itself after SECS. Not
# part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-slowloris: $*" >&2; }

CONNS=${CONNS:-2000}
SECS=${SECS:-60}
WARMUP=${WARMUP:-25}
MODE=${MODE:-body}
TARGET=${CARGO_TARGET_DIR:-target}
if [ -z "${CRM_BIN:-}" ]; then
  log "building the release binary"
  cargo build --release -q -p crm-gateway --bin crm
  CRM_BIN=$TARGET/release/crm
fi
command -v curl >/dev/null || { log "curl is missing"; exit 1; }

WORK=$(mktemp -d /tmp/crm-bench-slowloris.XXXX)
PID=
ATTACK=
cleanup() {
  [ -z "$ATTACK" ] || kill "$ATTACK" 2>/dev/null || true
  [ -z "$PID" ] || kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PORT=$(free_port)
export CRM_DATA_DIR=$WORK/data CRM_BIND=127.0.0.1:$PORT CRM_LOG=${CRM_LOG:-warn} CRM_WORKERS=2 \
  CRM_JWT_SECRET=bench-secret-0123456789abcdef
NOFILE=${NOFILE:-1024}
( ulimit -Sn "$NOFILE"; [ -z "${NOFILE_HARD:-}" ] || ulimit -Hn "$NOFILE_HARD"; exec "$CRM_BIN" serve ) >"$WORK/crm.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { log "the server did not start"; cat "$WORK/crm.log"; exit 1; }
log "server pid $PID, open-file limit $(awk '/Max open files/ {print $4 " soft, " $5 " hard"}' /proc/$PID/limits)"

cat >"$WORK/attack.py" <<'EOF'
import asyncio, os, sys, time

port, conns, secs, mode = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
end = time.monotonic() + secs
stats = {"open": 0, "opened": 0, "cut": 0, "answered": 0, "refused": 0, "peak": 0}
statuses = {}

HEADS = {
    "body": b"POST /api/auth/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    "head": b"",
    "keepalive": b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n",
}
TRICKLE = {
    "body": b"x" * 1000,
    "head": b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Padding: " + b"a" * 4000,
    "keepalive": b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Padding: " + b"a" * 4000,
}

async def one(i):
    await asyncio.sleep((i // 100) * 0.1)  # 100 new connections every 100 ms
    while time.monotonic() < end:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
        except Exception:
            stats["refused"] += 1
            await asyncio.sleep(0.5)
            continue
        stats["opened"] += 1
        stats["open"] += 1
        stats["peak"] = max(stats["peak"], stats["open"])
        try:
            writer.write(HEADS[mode])
            if mode == "keepalive":
                await asyncio.wait_for(reader.readuntil(b"}"), 2)  # the health JSON
            for b in TRICKLE[mode]:
                if time.monotonic() >= end:
                    break
                try:
                    data = await asyncio.wait_for(reader.read(65536), 1.0)
                except asyncio.TimeoutError:
                    writer.write(bytes([b]))
                    await writer.drain()
                    continue
                if data:
                    stats["answered"] += 1
                    status = data[9:12].decode(errors="replace")
                    statuses[status] = statuses.get(status, 0) + 1
                    while await reader.read(65536):
                        pass
                stats["cut"] += 1
                break
        except Exception:
            stats["cut"] += 1
        finally:
            stats["open"] -= 1
            writer.close()

async def report():
    while time.monotonic() < end:
        await asyncio.sleep(5)
        print(f"attack: {stats} statuses {statuses}", file=sys.stderr, flush=True)

async def main():
    tasks = [asyncio.create_task(one(i)) for i in range(conns)]
    await asyncio.gather(report(), *tasks, return_exceptions=True)
    print(f"attack total: {stats} statuses {statuses}", flush=True)

asyncio.run(main())
EOF

log "attack: $CONNS connections, mode $MODE, ${SECS}s"
( ulimit -n "$(ulimit -Hn)"; exec python3 "$WORK/attack.py" "$PORT" "$CONNS" "$SECS" "$MODE" ) >"$WORK/attack.out" &
ATTACK=$!
sleep "$WARMUP"
log "probing /healthz 10 times a second"
: >"$WORK/probe"
deadline=$((SECONDS + SECS - WARMUP - 2))
while [ "$SECONDS" -lt "$deadline" ]; do
  curl -s -o /dev/null --max-time 2 -w '%{http_code} %{time_total}\n' \
    "http://127.0.0.1:$PORT/healthz" >>"$WORK/probe" 2>/dev/null || echo "000 2" >>"$WORK/probe"
  sleep 0.1
done
fds=$(ls /proc/$PID/fd 2>/dev/null | wc -l || echo "?")
wait "$ATTACK" || true
ATTACK=
cat "$WORK/attack.out"
python3 - "$WORK/probe" "$fds" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ok = sorted(float(t) * 1000 for code, t in rows if code == "200")
failed = len(rows) - len(ok)
pct = lambda p: ok[min(len(ok) - 1, int(p * len(ok)))] if ok else float("nan")
print(f"/healthz: {len(rows)} probes, {failed} failed, p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {(ok[-1] if ok else float('nan')):.1f} ms; server fds at the end {sys.argv[2]}")
EOF
grep -ci "error accepting\|too many open files" "$WORK/crm.log" | sed 's/^/accept errors in the log: /' || true
