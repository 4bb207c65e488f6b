#!/usr/bin/env bash
# Throwaway Google Cloud Firestore emulator on 127.0.0.1, for the firestore crate's tests and
# the stores' (any project id works; each project is its own empty database).
#
# Usage:  eval "$(scripts/infra/start-firestore.sh)"      then   scripts/infra/stop-firestore.sh
#   arg 1     port (default: a free one)
#   INFRA_DIR directory to use (default: a new mktemp -d /tmp/firestore.XXXXXX)
# Installs google-cloud-cli-firestore-emulator (and a Java 17 runtime) with apt-get when missing
# (needs root and Google's Cloud SDK apt repository); says so and fails when that cannot be done.
# Prints `export` lines on stdout, logs on stderr.
set -euo pipefail
log() { echo "start-firestore: $*" >&2; }

free_port() {
  local py; py=$(command -v python3 || true)
  if [ -n "$py" ]; then
    "$py" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
    return
  fi
  local p; for _ in $(seq 50); do
    p=$(shuf -i 20000-60000 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  log "no free port found"; exit 1
}

# --- install (idempotent) ------------------------------------------------------------------
EMU_PKG=google-cloud-cli-firestore-emulator
find_emulator() {
  local d
  for d in /usr/lib/google-cloud-sdk /usr/share/google-cloud-sdk /opt/google-cloud-sdk \
           "$(dirname "$(readlink -f "$(command -v gcloud 2>/dev/null || echo /nonexistent)")")/.."; do
    [ -x "$d/platform/cloud-firestore-emulator/cloud_firestore_emulator" ] && {
      echo "$d/platform/cloud-firestore-emulator/cloud_firestore_emulator"; return 0; }
  done
  return 1
}
need=()
find_emulator >/dev/null || need+=("$EMU_PKG")
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need[*]} and not root: install them first (apt-get install -y ${need[*]})"
    exit 1
  fi
  log "installing ${need[*]}"
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -qq || true
  install() {
    DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
      apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >/dev/null
  }
  if ! install && ! { log "apt-get install failed: refreshing the package lists once"; apt-get update -qq && install; }; then
    log "cannot install ${need[*]}: the Firestore emulator comes from Google's Cloud SDK apt"
    log "repository (https://cloud.google.com/sdk/docs/install#deb); add it, or install the"
    log "emulator with \`gcloud components install cloud-firestore-emulator\`, then run this again"
    exit 1
  fi
fi
EMU=$(find_emulator) || { log "the Firestore emulator is still not found after installing $EMU_PKG"; exit 1; }
java -version >/dev/null 2>&1 || { log "java does not run: the emulator needs a Java 11+ runtime"; exit 1; }

# --- start ------------------------------------------------------------------------------------
D=${INFRA_DIR:-$(mktemp -d /tmp/firestore.XXXXXX)}
mkdir -p "$D"; D=$(cd "$D" && pwd)
PORT=${1:-$(free_port)}
t0=$(date +%s%N)
# its own session and process group (the wrapper script runs java as a child): stop-firestore.sh
# ends the whole group by its id
setsid "$EMU" start --host=127.0.0.1 --port="$PORT" >"$D/emulator.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$D/emulator.pid"
ok=0
for _ in $(seq 1200); do   # up to 60 s (a cold JVM on a busy machine)
  if [ "$(curl -s --max-time 1 "http://127.0.0.1:$PORT/" 2>/dev/null || true)" = Ok ]; then ok=1; break; fi
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.05
done
if [ $ok != 1 ]; then
  log "the Firestore emulator did not answer on port $PORT; its log:"
  tail -n 40 "$D/emulator.log" >&2 || true
  kill -- "-$PID" 2>/dev/null || true
  exit 1
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "Firestore emulator on 127.0.0.1:$PORT after ${ms} ms (dir $D)"
echo "export FIRESTORE_EMULATOR_HOST=127.0.0.1:$PORT FIRESTORE_PROJECT=demo-bellsystems FIRESTORE_DIR=$D FIRESTORE_PIDFILE=$D/emulator.pid"
