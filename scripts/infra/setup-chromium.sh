#!/usr/bin/env bash
# Installs Debian's Chromium (idempotent; needs root for apt-get) for the console's end-to-end
# test, which drives it with playwright-core (an npm devDependency of apps/crm-console: no
# browser download). Prints `export` lines: CHROMIUM_BIN and CHROMIUM_FLAGS_HEADLESS.
#
# Usage:  eval "$(scripts/infra/setup-chromium.sh)"
set -euo pipefail
log() { echo "setup-chromium: $*" >&2; }
need=(); for p in chromium; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${need[*]} and not root: install them first"; exit 1; }
  log "installing ${need[*]}"
  ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium is missing after install"; exit 1; }
# Flags that work as root in a sandbox with no network.
FLAGS="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --disable-extensions --disable-quic --metrics-recording-only --mute-audio"
cat <<OUT
export CHROMIUM_BIN=/usr/bin/chromium
export CHROMIUM_FLAGS_HEADLESS="$FLAGS"
OUT
