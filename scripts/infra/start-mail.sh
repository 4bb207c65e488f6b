#!/usr/bin/env bash
# Throwaway mail servers on 127.0.0.1 for mail-bridge's integration tests (Debian 12, root,
# no systemd):
#   - Dovecot 2.3 IMAP: STARTTLS on the IMAP port, implicit TLS on the IMAPS port, plain LOGIN
#     allowed (loopback only); LMTP and SASL auth for Postfix; IDLE offered.
#   - Postfix 3.7 SMTP delivering every @example.test recipient into Dovecot over LMTP
#     (STARTTLS offered on the SMTP port, implicit TLS on the SMTPS port; `user+Folder@`
#     is delivered into Folder, created on demand).
#   - A second Dovecot ("fault" instance: its own mail store, no IDLE capability) that the tests
#     may kill and restart, and that exercises the polling fallback.
# One user, name and password generated here; TLS certificates signed by a CA generated here.
#
# Usage:  eval "$(scripts/infra/start-mail.sh)"      then   scripts/infra/stop-mail.sh
#   INFRA_DIR  directory to use (default: a new mktemp -d /tmp/mail.XXXXXX)
# Installs dovecot-imapd, dovecot-lmtpd and postfix with apt-get when missing (needs root),
# without letting apt start the distro services. Prints `export` lines on stdout, logs on stderr.
set -euo pipefail
log() { echo "start-mail: $*" >&2; }
PY=$(command -v /usr/bin/python3 || command -v python3 || true)
free_port() {
  if [ -n "$PY" ]; then
    "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
    return
  fi
  local p; for _ in $(seq 50); do
    p=$(shuf -i 20000-60000 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  log "no free port found"; exit 1
}
# waits until 127.0.0.1:$1 greets with a line starting with $2
wait_banner() {
  local i
  for i in $(seq 200); do
    ( exec 3<>"/dev/tcp/127.0.0.1/$1" && read -r -t 2 l <&3 && [[ $l == "$2"* ]] ) 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# --- install (idempotent; a temporary policy-rc.d keeps apt from starting services) ----------
need=(); for p in dovecot-imapd dovecot-lmtpd postfix openssl; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${need[*]} and not root: install them first"; exit 1; }
  log "installing ${need[*]}"
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -qq
  # "No configuration": no /etc/postfix/main.cf and no system instance
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  rc_made=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rc_made=1
  fi
  trap '[ -z "$rc_made" ] || rm -f /usr/sbin/policy-rc.d' EXIT
  install() {
    DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
      apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >/dev/null
  }
  install || { log "apt-get install failed: refreshing the package lists once"; apt-get update -qq; install; }
fi

# --- layout --------------------------------------------------------------------------------
D=${INFRA_DIR:-$(mktemp -d /tmp/mail.XXXXXX)}
mkdir -p "$D"; D=$(cd "$D" && pwd)
chmod 755 "$D"                      # Dovecot's mail processes run as `mail` and must traverse it
MUID=$(id -u mail); MGID=$(id -g mail)
MAIL_USER=crm
MAIL_PASS=$(openssl rand -hex 16)
DOMAIN=example.test
IMAP_PORT=$(free_port); IMAPS_PORT=$(free_port); LMTP_PORT=$(free_port); AUTH_PORT=$(free_port)
SMTP_PORT=$(free_port); SMTPS_PORT=$(free_port); FAULT_PORT=$(free_port)

# --- TLS: a CA generated here signs one server certificate for localhost/127.0.0.1/::1 ---------
T=$D/tls; mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mail-bridge test CA" \
  -keyout "$T/ca-key.pem" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$T/key.pem" -out "$T/req.pem" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$T/ext.cnf"
openssl x509 -req -in "$T/req.pem" -CA "$T/ca.pem" -CAkey "$T/ca-key.pem" -CAcreateserial \
  -days 30 -extfile "$T/ext.cnf" -out "$T/cert.pem" 2>/dev/null
chmod 644 "$T"/*.pem

# passwd-file: user:{scheme}password:uid:gid:gecos:home:shell:extra (uid/gid filled: no root delivery)
mkdir -p "$D/home"; chown mail:mail "$D/home"
echo "$MAIL_USER:{PLAIN}$MAIL_PASS:$MUID:$MGID::$D/home/$MAIL_USER::" >"$D/users"
chmod 640 "$D/users"; chgrp dovecot "$D/users"   # readable by the auth process only

# the part both Dovecot instances share
common_conf() {
  cat <<EOF
listen = 127.0.0.1
ssl = yes
ssl_cert = <$T/cert.pem
ssl_key = <$T/key.pem
disable_plaintext_auth = no            # plain LOGIN allowed: the client refuses plain off loopback
auth_mechanisms = plain login
auth_failure_delay = 0                 # a wrong password fails at once (default 2 s)
auth_username_format = %Ln             # "crm" and "crm@example.test" are one user
first_valid_uid = 1
mail_fsync = never                     # throwaway store: speed over durability
mail_max_userip_connections = 200      # tests run in parallel, one connection each
passdb {
  driver = passwd-file
  args = $D/users
}
userdb {
  driver = passwd-file
  args = $D/users
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
service anvil {                        # no per-IP auth penalty (4..15 s) after failed logins
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
}

# --- Dovecot, main instance ------------------------------------------------------------------
A=$D/dovecot; mkdir -p "$A"
{
  cat <<EOF
base_dir = $A/run
state_dir = $A/state
instance_name = mail-$(basename "$D")
log_path = $A/dovecot.log
protocols = imap lmtp
mail_location = maildir:~/Maildir
recipient_delimiter = +
lmtp_save_to_detail_mailbox = yes      # crm+Folder@example.test lands in Folder
lda_mailbox_autocreate = yes
EOF
  common_conf
  cat <<EOF
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service auth {                         # SASL for Postfix (smtpd_sasl_type = dovecot)
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
EOF
} >"$A/dovecot.conf"

# --- Dovecot, fault instance (own store, no IDLE; the tests kill and restart it) --------------
B=$D/dovecot-fault; mkdir -p "$B/mail"; chown mail:mail "$B/mail"
{
  cat <<EOF
base_dir = $B/run
state_dir = $B/state
instance_name = mail-fault-$(basename "$D")
log_path = $B/dovecot.log
protocols = imap
mail_location = maildir:$B/mail/%n
imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS NAMESPACE UNSELECT
EOF
  common_conf
  cat <<EOF
service imap-login {
  inet_listener imap {
    port = $FAULT_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
} >"$B/dovecot.conf"

# Daemons get no stdout/stderr of ours: a caller reading our output through $(...) would
# otherwise wait for them to exit.
/usr/sbin/dovecot -c "$A/dovecot.conf" </dev/null >>"$A/start.log" 2>&1   # master pid: base_dir/master.pid
/usr/sbin/dovecot -c "$B/dovecot.conf" </dev/null >>"$B/start.log" 2>&1
wait_banner "$IMAP_PORT" '* OK' || { log "dovecot failed; see $A/dovecot.log"; cat "$A/start.log" "$A/dovecot.log" >&2; exit 1; }
wait_banner "$FAULT_PORT" '* OK' || { log "fault dovecot failed; see $B/dovecot.log"; cat "$B/start.log" "$B/dovecot.log" >&2; exit 1; }

# --- Postfix -> Dovecot LMTP -------------------------------------------------------------------
P=$D/postfix; E=$P/etc; mkdir -p "$E" "$P/spool" "$P/data"; chown postfix "$P/data"
cat >"$E/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
maillog_file = $P/postfix.log
maillog_file_prefixes = $P
myhostname = mx.$DOMAIN
mydomain = $DOMAIN
myorigin = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# the test domain goes to Dovecot LMTP; unknown recipients get 550 at RCPT time, nothing leaves
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = inline:{$MAIL_USER@$DOMAIN=ok}
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
recipient_delimiter = +
local_transport = error:local delivery disabled
default_transport = error:no outbound mail from tests
alias_maps =
alias_database =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
disable_dns_lookups = yes
smtp_host_lookup = native
lmtp_host_lookup = native
message_size_limit = 104857600
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_tls_auth_only = no
smtpd_tls_security_level = may
smtpd_tls_chain_files = $T/key.pem, $T/cert.pem
EOF
cat >"$E/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
pickup    unix n - n 60 1 pickup
cleanup   unix n - n -  0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n -  - trivial-rewrite
bounce    unix - - n -  0 bounce
defer     unix - - n -  0 bounce
trace     unix - - n -  0 bounce
verify    unix - - n -  1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n -  - proxymap
showq     unix n - n -  - showq
error     unix - - n -  - error
retry     unix - - n -  - error
discard   unix - - n -  - discard
lmtp      unix - - n -  - lmtp
smtp      unix - - n -  - smtp
anvil     unix - - n -  1 anvil
scache    unix - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
tlsmgr    unix - - n 1000? 1 tlsmgr
EOF
# Postfix stalls ~2 s per run while main.cf/master.cf are under 2 s old: backdate them.
touch -d '-1 min' "$E/main.cf" "$E/master.cf"
postfix -c "$E" start </dev/null >>"$P/start.err" 2>&1 || true   # also creates the spool subdirectories
wait_banner "$SMTP_PORT" '220' || { log "postfix failed"; cat "$P/start.err" "$P/postfix.log" >&2 2>/dev/null; exit 1; }

log "dovecot imap 127.0.0.1:$IMAP_PORT (imaps $IMAPS_PORT, fault $FAULT_PORT), postfix smtp 127.0.0.1:$SMTP_PORT (smtps $SMTPS_PORT), dir $D"
cat <<EOF
export MAIL_DIR=$D
export MAIL_HOST=127.0.0.1 MAIL_IMAP_PORT=$IMAP_PORT MAIL_IMAPS_PORT=$IMAPS_PORT MAIL_SMTP_PORT=$SMTP_PORT MAIL_SMTPS_PORT=$SMTPS_PORT
export MAIL_USER=$MAIL_USER MAIL_PASS=$MAIL_PASS MAIL_ADDRESS=$MAIL_USER@$DOMAIN MAIL_DOMAIN=$DOMAIN
export MAIL_CA_CERT=$T/ca.pem MAIL_MAILDIR=$D/home/$MAIL_USER/Maildir
export MAIL_DOVECOT_PIDFILE=$A/run/master.pid MAIL_POSTFIX_PIDFILE=$P/spool/pid/master.pid
export MAIL_FAULT_IMAP_PORT=$FAULT_PORT MAIL_FAULT_DOVECOT_CONF=$B/dovecot.conf MAIL_FAULT_PIDFILE=$B/run/master.pid
EOF
