//! The MIME parser entry point of mail-bridge.

use mail_bridge::parse;
use time::macros::datetime;

/// `mail_bridge::parse` on any bytes: a message comes back (the bridge promises never to
/// fail), and the IMAP date stands in for a missing or unreadable `Date`.
///
/// The bridge catches a panic of mail-parser and keeps the raw bytes as text
/// (`ParseFlag::ParserFailed`). Under libFuzzer any panic aborts before that catch, so a
/// mail-parser panic is a crash here all the same; the replay of the corpus by `cargo test`
/// cannot tell (in a debug build mail-parser's own debug assertions fire, and are caught).
pub fn mail_parse(data: &[u8]) {
    let fallback = datetime!(2026-01-01 12:00 UTC);
    let m = parse(data, Some(fallback));
    assert_eq!(m.size, data.len());
    assert!(m.date.is_some(), "the fallback date stands in");
    for flag in &m.flags {
        let _ = flag.to_string();
    }
    let _ = m.all_addresses().count();
    for a in &m.attachments {
        let _ = format!("{a:?}");
    }
    let without = parse(data, None);
    assert_eq!(
        without.subject, m.subject,
        "the fallback date changes nothing else"
    );
}
