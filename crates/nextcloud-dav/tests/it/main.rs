//! Integration tests: `faults` runs against scripted peers on loopback (always);
//! `server` against the real Apache mod_dav from `scripts/infra/start-webdav.sh`
//! (ignored unless `--include-ignored`; then WEBDAV_URL, WEBDAV_USER, WEBDAV_PASS are required).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod server;
