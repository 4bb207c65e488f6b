#!/usr/bin/env bash
# Installs wrk (Debian's package) when it is missing; the benchmark scripts call it first.
set -euo pipefail
command -v wrk >/dev/null && exit 0
echo "bench: installing wrk" >&2
ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
