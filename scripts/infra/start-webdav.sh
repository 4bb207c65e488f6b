#!/usr/bin/env bash
# Throwaway Apache 2.4 + mod_dav_fs on 127.0.0.1, laid out like Nextcloud's WebDAV:
#   $WEBDAV_URL/remote.php/dav/files/<user>/    (HTTP Basic; each user sees only its own tree)
# Users: alice/alice-pass (exported) and bob/bob-pass (a second, isolated tree).
#
# Usage:  eval "$(scripts/infra/start-webdav.sh)"      then   scripts/infra/stop-webdav.sh
#   arg 1     port (default: a free one)
#   INFRA_DIR directory to use (default: a new mktemp -d /tmp/webdav.XXXXXX)
# Installs apache2 + apache2-utils (+ curl) with apt-get when missing (needs root), without
# letting apt start the distro Apache. Prints `export` lines on stdout, logs on stderr.
set -euo pipefail
log() { echo "start-webdav: $*" >&2; }

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

# --- install (idempotent; a temporary policy-rc.d keeps apt from starting services) -------
need=(); for p in apache2 apache2-utils curl; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${need[*]} and not root: install them first"; exit 1; }
  log "installing ${need[*]}"
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -qq
  rc_made=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rc_made=1
  fi
  trap '[ -z "$rc_made" ] || rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

D=${INFRA_DIR:-$(mktemp -d /tmp/webdav.XXXXXX)}
mkdir -p "$D"; D=$(cd "$D" && pwd); chmod 755 "$D"
PORT=${1:-$(free_port)}
mkdir -p "$D/run" "$D/lock" "$D/files"; chown www-data:www-data "$D/lock"
: >"$D/htpasswd"
M=/usr/lib/apache2/modules
cat >"$D/httpd.conf" <<CONF
ServerRoot $D
ServerName localhost
Listen 127.0.0.1:$PORT
PidFile $D/httpd.pid
DefaultRuntimeDir $D/run
Mutex file:$D/run default
ErrorLog $D/error.log
LogFormat "%h %u \"%r\" %>s %b %D" dav
CustomLog $D/access.log dav
User www-data
Group www-data
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authn_file_module $M/mod_authn_file.so
LoadModule auth_basic_module $M/mod_auth_basic.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule alias_module $M/mod_alias.so
LoadModule mime_module $M/mod_mime.so
LoadModule headers_module $M/mod_headers.so
LoadModule dav_module $M/mod_dav.so
LoadModule dav_fs_module $M/mod_dav_fs.so
TypesConfig /etc/mime.types
DavLockDB $D/lock/DavLock
LimitRequestBody 0
Timeout 300
KeepAliveTimeout 30
MaxKeepAliveRequests 0
<Directory />
  Require all denied
  AllowOverride None
</Directory>
CONF
for up in alice:alice-pass bob:bob-pass; do
  u=${up%%:*}; p=${up#*:}
  htpasswd -b "$D/htpasswd" "$u" "$p" 2>/dev/null
  mkdir -p "$D/files/$u"; chown www-data:www-data "$D/files/$u"
  cat >>"$D/httpd.conf" <<CONF
Alias /remote.php/dav/files/$u $D/files/$u
<Directory $D/files/$u>
  Dav On
  AuthType Basic
  AuthName "Nextcloud"
  AuthUserFile $D/htpasswd
  Require user $u
  Options None
</Directory>
CONF
done

/usr/sbin/apache2 -f "$D/httpd.conf" -k start 2>>"$D/error.log"
ok=0
for _ in $(seq 200); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/remote.php/dav/files/alice/" 2>/dev/null || true)
  [ "$code" = 401 ] && { ok=1; break; }
  sleep 0.05
done
[ $ok = 1 ] || { log "apache did not answer on port $PORT"; cat "$D/error.log" >&2; exit 1; }
log "apache mod_dav on http://127.0.0.1:$PORT (dir $D)"
echo "export WEBDAV_URL=http://127.0.0.1:$PORT WEBDAV_USER=alice WEBDAV_PASS=alice-pass WEBDAV_DIR=$D WEBDAV_PIDFILE=$D/httpd.pid"
