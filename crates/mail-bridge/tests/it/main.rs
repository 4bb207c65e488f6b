//! Integration tests.
//! - `corpus`: the parser against messages generated with Python's `email` package
//!   (tests/corpus/make_corpus.py); always runs.
//! - `encoded_words`: RFC 2047 subjects from tests/fixtures, whole and split at every byte;
//!   always runs.
//! - `server`: against the real Dovecot + Postfix of `scripts/infra/start-mail.sh`; ignored
//!   unless `--include-ignored`, and then the MAIL_* variables are required (a missing one
//!   fails the test, never passes it silently).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod corpus;
mod encoded_words;
mod server;
