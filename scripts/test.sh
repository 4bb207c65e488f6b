#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need (idempotently), starts
# the real servers the integration tests talk to, runs every test, stops the servers.
#
#   ./scripts/test.sh            everything
#   ./scripts/test.sh -p crm-customers   extra arguments go to `cargo test`
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: [${SECONDS}s] $*" >&2; }

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

# Google's Cloud Firestore emulator for the firestore crate's tests (and the Firestore stores').
log "starting the Firestore emulator"
firestore_env=$(scripts/infra/start-firestore.sh)   # installs the emulator on first use; says so and fails when it cannot
eval "$firestore_env"                               # FIRESTORE_EMULATOR_HOST FIRESTORE_PROJECT FIRESTORE_DIR FIRESTORE_PIDFILE
prev_exit_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//" -e "s/'\\\\''/'/g")
trap "${prev_exit_trap:+$prev_exit_trap; }RM=1 scripts/infra/stop-firestore.sh \"\$FIRESTORE_PIDFILE\"" EXIT

# pdftotext (poppler-utils) reads back the quotations crm-orders prints
if ! command -v pdftotext >/dev/null; then
  log "installing poppler-utils (pdftotext)"
  [ "$(id -u)" -eq 0 ] || { log "pdftotext is missing: run as root, or apt-get install poppler-utils"; exit 1; }
  ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
fi

log "deployment snippets (docs/deploy.md)"; scripts/check-deploy.sh   # installs nginx-light, caddy

# --- tests --------------------------------------------------------------------------------
log "cargo test"
cargo test --workspace --locked "$@" -- --include-ignored

# the gateway's HTTP suite once more with products, customers and orders in Firestore (the
# emulator); the tests that read SQLite's own tables of them are SQLite's alone (skipped here)
if [ $# -eq 0 ]; then
  log "cargo test: the gateway's HTTP suite on Firestore"
  CRM_TEST_STORE=firestore cargo test --locked -p crm-gateway --test it -- --include-ignored \
    --skip tidy::
fi

# --- fuzzing (fuzz/, docs/fuzzing.md): the bridges' parsers under libFuzzer, built with
# coverage instrumentation on stable rustc, each target 20 s on its committed corpus, two at a
# time (~1 min, plus ~2 min to build cold). A crash fails here and names the input to replay.
# `just fuzz` runs them for long.
# --- contract tests (docs/fuzzing.md): Schemathesis over the whole OpenAPI document of
# target/debug/crm (built by cargo test above), logged in; fails on any 5xx but a documented
# 503 *_not_configured, any undocumented status, any response off its schema (~1 min).
# The two run side by side: the fuzz targets run for a fixed time whatever else runs, and
# Schemathesis mostly waits on the server. Fuzzing's output is shown once both are done.
log "fuzzing (beside schemathesis)"
fuzz_log=$(mktemp)
scripts/fuzz.sh >"$fuzz_log" 2>&1 &
fuzz_pid=$!
log "schemathesis"
schemathesis_status=0
scripts/schemathesis.sh || schemathesis_status=$?
fuzz_status=0
wait "$fuzz_pid" || fuzz_status=$?
cat "$fuzz_log" >&2
rm -f "$fuzz_log"
log "fuzzing exit $fuzz_status, schemathesis exit $schemathesis_status"
[ "$fuzz_status" -eq 0 ] && [ "$schemathesis_status" -eq 0 ]

# --- the web console (apps/crm-console): needs target/debug/crm, built by cargo test above, and
# the WebDAV server started above. Drift check of the generated API types, tsc, vitest, vite
# build, the bundle budget, and the end-to-end run in Debian's Chromium (~2 minutes).
log "console checks"
apps/crm-console/scripts/check.sh
