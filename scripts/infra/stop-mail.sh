#!/usr/bin/env bash
# Stops the Postfix and the two Dovecots started by start-mail.sh, by their pidfiles.
# Usage: stop-mail.sh [dir]   (default: $MAIL_DIR).  RM=1 also deletes the directory.
set -u
D=${1:-${MAIL_DIR:-}}
[ -n "$D" ] || { echo "stop-mail: give the directory or set MAIL_DIR" >&2; exit 1; }
stop_pidfile() {   # SIGTERM makes each master stop its children; SIGKILL after 5 s
  local pf=$1 pid
  [ -s "$pf" ] || return 0
  pid=$(tr -d ' \n' <"$pf")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  return 0
}
stop_pidfile "$D/postfix/spool/pid/master.pid"
stop_pidfile "$D/dovecot/run/master.pid"
stop_pidfile "$D/dovecot-fault/run/master.pid"
if [ "${RM:-0}" = 1 ]; then
  case "$D" in /tmp/*) rm -rf "$D" ;; *) echo "stop-mail: not removing $D (not under /tmp)" >&2 ;; esac
fi
exit 0
