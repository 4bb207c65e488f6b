#!/usr/bin/env bash
# Checks the deployment snippets (deploy/ and docs/deploy.md) with the tools that read them:
#   - deploy/crm.service     systemd-analyze verify (any complaint about the unit fails), and
#                            the hardening docs/deploy.md promises is all there
#   - deploy/nginx.conf      nginx -t, the server block inside a minimal nginx.conf, with
#                            self-signed certificates made here in place of the real paths
#   - deploy/Caddyfile       caddy validate (with `tls internal`: no network) and caddy fmt
#   - deploy/crm.env.example every CRM_* name is a variable config.rs reads (its ENV table,
#                            or a clap `env =` in cli.rs); secrets are placeholders
#   - docs/deploy.md         the same for every CRM_* it names; its ```sh blocks parse
#                            (bash -n), its ```toml blocks parse, its ```ini AMI stanza
#                            grants exactly what the CRM uses
# Installs nginx-light and caddy from Debian when they are missing (root only; otherwise says
# what to install and fails). Offline but for apt, well under a minute, starts no server.
#
#   ./scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:/usr/sbin:/sbin"

log() { echo "check-deploy.sh: $*" >&2; }
failures=0
fail() {
  log "FAIL: $*"
  failures=$((failures + 1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# need COMMAND PACKAGE: install PACKAGE when COMMAND is missing (idempotent, root only).
need() {
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "$1 is missing: run as root, or apt-get install $2"
    exit 1
  fi
  log "installing $2 ($1)"
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
need systemd-analyze systemd
need openssl openssl
need nginx nginx-light
need caddy caddy
need python3 python3

# --- the systemd unit ------------------------------------------------------------------------
# verify needs ExecStart's binary: when /usr/local/bin/crm is not installed, a copy of the
# unit points at a stub.
unit_dir="$tmp/units"
mkdir -p "$unit_dir"
cp deploy/crm.service "$unit_dir/crm.service"
if [ ! -x /usr/local/bin/crm ]; then
  printf '#!/bin/sh\nexit 0\n' >"$tmp/crm"
  chmod +x "$tmp/crm"
  sed -i "s|^ExecStart=/usr/local/bin/crm |ExecStart=$tmp/crm |" "$unit_dir/crm.service"
fi
# Unknown keys and bad values are only warnings for systemd: any line about the unit fails.
verify_out=$(systemd-analyze verify --man=no "$unit_dir/crm.service" 2>&1) || fail "systemd-analyze verify: exit status $?"
if grep -F 'crm.service' <<<"$verify_out" >&2; then
  fail "systemd-analyze verify complains about deploy/crm.service (above)"
fi
for setting in 'User=crm' 'ExecStart=/usr/local/bin/crm serve' 'EnvironmentFile=/etc/crm/crm.env' \
  'StateDirectory=crm' 'Environment=CRM_DATA_DIR=/var/lib/crm' 'ReadWritePaths=/var/lib/crm' \
  'Environment=CRM_TRUSTED_PROXIES=127.0.0.1' 'UMask=0077' 'KillSignal=SIGTERM' \
  'Restart=on-failure' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
  'PrivateTmp=yes' 'PrivateDevices=yes' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' \
  'ProtectKernelLogs=yes' 'ProtectControlGroups=yes' \
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'RestrictNamespaces=yes' \
  'LockPersonality=yes' 'MemoryDenyWriteExecute=yes' 'SystemCallFilter=@system-service' \
  'SystemCallArchitectures=native' 'CapabilityBoundingSet='; do
  grep -qxF "$setting" deploy/crm.service || fail "deploy/crm.service lacks the line $setting"
done
stop_secs=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' deploy/crm.service)
[ "${stop_secs:-0}" -ge 60 ] || fail "deploy/crm.service: TimeoutStopSec (in seconds) under 60 leaves no time to drain"
nofile=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' deploy/crm.service)
[ "${nofile:-0}" -ge 16384 ] || fail "deploy/crm.service: LimitNOFILE under 16384"
log "systemd unit checked"

# --- nginx -----------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=crm.example.com \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
# nginx -t binds the listening sockets: free loopback ports stand in for 80 and 443, so it
# needs no root and no idle port 80 (the IPv6 lines go to ::1, or away without IPv6).
read -r port80 port443 ipv6 < <(python3 -c '
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
try:
    s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.close(); v6 = "yes"
except OSError:
    v6 = "no"
print(*ports, v6)')
if [ "$ipv6" = yes ]; then v6_listen="s|^\(\s*listen\) \[::\]:|\1 [::1]:|"; else v6_listen='/^\s*listen \[::\]:/d'; fi
sed -e "s|^\(\s*ssl_certificate\) .*;|\1 $tmp/cert.pem;|" \
  -e "s|^\(\s*ssl_certificate_key\) .*;|\1 $tmp/key.pem;|" \
  -e "$v6_listen" \
  -e "s|^\(\s*listen\) 80\([ ;]\)|\1 127.0.0.1:$port80\2|" \
  -e "s|^\(\s*listen\) 443\([ ;]\)|\1 127.0.0.1:$port443\2|" \
  -e "s|^\(\s*listen\) \[::1\]:80\([ ;]\)|\1 [::1]:$port80\2|" \
  -e "s|^\(\s*listen\) \[::1\]:443\([ ;]\)|\1 [::1]:$port443\2|" \
  deploy/nginx.conf >"$tmp/crm.conf"
if grep -nE '^\s*listen\s' "$tmp/crm.conf" | grep -vE "listen (127\.0\.0\.1|\[::1\]):($port80|$port443)[ ;]" >&2; then
  fail "deploy/nginx.conf: a listen line (above) could not be moved to a test port"
fi
grep -q "ssl_certificate_key $tmp/key.pem;" "$tmp/crm.conf" ||
  fail "deploy/nginx.conf: no ssl_certificate_key line to point at the test key"
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/crm.conf;
}
CONF
if ! nginx_out=$(nginx -t -q -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" 2>&1); then
  echo "$nginx_out" >&2
  fail "nginx -t refuses deploy/nginx.conf"
fi
grep -q 'X-Forwarded-For \$proxy_add_x_forwarded_for' deploy/nginx.conf ||
  fail "deploy/nginx.conf does not send X-Forwarded-For"
grep -q 'proxy_pass http://crm;' deploy/nginx.conf && grep -q 'server 127.0.0.1:8080;' deploy/nginx.conf ||
  fail "deploy/nginx.conf does not proxy to 127.0.0.1:8080"
log "nginx server block checked"

# --- Caddy -----------------------------------------------------------------------------------
# An internal CA instead of ACME, its files in the temporary folder, nothing installed in the
# system's trust store.
mkdir -p "$tmp/caddy"
{
  printf '{\n\tadmin off\n\tskip_install_trust\n\tstorage file_system %s\n}\n\n' "$tmp/caddy/data"
  sed -e '/^[^#[:space:]].* {$/a\	tls internal' deploy/Caddyfile
} >"$tmp/caddy/Caddyfile"
grep -q 'tls internal' "$tmp/caddy/Caddyfile" || fail "deploy/Caddyfile: no site block found"
if ! caddy_out=$(HOME="$tmp/caddy" XDG_DATA_HOME="$tmp/caddy" XDG_CONFIG_HOME="$tmp/caddy" \
  caddy validate --adapter caddyfile --config "$tmp/caddy/Caddyfile" 2>&1); then
  echo "$caddy_out" >&2
  fail "caddy validate refuses deploy/Caddyfile"
fi
caddy fmt deploy/Caddyfile | diff -u deploy/Caddyfile - >&2 ||
  fail "deploy/Caddyfile is not as caddy fmt writes it (diff above)"
grep -q 'reverse_proxy 127.0.0.1:8080' deploy/Caddyfile || fail "deploy/Caddyfile does not proxy to 127.0.0.1:8080"
log "Caddyfile checked"

# --- variable names --------------------------------------------------------------------------
# The ENV table's names (rustfmt may put a tuple over several lines), and clap's env names.
{
  sed -n '/^const ENV: /,/^];/p' apps/crm-gateway/src/config.rs | tr '\n' ' ' |
    grep -oE '\( *"[A-Z0-9_]+"' | grep -oE '[A-Z0-9_]+' | sed 's/^/CRM_/'
  grep -ohE 'env = "CRM_[A-Z0-9_]+"' apps/crm-gateway/src/*.rs | grep -oE 'CRM_[A-Z0-9_]+'
} | sort -u >"$tmp/known"
[ "$(wc -l <"$tmp/known")" -ge 50 ] || fail "could not read the ENV table of apps/crm-gateway/src/config.rs"
for file in deploy/crm.env.example deploy/crm.service docs/deploy.md; do
  for name in $(grep -oE 'CRM_[A-Z0-9_]+' "$file" | sort -u); do
    grep -qxF "$name" "$tmp/known" || fail "$file names $name, which the CRM does not read"
  done
done
# Lines of the env file: NAME=value, comments, blanks; other names only Google's.
while IFS= read -r line; do
  case "$line" in
  '' | '#'*) continue ;;
  CRM_*=* | GOOGLE_APPLICATION_CREDENTIALS=*) ;;
  *) fail "deploy/crm.env.example: not a CRM variable: $line" ;;
  esac
  value=${line#*=}
  case "${line%%=*}" in
  *SECRET* | *PASSWORD* | *TOKEN* | *API_KEY*)
    [ "$value" = CHANGE_ME ] || fail "deploy/crm.env.example: ${line%%=*} must be the placeholder CHANGE_ME"
    ;;
  esac
done <deploy/crm.env.example
log "variable names checked"

# --- docs/deploy.md's snippets ----------------------------------------------------------------
python3 - docs/deploy.md "$tmp/snippets" <<'PY' || fail "docs/deploy.md: a snippet does not parse (above)"
import pathlib, re, subprocess, sys, tomllib
doc, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir()
blocks = re.findall(r"^```(\w*)\n(.*?)^```$", doc.read_text(), re.S | re.M)
ok, counts = True, {}
for n, (lang, body) in enumerate(blocks):
    counts[lang] = counts.get(lang, 0) + 1
    if lang == "sh":
        path = out / f"{n}.sh"
        path.write_text(body)
        r = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        if r.returncode:
            print(f"block {n} (sh):\n{body}{r.stderr}", file=sys.stderr); ok = False
    elif lang == "toml":
        try:
            tomllib.loads(body)
        except tomllib.TOMLDecodeError as e:
            print(f"block {n} (toml): {e}\n{body}", file=sys.stderr); ok = False
    elif lang == "ini":
        # the AMI user: events the CRM reads are class call (channels, dials, bridges,
        # hangups, transfers, OriginateResponse) and cdr; its one action besides
        # Login/Ping/Logoff is Originate
        keys = dict(re.findall(r"^(\w+)\s*=\s*(.*?)\s*$", body, re.M))
        want = {"read": "call,cdr", "write": "originate"}
        for k, v in want.items():
            if keys.get(k) != v:
                print(f"block {n} (ini): {k} = {keys.get(k)!r}, want {v!r}", file=sys.stderr); ok = False
        if "deny" not in keys or "permit" not in keys:
            print(f"block {n} (ini): deny= and permit= missing", file=sys.stderr); ok = False
    elif lang not in ("", "text", "json", "http"):
        print(f"block {n}: no check for ```{lang}", file=sys.stderr); ok = False
for lang in ("sh", "toml", "ini"):
    if not counts.get(lang):
        print(f"no ```{lang} block found", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
log "docs/deploy.md snippets checked"

if [ "$failures" -ne 0 ]; then
  log "$failures check(s) failed"
  exit 1
fi
log "all deployment snippets check out"
