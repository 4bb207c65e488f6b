//! Integration tests: `faults` runs against a scripted peer on loopback (always); `emulator`
//! against Google's Cloud Firestore emulator from `scripts/infra/start-firestore.sh` (ignored
//! unless `--include-ignored`; then FIRESTORE_EMULATOR_HOST is required and a missing one fails
//! every test).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod emulator;
mod faults;
