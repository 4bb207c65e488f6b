//! Webhook bodies written from Meta's documented payload format, one per message kind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use wa_bridge::{Event, MessageKind, StatusKind, parse};

fn envelope(messages: Vec<Value>, statuses: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": { "display_phone_number": "302101234567", "phone_number_id": "106540352242922" },
                    "contacts": [{ "profile": { "name": "π. Νικόλαος" }, "wa_id": "306912345678" }],
                    "messages": messages,
                    "statuses": statuses
                }
            }]
        }]
    }))
    .unwrap()
}

fn message(kind: &str, part: Value) -> Value {
    let mut m = json!({
        "from": "306912345678",
        "id": format!("wamid.{kind}"),
        "timestamp": "1764316800",
        "type": kind,
    });
    m[kind] = part;
    m
}

fn one(body: &[u8]) -> wa_bridge::Message {
    match parse(body).unwrap().pop().unwrap() {
        Event::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn text_with_the_senders_profile() {
    let m = one(&envelope(
        vec![message("text", json!({ "body": "Η καμπάνα δεν χτυπά" }))],
        vec![],
    ));
    assert_eq!(m.id, "wamid.text");
    assert_eq!(m.from, "306912345678");
    assert_eq!(m.profile_name.as_deref(), Some("π. Νικόλαος"));
    assert_eq!(m.timestamp, 1_764_316_800);
    assert_eq!(m.phone_number_id.as_deref(), Some("106540352242922"));
    assert_eq!(m.text().as_deref(), Some("Η καμπάνα δεν χτυπά"));
    assert!(m.media().is_none());
}

#[test]
fn every_media_kind_names_its_media() {
    let media = |extra: Value| {
        let mut v =
            json!({ "id": "1037543291543636", "mime_type": "image/jpeg", "sha256": "abc=" });
        if let (Some(obj), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
            obj.extend(extra.clone());
        }
        v
    };
    let cases = [
        ("image", media(json!({ "caption": "Το καμπαναριό" }))),
        ("video", media(json!({ "caption": "Ο ήχος" }))),
        (
            "audio",
            media(json!({ "voice": true, "mime_type": "audio/ogg; codecs=opus" })),
        ),
        (
            "document",
            media(json!({ "filename": "τιμολόγιο.pdf", "mime_type": "application/pdf" })),
        ),
        (
            "sticker",
            media(json!({ "mime_type": "image/webp", "animated": false })),
        ),
    ];
    for (kind, part) in cases {
        let m = one(&envelope(vec![message(kind, part)], vec![]));
        let media = m.media().unwrap_or_else(|| panic!("{kind} has no media"));
        assert_eq!(media.id, "1037543291543636", "{kind}");
        assert_eq!(m.kind_name(), kind);
        match (&m.kind, kind) {
            (MessageKind::Image(x), "image") => {
                assert_eq!(x.caption.as_deref(), Some("Το καμπαναριό"))
            }
            (MessageKind::Video(_), "video") | (MessageKind::Sticker(_), "sticker") => {}
            (MessageKind::Audio { voice, .. }, "audio") => assert!(voice),
            (MessageKind::Document(d), "document") => {
                assert_eq!(d.filename.as_deref(), Some("τιμολόγιο.pdf"))
            }
            (other, kind) => panic!("{kind} parsed as {other:?}"),
        }
    }
    let img = one(&envelope(
        vec![message(
            "image",
            media(json!({ "caption": "Το καμπαναριό" })),
        )],
        vec![],
    ));
    assert_eq!(
        img.text().as_deref(),
        Some("Το καμπαναριό"),
        "a caption is the text"
    );
}

#[test]
fn location_contacts_interactive_button_and_reaction() {
    let m = one(&envelope(
        vec![message(
            "location",
            json!({ "latitude": 37.9715, "longitude": 23.7257, "name": "Ναός Αγίας Ειρήνης", "address": "Αιόλου 50, Αθήνα" }),
        )],
        vec![],
    ));
    assert!(
        matches!(m.kind, MessageKind::Location { latitude, .. } if (latitude - 37.9715).abs() < 1e-9)
    );
    assert!(m.text().unwrap().contains("Αιόλου 50"));

    let m = one(&envelope(
        vec![message(
            "contacts",
            json!([{ "name": { "formatted_name": "Γιώργος Ψάλτης", "first_name": "Γιώργος" }, "phones": [{ "phone": "+30 697 000 0000", "type": "CELL" }] }]),
        )],
        vec![],
    ));
    assert!(matches!(&m.kind, MessageKind::Contacts { cards } if cards.len() == 1));
    assert_eq!(m.text().as_deref(), Some("Γιώργος Ψάλτης"));

    let m = one(&envelope(
        vec![message(
            "interactive",
            json!({ "type": "button_reply", "button_reply": { "id": "visit-yes", "title": "Ναι, ελάτε" } }),
        )],
        vec![],
    ));
    assert_eq!(
        m.kind,
        MessageKind::ButtonReply {
            id: "visit-yes".into(),
            title: "Ναι, ελάτε".into()
        }
    );

    let m = one(&envelope(
        vec![message(
            "interactive",
            json!({ "type": "list_reply", "list_reply": { "id": "slot-2", "title": "Τρίτη 10:00", "description": "πρωί" } }),
        )],
        vec![],
    ));
    assert!(
        matches!(&m.kind, MessageKind::ListReply { id, description, .. } if id == "slot-2" && description.as_deref() == Some("πρωί"))
    );

    let m = one(&envelope(
        vec![message(
            "button",
            json!({ "payload": "CONFIRM", "text": "Επιβεβαίωση" }),
        )],
        vec![],
    ));
    assert_eq!(
        m.kind,
        MessageKind::Button {
            payload: "CONFIRM".into(),
            text: "Επιβεβαίωση".into()
        }
    );

    let m = one(&envelope(
        vec![message(
            "reaction",
            json!({ "message_id": "wamid.earlier", "emoji": "👍" }),
        )],
        vec![],
    ));
    assert_eq!(
        m.kind,
        MessageKind::Reaction {
            message_id: "wamid.earlier".into(),
            emoji: "👍".into()
        }
    );
}

#[test]
fn replies_carry_their_context_and_unknown_kinds_stay_raw() {
    let mut reply = message("text", json!({ "body": "Ναι" }));
    reply["context"] = json!({ "from": "302101234567", "id": "wamid.question" });
    let m = one(&envelope(vec![reply], vec![]));
    let ctx = m.context.unwrap();
    assert_eq!(ctx.id.as_deref(), Some("wamid.question"));
    assert!(!ctx.forwarded);

    let odd = json!({ "from": "306912345678", "id": "wamid.odd", "timestamp": "1764316800", "type": "unsupported",
                      "errors": [{ "code": 131051, "title": "Message type unknown" }] });
    let m = one(&envelope(vec![odd.clone()], vec![]));
    assert_eq!(
        m.kind,
        MessageKind::Unknown {
            kind: "unsupported".into()
        }
    );
    assert_eq!(m.raw, odd, "kept as received");
    assert_eq!(m.text(), None);
}

#[test]
fn statuses_and_several_messages_in_one_body() {
    let body = envelope(
        vec![message("text", json!({ "body": "πρώτο" })), {
            let mut m = message("text", json!({ "body": "δεύτερο" }));
            m["id"] = json!("wamid.second");
            m
        }],
        vec![
            json!({ "id": "wamid.out1", "status": "delivered", "timestamp": "1764316900", "recipient_id": "306912345678" }),
            json!({ "id": "wamid.out2", "status": "failed", "timestamp": "1764316901", "recipient_id": "306912345678",
                    "errors": [{ "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                                 "error_data": { "details": "Message failed to send because more than 24 hours have passed" } }] }),
        ],
    );
    let events = parse(&body).unwrap();
    assert_eq!(events.len(), 4);
    let ids: Vec<String> = events
        .iter()
        .map(|e| match e {
            Event::Message(m) => m.id.clone(),
            Event::Status(s) => s.id.clone(),
        })
        .collect();
    assert_eq!(
        ids,
        ["wamid.text", "wamid.second", "wamid.out1", "wamid.out2"]
    );
    let Event::Status(failed) = &events[3] else {
        panic!()
    };
    assert_eq!(failed.status, StatusKind::Failed);
    assert_eq!(failed.errors[0].code, Some(131047));
    assert!(
        failed.errors[0]
            .details
            .as_deref()
            .unwrap()
            .contains("24 hours")
    );
    assert!(StatusKind::Read.rank() > StatusKind::Delivered.rank());
}

#[test]
fn bodies_that_are_not_whatsapp_payloads_are_errors() {
    for bad in [
        &b"not json"[..],
        br#"{"object":"page","entry":[]}"#,
        br#"{"entry":[]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"type":"text"}]}}]}]}"#,
    ] {
        assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    let empty = parse(br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{}}]}]}"#).unwrap();
    assert!(empty.is_empty(), "other change fields carry no events");
}
