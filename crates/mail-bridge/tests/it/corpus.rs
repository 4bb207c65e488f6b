//! The parser against tests/corpus: one `check` per (message, expected) pair.

use std::path::PathBuf;

use mail_bridge::{Address, Message, MessageKind, parse};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn date(v: &Value) -> Option<OffsetDateTime> {
    v.as_str()
        .map(|s| OffsetDateTime::parse(s, &Rfc3339).unwrap())
}

fn addresses(v: &Value) -> Vec<(Option<String>, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().map(str::to_owned),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn shown(a: &[Address]) -> Vec<(Option<String>, String)> {
    a.iter()
        .map(|a| (a.name.clone(), a.address.clone()))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn kind_json(k: &MessageKind) -> Value {
    match k {
        MessageKind::Regular => Value::from("regular"),
        MessageKind::DeliveryStatus(r) => serde_json::json!({"delivery_status": {
            "original_message_id": r.original_message_id,
            "recipients": r.recipients.iter().map(|x| serde_json::json!({
                "final_recipient": x.final_recipient, "action": x.action,
                "status": x.status, "diagnostic": x.diagnostic})).collect::<Vec<_>>()}}),
        MessageKind::ReadReceipt {
            original_message_id,
        } => serde_json::json!({"read_receipt": {"original_message_id": original_message_id}}),
        other => Value::from(format!("{other:?}")),
    }
}

fn eq(bad: &mut Vec<String>, what: &str, got: String, want: String) {
    if got != want {
        bad.push(format!("{what}: got {got}, want {want}"));
    }
}

/// Compares one parsed message with its expectations; returns the differences.
fn check(m: &Message, exp: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    eq(
        &mut bad,
        "subject",
        format!("{:?}", m.subject),
        format!("{:?}", exp["subject"].as_str()),
    );
    eq(
        &mut bad,
        "message_id",
        format!("{:?}", m.message_id),
        format!("{:?}", exp["message_id"].as_str()),
    );
    eq(
        &mut bad,
        "in_reply_to",
        format!("{:?}", m.in_reply_to),
        format!("{:?}", strings(&exp["in_reply_to"])),
    );
    eq(
        &mut bad,
        "references",
        format!("{:?}", m.references),
        format!("{:?}", strings(&exp["references"])),
    );
    for (field, got) in [
        ("from", &m.from),
        ("to", &m.to),
        ("cc", &m.cc),
        ("reply_to", &m.reply_to),
    ] {
        if exp[field] == "any" {
            continue;
        }
        eq(
            &mut bad,
            field,
            format!("{:?}", shown(got)),
            format!("{:?}", addresses(&exp[field])),
        );
        for a in got {
            eq(
                &mut bad,
                "normalized",
                a.normalized.clone(),
                a.address.to_lowercase(),
            );
        }
    }
    let want_date = date(&exp["date"]);
    eq(
        &mut bad,
        "date",
        format!("{:?}", m.date),
        format!("{want_date:?}"),
    );
    if let (Some(g), Some(w)) = (m.date, want_date) {
        eq(
            &mut bad,
            "date offset",
            g.offset().to_string(),
            w.offset().to_string(),
        );
    }
    let text = m.text.clone().unwrap_or_default();
    for s in strings(&exp["text_contains"]) {
        if !text.contains(&s) {
            bad.push(format!("text lacks {s:?}: {text:?}"));
        }
    }
    if exp["text_none"] == true && m.text.is_some() {
        bad.push(format!("text should be absent: {:?}", m.text));
    }
    let html = m.html.clone().unwrap_or_default();
    for s in strings(&exp["html_contains"]) {
        if !html.contains(&s) {
            bad.push(format!("html lacks {s:?}: {html:?}"));
        }
    }
    if exp["html_none"] == true && m.html.is_some() {
        bad.push(format!("html should be absent: {:?}", m.html));
    }
    if exp["attachments"] != "any" {
        let got: Vec<Value> = m
            .attachments
            .iter()
            .map(|a| {
                assert_eq!(a.size, a.data.len());
                serde_json::json!({
                    "filename": a.filename, "content_type": a.content_type, "size": a.size,
                    "inline": a.inline, "content_id": a.content_id,
                    "sha256": format!("{:x}", Sha256::digest(&a.data)),
                })
            })
            .collect();
        let want = exp["attachments"].as_array().unwrap();
        if got.len() != want.len() {
            bad.push(format!("attachments: got {got:#?}, want {want:#?}"));
        } else {
            for (g, w) in got.iter().zip(want) {
                // compare the keys the expectation names (a broken part may name only some)
                let g: serde_json::Map<String, Value> = w
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(|k| (k.clone(), g[k].clone()))
                    .collect();
                let g = Value::Object(g);
                if &g != w {
                    bad.push(format!("attachment: got {g:#}, want {w:#}"));
                }
            }
        }
    }
    let fwd = exp["forwarded"].as_array().unwrap();
    if fwd.len() != m.forwarded.len() {
        bad.push(format!("forwarded: got {:?}, want {fwd:?}", m.forwarded));
    }
    for (g, w) in m.forwarded.iter().zip(fwd) {
        eq(
            &mut bad,
            "forwarded subject",
            format!("{:?}", g.subject),
            format!("{:?}", w["subject"].as_str()),
        );
        eq(
            &mut bad,
            "forwarded message_id",
            format!("{:?}", g.message_id),
            format!("{:?}", w["message_id"].as_str()),
        );
        eq(
            &mut bad,
            "forwarded from",
            format!("{:?}", shown(&g.from)),
            format!("{:?}", addresses(&w["from"])),
        );
        eq(
            &mut bad,
            "forwarded attachment",
            g.attachment.clone(),
            w["attachment"].as_str().unwrap().to_owned(),
        );
        let t = w["text_contains"].as_str().unwrap();
        if !g.text.as_deref().unwrap_or_default().contains(t) {
            bad.push(format!("forwarded text lacks {t:?}: {:?}", g.text));
        }
    }
    eq(
        &mut bad,
        "kind",
        kind_json(&m.kind).to_string(),
        exp["kind"].to_string(),
    );
    if exp["flags"] != "any" {
        let mut got: Vec<&str> = m.flags.iter().map(|f| f.as_str()).collect();
        got.sort_unstable();
        let mut want: Vec<String> = strings(&exp["flags"]);
        want.sort_unstable();
        eq(&mut bad, "flags", format!("{got:?}"), format!("{want:?}"));
    }
    bad
}

#[test]
fn every_corpus_message_parses_as_expected() {
    let dir = corpus_dir();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let cases = expected.as_array().unwrap();
    assert!(cases.len() >= 25, "the corpus lost messages");
    let mut failures = Vec::new();
    for exp in cases {
        let file = exp["file"].as_str().unwrap();
        let raw = std::fs::read(dir.join(file)).unwrap();
        let m = parse(&raw, date(&exp["fallback_date"]));
        assert_eq!(m.size, raw.len(), "{file}");
        let bad = check(&m, exp);
        if !bad.is_empty() {
            failures.push(format!("{file}:\n  {}", bad.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_corpus_message_survives_being_cut_anywhere() {
    // A connection can drop mid-message, a disk can fill: a prefix of any message must parse
    // without a panic and keep its size.
    let dir = corpus_dir();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let step = (raw.len() / 97).max(1);
        for cut in (0..raw.len()).step_by(step) {
            let m = parse(&raw[..cut], None);
            assert_eq!(m.size, cut, "{path:?} cut at {cut}");
        }
    }
}

#[test]
fn the_corpus_generator_output_is_committed() {
    // make_corpus.py is the source; the .eml files must be its output (run it after a change).
    let dir = corpus_dir();
    assert!(dir.join("make_corpus.py").exists());
    let expected = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let cases: Value = serde_json::from_str(&expected).unwrap();
    for c in cases.as_array().unwrap() {
        let f = c["file"].as_str().unwrap();
        assert!(dir.join(f).exists(), "{f} is listed but missing");
    }
}
