#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need (idempotently), starts
# the real servers the integration tests talk to, runs every test, stops the servers.
#
#   ./scripts/test.sh            everything
#   ./scripts/test.sh -p crm-customers   extra arguments go to `cargo test`
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: $*" >&2; }

# --- toolchain checks -------------------------------------------------------------------
command -v cargo >/dev/null || { log "cargo is missing: install Rust 1.95"; exit 1; }

# --- format and lint gates: cheap, and a red CI for them is better than a late surprise ------
log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

# --- real servers the integration tests talk to ----------------------------------------------
# WebDAV (Apache mod_dav shaped like Nextcloud) for nextcloud-dav's integration tests.
log "starting WebDAV"
webdav_env=$(scripts/infra/start-webdav.sh)   # installs apache2 on first use; a failed start stops here
eval "$webdav_env"                            # WEBDAV_URL WEBDAV_USER WEBDAV_PASS WEBDAV_DIR WEBDAV_PIDFILE
trap 'RM=1 scripts/infra/stop-webdav.sh "$WEBDAV_PIDFILE"' EXIT
# Dovecot (IMAP) + Postfix (SMTP into Dovecot) for mail-bridge's integration tests.
log "starting Dovecot and Postfix"
mail_env=$(scripts/infra/start-mail.sh)       # installs dovecot + postfix on first use
eval "$mail_env"                              # MAIL_HOST MAIL_IMAP_PORT MAIL_SMTP_PORT MAIL_USER MAIL_PASS MAIL_DIR ...
# extend the EXIT trap (keep what is already there)
prev_exit_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//" -e "s/'\\\\''/'/g")
trap "${prev_exit_trap:+$prev_exit_trap; }RM=1 scripts/infra/stop-mail.sh \"\$MAIL_DIR\"" EXIT

# --- tests --------------------------------------------------------------------------------
log "cargo test"
cargo test --workspace --locked "$@" -- --include-ignored

# --- the web console (apps/crm-console): needs target/debug/crm, built by cargo test above, and
# the WebDAV server started above. Drift check of the generated API types, tsc, vitest, vite
# build, the bundle budget, and the end-to-end run in Debian's Chromium (~2 minutes).
log "console checks"
apps/crm-console/scripts/check.sh
