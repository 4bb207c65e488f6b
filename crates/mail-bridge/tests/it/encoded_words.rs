//! RFC 2047 subjects against tests/fixtures/encoded-words.json: each text encoded in B and Q,
//! whole and split into two adjacent encoded-words at every byte (a character's bytes may
//! land in two words, as several clients send them), and real headers as clients wrote them.

use std::path::PathBuf;

use mail_bridge::parse;
use mail_bridge::testing::generate::{base64, encode_charset};
use serde_json::Value;

fn fixtures() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoded-words.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn b_word(charset: &str, octets: &[u8]) -> String {
    format!(
        "=?{charset}?B?{}?=",
        String::from_utf8(base64(octets, false)).unwrap()
    )
}

fn q_word(charset: &str, octets: &[u8]) -> String {
    let mut text = String::new();
    for &b in octets {
        match b {
            b' ' => text.push('_'),
            b'=' | b'?' | b'_' => text.push_str(&format!("={b:02X}")),
            0x21..=0x7e => text.push(char::from(b)),
            _ => text.push_str(&format!("={b:02X}")),
        }
    }
    format!("=?{charset}?Q?{text}?=")
}

/// The subject a minimal message with this `Subject:` header value parses to.
fn subject_of(header: &str) -> Option<String> {
    let raw = format!(
        "From: a@example.test\r\nSubject: {header}\r\nMessage-ID: <x@example.test>\r\n\
         Date: Tue, 02 Apr 2024 10:00:00 +0300\r\n\r\nbody\r\n"
    );
    parse(raw.as_bytes(), None).subject
}

#[test]
fn subjects_split_at_every_byte_decode_whole() {
    let fx = fixtures();
    let mut failures = Vec::new();
    let mut cases = 0;
    for case in fx["texts"].as_array().unwrap() {
        let charset = case["charset"].as_str().unwrap();
        let text = case["text"].as_str().unwrap();
        let octets = encode_charset(text, charset);
        assert_eq!(
            String::from_utf8_lossy(&octets).contains('\u{FFFD}'),
            charset != "utf-8",
            "{charset} fixture must really be in {charset}"
        );
        for (name, word) in [("B", b_word as fn(&str, &[u8]) -> String), ("Q", q_word)] {
            // whole
            let mut headers = vec![word(charset, &octets)];
            // split at every byte, on one line and folded
            for at in 1..octets.len() {
                let (a, b) = octets.split_at(at);
                headers.push(format!("{} {}", word(charset, a), word(charset, b)));
                headers.push(format!("{}\r\n {}", word(charset, a), word(charset, b)));
            }
            // and cut in three, the middle word a single byte
            for at in 1..octets.len().saturating_sub(1) {
                headers.push(format!(
                    "{}\r\n\t{} {}",
                    word(charset, &octets[..at]),
                    word(charset, &octets[at..=at]),
                    word(charset, &octets[at + 1..])
                ));
            }
            for header in headers {
                cases += 1;
                let got = subject_of(&header);
                if got.as_deref() != Some(text) {
                    failures.push(format!("{charset} {name} {header:?}: got {got:?}"));
                }
            }
        }
    }
    assert!(cases > 1000, "{cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} failed, e.g.:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}

#[test]
fn subjects_as_clients_wrote_them() {
    let fx = fixtures();
    for case in fx["raw"].as_array().unwrap() {
        let raw = case["raw"].as_str().unwrap();
        assert_eq!(
            subject_of(raw).as_deref(),
            case["subject"].as_str(),
            "{}: {raw:?}",
            case["note"]
        );
    }
}

#[test]
fn a_forwarded_message_subject_is_joined_too() {
    let t = "Ευχαριστώ".as_bytes();
    let inner = format!(
        "From: b@example.test\r\nSubject: {} {}\r\nMessage-ID: <in@example.test>\r\n\r\nκείμενο\r\n",
        b_word("utf-8", &t[..5]),
        b_word("utf-8", &t[5..])
    );
    let raw = format!(
        "From: a@example.test\r\nSubject: Fwd\r\nMessage-ID: <out@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nπροώθηση\r\n\
         --b\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--b--\r\n"
    );
    let m = parse(raw.as_bytes(), None);
    assert_eq!(m.forwarded.len(), 1, "{m:#?}");
    assert_eq!(m.forwarded[0].subject.as_deref(), Some("Ευχαριστώ"));
}
