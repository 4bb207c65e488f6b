#!/usr/bin/env bash
# The Nextcloud proxy under a 1 GiB file (issue 4's targets: gateway peak RSS < 64 MB, proxy
# throughput >= 80% of fetching the same file straight from WebDAV with curl).
#
#   ./scripts/bench-proxy.sh              1 GiB, 3 rounds
#   SIZE_MB=256 ROUNDS=5 ./scripts/bench-proxy.sh
#   PROFILE=/tmp/proxy.perf ./scripts/bench-proxy.sh   also one more proxied download under
#                                                       `perf record -a -g` (every process)
#   WITH_NGINX=1 ./scripts/bench-proxy.sh also, in the same rounds, through nginx as a reverse
#                                         proxy (128 KiB buffers): what a mature user-space
#                                         proxy reaches on this machine (apt-get install
#                                         nginx-light; not needed otherwise)
#
# Starts the Apache WebDAV of scripts/infra/start-webdav.sh and a release `crm` configured for
# it, PUTs a file of random bytes, then downloads it in alternating rounds (a) straight from
# WebDAV and (b) through GET /api/crm/nextcloud/file, both with curl to /dev/null, and reports
# the median throughput of each, their ratio, the gateway's CPU time per GiB and its peak RSS
# (VmHWM). Then it uploads a file of the same size straight to WebDAV and through
# POST /api/crm/nextcloud/upload, and reports both throughputs and the peak RSS again.
# Everything shares the machine's cores: run it on an otherwise idle machine. Nothing here is
# part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-proxy: $*" >&2; }

SIZE_MB=${SIZE_MB:-1024}
ROUNDS=${ROUNDS:-3}
TARGET=${CARGO_TARGET_DIR:-target}

log "building the release binary"
cargo build --release -q -p crm-gateway

WORK=$(mktemp -d /tmp/crm-bench-proxy.XXXX)
PID=
WEBDAV_PIDFILE=
cleanup() {
  [ -z "$PID" ] || kill "$PID" 2>/dev/null || true
  [ ! -f "$WORK/nginx.pid" ] || kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [ -z "$WEBDAV_PIDFILE" ] || RM=1 scripts/infra/stop-webdav.sh "$WEBDAV_PIDFILE"
  rm -rf "$WORK"
}
trap cleanup EXIT

eval "$(scripts/infra/start-webdav.sh)"   # WEBDAV_URL WEBDAV_USER WEBDAV_PASS WEBDAV_DIR WEBDAV_PIDFILE
DAV="$WEBDAV_URL/remote.php/dav/files/$WEBDAV_USER"
BASE=bench
curl -sf -u "$WEBDAV_USER:$WEBDAV_PASS" -X MKCOL "$DAV/$BASE/" >/dev/null

log "PUT a ${SIZE_MB} MiB file of random bytes to WebDAV"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom \
  | curl -sf -u "$WEBDAV_USER:$WEBDAV_PASS" -T - "$DAV/$BASE/big.bin" >/dev/null

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PORT=$(free_port)
export CRM_DATA_DIR=$WORK/data CRM_BIND=127.0.0.1:$PORT CRM_LOG=warn CRM_WORKERS=2 \
  CRM_JWT_SECRET=bench-secret-0123456789abcdef \
  CRM_NEXTCLOUD_URL=$WEBDAV_URL CRM_NEXTCLOUD_USER=$WEBDAV_USER CRM_NEXTCLOUD_PASSWORD=$WEBDAV_PASS \
  CRM_NEXTCLOUD_BASE_PATH=$BASE CRM_MAX_UPLOAD_BYTES=$(( (SIZE_MB + 1) * 1024 * 1024 ))
"$TARGET/release/crm" serve >"$WORK/crm.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
sleep 0.5
kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }   # the gateway's user + system CPU
echo "gateway RSS at rest: $(( $(kb VmRSS) / 1024 )) MB"

TOKEN=$(python3 scripts/bench/token.py)

NGINX_URL=
if [ -n "${WITH_NGINX:-}" ]; then
  NGINX_PORT=$(free_port)
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK;
  fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass ${WEBDAV_URL};
      proxy_http_version 1.1;
      proxy_buffer_size 128k; proxy_buffers 8 128k; proxy_busy_buffers_size 256k;
      proxy_max_temp_file_size 0;
    }
  }
}
CONF
  nginx -c "$WORK/nginx.conf"
  NGINX_URL="http://127.0.0.1:$NGINX_PORT/remote.php/dav/files/$WEBDAV_USER/$BASE/big.bin"
