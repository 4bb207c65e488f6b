#!/usr/bin/env bash
# Stops the Firestore emulator started by start-firestore.sh: its process group, by the id in
# its pidfile (the wrapper script and the java it runs).
# Usage: stop-firestore.sh [pidfile]   (default: $FIRESTORE_PIDFILE).  RM=1 also deletes its directory.
set -u
PF=${1:-${FIRESTORE_PIDFILE:-}}
[ -n "$PF" ] || { echo "stop-firestore: give a pidfile or set FIRESTORE_PIDFILE" >&2; exit 1; }
if [ -s "$PF" ]; then
  PID=$(tr -d ' \n' <"$PF")
  # start-firestore.sh started it as the leader of its own process group
  if [ -n "$PID" ] && [ "$(ps -o pgid= -p "$PID" 2>/dev/null | tr -d ' ')" = "$PID" ]; then
    kill -TERM -- "-$PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 -- "-$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 -- "-$PID" 2>/dev/null && kill -KILL -- "-$PID" 2>/dev/null
  fi
fi
if [ "${RM:-0}" = 1 ]; then
  d=$(dirname "$PF")
  case "$d" in /tmp/*) rm -rf "$d" ;; *) echo "stop-firestore: not removing $d (not under /tmp)" >&2 ;; esac
fi
exit 0
