//! Integration tests.
//! - `corpus`: the parser against messages generated with Python's `email` package
//!   (tests/corpus/make_corpus.py); always runs.
//! - `server`: against the real Dovecot + Postfix of `scripts/infra/start-mail.sh`; ignored
//!   unless `--include-ignored`, and then the MAIL_* variables are required (a missing one
//!   fails the test, never passes it silently).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod corpus;
mod server;