fi

# prints bytes/s; fails when the size is not the file's
fetch() {
  local out
  out=$(curl -sf -o /dev/null -w '%{size_download} %{speed_download}' "$@")
  local size=${out% *}
  [ "$size" = "$((SIZE_MB * 1024 * 1024))" ] || { log "short download: $size bytes"; exit 1; }
  echo "${out#* }"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mbs() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }

: >"$WORK/direct"; : >"$WORK/proxy"
CPU0=$(ticks)
for round in $(seq "$ROUNDS"); do
  d=$(fetch -u "$WEBDAV_USER:$WEBDAV_PASS" "$DAV/$BASE/big.bin")
  p=$(fetch -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/crm/nextcloud/file?path=big.bin")
  echo "$d" >>"$WORK/direct"; echo "$p" >>"$WORK/proxy"
  if [ -n "$NGINX_URL" ]; then
    n=$(fetch -u "$WEBDAV_USER:$WEBDAV_PASS" "$NGINX_URL")
    echo "$n" >>"$WORK/nginx"
    log "round $round: direct $(mbs "$d") MB/s, through the gateway $(mbs "$p") MB/s, through nginx $(mbs "$n") MB/s"
  else
    log "round $round: direct $(mbs "$d") MB/s, through the gateway $(mbs "$p") MB/s"
  fi
done
D=$(median <"$WORK/direct"); P=$(median <"$WORK/proxy")
echo "download ${SIZE_MB} MiB, median of $ROUNDS: direct from WebDAV $(mbs "$D") MB/s, through GET /api/crm/nextcloud/file $(mbs "$P") MB/s"
echo "proxy / direct: $(pct "$P" "$D")"
if [ -n "$NGINX_URL" ]; then
  N=$(median <"$WORK/nginx")
  echo "through nginx (reference), median: $(mbs "$N") MB/s; nginx / direct: $(pct "$N" "$D"); gateway / nginx: $(pct "$P" "$N")"
fi
echo "gateway CPU per proxied GiB (user + system): $(awk -v t=$(( $(ticks) - CPU0 )) -v hz="$(getconf CLK_TCK)" -v n="$ROUNDS" -v mb="$SIZE_MB" 'BEGIN {printf "%.2f s", t / hz / n / (mb / 1024)}')"
echo "gateway peak RSS after the downloads (VmHWM): $(( $(kb VmHWM) / 1024 )) MB"
if [ -n "${PROFILE:-}" ]; then
  perf record -q -a -g -e cpu-clock -F 999 -o "$PROFILE" -- \
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/crm/nextcloud/file?path=big.bin"
  log "profile of one proxied download in $PROFILE (perf report -i $PROFILE --sort comm,dso)"
fi

log "upload ${SIZE_MB} MiB through POST /api/crm/nextcloud/upload"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom >"$WORK/up.bin"
UD=$(curl -sf -o /dev/null -w '%{speed_upload}' -u "$WEBDAV_USER:$WEBDAV_PASS" -T "$WORK/up.bin" "$DAV/$BASE/direct-up.bin")
echo "upload ${SIZE_MB} MiB straight to WebDAV (curl -T): $(mbs "$UD") MB/s"
U=$(curl -sf -o "$WORK/up.json" -w '%{speed_upload}' -H "Authorization: Bearer $TOKEN" \
  -F nextcloud_path=uploads -F "file=@$WORK/up.bin;filename=up.bin" \
  "http://127.0.0.1:$PORT/api/crm/nextcloud/upload")
grep -q "\"size\":$((SIZE_MB * 1024 * 1024))" "$WORK/up.json" || { log "upload failed: $(cat "$WORK/up.json")"; exit 1; }
rm -f "$WORK/up.bin"
echo "upload ${SIZE_MB} MiB through POST /api/crm/nextcloud/upload: $(mbs "$U") MB/s"
echo "gateway peak RSS after the upload too (VmHWM): $(( $(kb VmHWM) / 1024 )) MB"
