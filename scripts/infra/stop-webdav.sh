#!/usr/bin/env bash
# Stops the Apache started by start-webdav.sh, by its pidfile.
# Usage: stop-webdav.sh [pidfile]   (default: $WEBDAV_PIDFILE).  RM=1 also deletes its directory.
set -u
PF=${1:-${WEBDAV_PIDFILE:-}}
[ -n "$PF" ] || { echo "stop-webdav: give a pidfile or set WEBDAV_PIDFILE" >&2; exit 1; }
if [ -s "$PF" ]; then
  PID=$(cat "$PF")
  # SIGTERM is `apache2 -k stop`: the parent stops and reaps its children.
  kill "$PID" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null
fi
if [ "${RM:-0}" = 1 ]; then
  d=$(dirname "$PF")
  case "$d" in /tmp/*) rm -rf "$d" ;; *) echo "stop-webdav: not removing $d (not under /tmp)" >&2 ;; esac
fi
exit 0
