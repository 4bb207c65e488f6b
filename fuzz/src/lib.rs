//! What each fuzz target checks. A target feeds its input to a parser the way the CRM does
//! and asserts what must hold for *any* input: no panic, the same result whether the bytes
//! arrive whole or in pieces, and each parser's own promises (a `DavPath` never decodes to
//! a traversal, a mail message is never lost to a parser failure). A failed assertion is a
//! crash for libFuzzer.
//!
//! `fuzz_targets/*.rs` are the libFuzzer entry points (feature `libfuzzer`, built by
//! `scripts/fuzz.sh`); `tests/corpus.rs` replays the committed corpus (`corpus/<target>/`)
//! through the same functions on every `cargo test`.

mod ami;
mod chunks;
mod dav;
mod mail;
mod wa;

pub use ami::{ami_calls, ami_decoder};
pub use dav::{dav_multistatus, dav_path};
pub use mail::mail_parse;
pub use wa::wa_webhook;

/// A target's checks: any input in, a panic when a property does not hold.
pub type Check = fn(&[u8]);

/// Every target by name (the name of its binary and of its corpus folder).
pub const TARGETS: &[(&str, Check)] = &[
    ("ami_decoder", ami_decoder),
    ("ami_calls", ami_calls),
    ("dav_multistatus", dav_multistatus),
    ("dav_path", dav_path),
    ("mail_parse", mail_parse),
    ("wa_webhook", wa_webhook),
];
