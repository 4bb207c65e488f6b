use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn entries_are_logged_read_edited_and_deleted() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίου Δημητρίου").await;
    let resp = app
        .post(
            "/api/crm/comms/",
            &json!({
                "customer_id": c["id"], "type": "call", "direction": "inbound",
                "subject": "Κλήση για την καμπάνα", "body": "Ο ιερέας ζητά επίσκεψη.",
                "attachments": [{"filename": "σημείωση.pdf", "nextcloud_path": "Πελάτες/x/σημείωση.pdf"}],
                "meta": {"duration_s": 192},
                "logged_by": "someone else",
                "occurred_at": "2026-11-20T09:15:00Z"
            }),
        )
        .await;
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let e = expect(resp, 201).await;
    assert_eq!(location, format!("/api/crm/comms/{}", id(&e)));
    assert_eq!(
        e["logged_by"], "tester",
        "the caller, not what the body claims"
    );
    assert_eq!(e["attachments"][0]["filename"], "σημείωση.pdf");
    assert_eq!(e["meta"]["duration_s"], 192);
    assert_eq!(e["occurred_at"], "2026-11-20T09:15:00.000000Z");

    let got = expect(app.get(&location).await, 200).await;
    assert_eq!(got, e);

    let changed = expect(
        app.req(Method::PUT, &location)
            .header("If-Match", "\"1\"")
            .json(&json!({"subject": "Κλήση: σπασμένο γρανάζι", "body": null}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["body"], Value::Null);
    expect_error(
        app.req(Method::PUT, &location)
            .header("If-Match", "\"1\"")
            .json(&json!({"subject": "late"}))
            .send()
            .await
            .unwrap(),
        412,
        "stale_version",
    )
    .await;
    expect_error(
        app.req(Method::DELETE, &location)
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap(),
        412,
        "stale_version",
    )
    .await;
    expect(app.delete(&location).await, 204).await;
    expect_error(app.get(&location).await, 404, "not_found").await;
}

#[tokio::test]
async fn bad_entries_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία").await;
    let cid = c["id"].as_str().unwrap();
    let cases = [
        (
            json!({"customer_id": cid, "type": "fax", "direction": "inbound"}),
            "type",
        ),
        (
            json!({"customer_id": cid, "type": "call", "direction": "sideways"}),
            "direction",
        ),
        (
            json!({"customer_id": "00000000-0000-4000-8000-000000000000", "type": "call", "direction": "inbound"}),
            "customer_id",
        ),
        (
            json!({"type": "call", "direction": "inbound"}),
            "customer_id",
        ),
        (
            json!({"customer_id": cid, "type": "note", "direction": "internal", "meta": [1]}),
            "meta",
        ),
        (
            json!({"customer_id": cid, "type": "note", "direction": "internal", "subject": "a\u{0}b"}),
            "subject",
        ),
        (
            json!({"customer_id": cid, "type": "email", "direction": "inbound", "attachments": [{"filename": ""}]}),
            "attachments[0].filename",
        ),
        (
            json!({"customer_id": cid, "type": "email", "direction": "inbound", "attachments": [{"filename": "a", "nextcloud_path": "../../etc/passwd"}]}),
            "attachments[0].nextcloud_path",
        ),
        (
            // refused by the Nextcloud path rules, in any encoding
            json!({"customer_id": cid, "type": "email", "direction": "inbound", "attachments": [{"filename": "a", "nextcloud_path": "ok.pdf"}, {"filename": "b", "nextcloud_path": "x/%2e%2e/%2e%2e/etc"}]}),
            "attachments[1].nextcloud_path",
        ),
        (
            json!({"customer_id": cid, "type": "note", "direction": "internal", "occurred_at": "yesterday"}),
            "occurred_at",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            app.post("/api/crm/comms", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}");
    }
    let resp = app
        .req(Method::POST, "/api/crm/comms")
        .header("content-type", "application/json")
        .body("{\"type\": ")
        .send()
        .await
        .unwrap();
    expect_error(resp, 400, "malformed_json").await;
    for (query, field) in [
        ("", "customer_id"),
        ("customer_id=nope", "customer_id"),
        (
            "customer_id=00000000-0000-4000-8000-000000000000&type=fax",
            "type",
        ),
        (
            "customer_id=00000000-0000-4000-8000-000000000000&cursor=garbage",
            "cursor",
        ),
    ] {
        let err = expect_error(
            app.get(&format!("/api/crm/comms?{query}")).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{query}");
    }
    expect_error(app.get("/api/crm/comms/not-a-uuid").await, 404, "not_found").await;
}

#[tokio::test]
async fn the_same_external_message_is_stored_once_under_concurrency() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίας Μαρίνας").await;
    let body = json!({
        "customer_id": c["id"], "type": "email", "direction": "inbound",
        "subject": "Προσφορά", "ext_message_id": "<offer-1@enoria.gr>"
    });
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let req = app.req(Method::POST, "/api/crm/comms").json(&body);
            tokio::spawn(async move { req.send().await.unwrap() })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut ids = HashSet::new();
    for t in tasks {
        let resp = t.await.unwrap();
        statuses.push(resp.status().as_u16());
        let e: Value = resp.json().await.unwrap();
        ids.insert(e["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(ids.len(), 1);
    let list = expect(
        app.get(&format!("/api/crm/comms?customer_id={}", id(&c)))
            .await,
        200,
    )
    .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lists_filter_and_page_with_a_cursor() {
    let app = spawn_app().await;
    let c = app.customer("Μονή Οσίου Λουκά").await;
    for i in 0..25 {
        let (kind, dir) = match i % 3 {
            0 => ("call", "inbound"),
            1 => ("email", "outbound"),
            _ => ("whatsapp", "inbound"),
        };
        app.create(
            "/api/crm/comms",
            json!({"customer_id": c["id"], "type": kind, "direction": dir,
                   "subject": format!("#{i}"),
                   // five entries share each timestamp
                   "occurred_at": format!("2026-11-01T10:00:0{}Z", i / 5)}),
        )
        .await;
    }
    let base = format!("/api/crm/comms?customer_id={}", id(&c));
    let calls = expect(app.get(&format!("{base}&type=call")).await, 200).await;
    assert_eq!(calls["total"], 9);
    let inbound = expect(app.get(&format!("{base}&direction=inbound")).await, 200).await;
    assert_eq!(inbound["total"], 17);
    let both = expect(
        app.get(&format!("{base}&type=email&direction=inbound"))
            .await,
        200,
    )
    .await;
    assert_eq!(both["total"], 0);

    let all = expect(app.get(&format!("{base}&limit=100")).await, 200).await;
    assert_eq!(all["next_cursor"], Value::Null);
    let expected: Vec<String> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(expected.len(), 25);
    let mut seen = Vec::new();
    let mut url = format!("{base}&limit=4");
    loop {
        let page = expect(app.get(&url).await, 200).await;
        assert_eq!(page["total"], 25);
        seen.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{base}&limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every entry once, in list order");
}

#[tokio::test]
async fn unmatched_senders_wait_in_the_inbox_until_assigned() {
    let app = spawn_app().await;
    let known = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ενορία Αγίου Γεωργίου",
                   "contacts": [{"type": "email", "value": "Grafeio@Enoria.gr"}]}),
        )
        .await;
    // a known sender is matched on the way in
    let matched = app
        .create(
            "/api/crm/comms",
            json!({"sender": "grafeio@enoria.gr", "type": "email", "direction": "inbound",
                   "subject": "Ευχαριστούμε"}),
        )
        .await;
    assert_eq!(matched["customer_id"], known["id"]);

    let mut inbox_ids = Vec::new();
    for (sender, kind) in [
        ("6912345678", "whatsapp"),
        ("+30 691 234 5678", "call"),
        ("0030 6912345678", "sms"),
        ("agnostos@example.com", "email"),
    ] {
        let e = app
            .create(
                "/api/crm/comms",
                json!({"sender": sender, "type": kind, "direction": "inbound",
                       "body": format!("από {sender}")}),
            )
            .await;
        assert_eq!(e["customer_id"], Value::Null);
        inbox_ids.push(id(&e).to_owned());
    }
    let inbox = expect(app.get("/api/crm/inbox").await, 200).await;
    assert_eq!(inbox["total"], 4);

    let parish = app.customer("Ενορία Προφήτη Ηλία").await;
    let assign = |entry: &str, body: Value| {
        app.req(Method::POST, &format!("/api/crm/inbox/{entry}/assign"))
            .json(&body)
            .send()
    };
    let unknown = "00000000-0000-4000-8000-000000000000";
    let err = expect_error(
        assign(&inbox_ids[0], json!({"customer_id": unknown}))
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "customer_id");
    expect_error(
        assign(unknown, json!({"customer_id": parish["id"]}))
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;

    let done = expect(
        assign(
            &inbox_ids[1],
            json!({"customer_id": parish["id"], "add_contact": true, "all_from_sender": true}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(done["contact_added"], true);
    let moved: HashSet<&str> = done["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        moved,
        HashSet::from([&*inbox_ids[0], &*inbox_ids[1], &*inbox_ids[2]])
    );
    let inbox = expect(app.get("/api/crm/inbox").await, 200).await;
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["entries"][0]["id"], inbox_ids[3].as_str());

    let parish_now = expect(
        app.get(&format!("/api/crm/customers/{}", id(&parish)))
            .await,
        200,
    )
    .await;
    assert_eq!(parish_now["contacts"][0]["e164"], "+306912345678");
    // the next message of that sender finds the customer by itself
    let next = app
        .create(
            "/api/crm/comms",
            json!({"sender": "6912345678", "type": "whatsapp", "direction": "inbound"}),
        )
        .await;
    assert_eq!(next["customer_id"], parish["id"]);

    expect_error(
        assign(&inbox_ids[0], json!({"customer_id": parish["id"]}))
            .await
            .unwrap(),
        409,
        "conflict",
    )
    .await;
    let theirs = expect(
        app.get(&format!("/api/crm/comms?customer_id={}", id(&parish)))
            .await,
        200,
    )
    .await;
    assert_eq!(theirs["total"], 4);
}

#[tokio::test]
async fn search_understands_greek_and_filters() {
    let app = spawn_app().await;
    let a = app.customer("Ενορία Α").await;
    let b = app.customer("Ενορία Β").await;
    for (c, kind, subject) in [
        (&a, "email", "Η καμπάνα χτυπά στραβά"),
        (&a, "call", "Ρολόι καμπαναριού"),
        (&b, "email", "ΚΑΜΠΑΝΑ ΓΙΑ ΤΟ ΠΑΡΕΚΚΛΗΣΙ"),
    ] {
        app.create(
            "/api/crm/comms",
            json!({"customer_id": c["id"], "type": kind, "direction": "inbound", "subject": subject}),
        )
        .await;
    }
    let app = &app;
    let hits = |q: &str| {
        let url = format!("/api/crm/comms/search?{q}");
        async move { expect(app.get(&url).await, 200).await["total"].clone() }
    };
    // every word is also a prefix: καμπάνα finds καμπαναριού
    assert_eq!(hits("q=καμπάνα").await, 3);
    assert_eq!(hits("q=kampana").await, 3);
    assert_eq!(hits("q=strava").await, 1, "Greeklish, no accents");
    assert_eq!(hits("q=ΡΟΛΟΙ").await, 1);
    assert_eq!(hits(&format!("q=kampana&customer_id={}", id(&a))).await, 2);
    assert_eq!(hits(&format!("q=kampana&customer_id={}", id(&b))).await, 1);
    assert_eq!(hits("q=kampana&type=email").await, 2);
    assert_eq!(hits("q=kampana&type=call").await, 1);
    expect_error(app.get("/api/crm/comms/search").await, 422, "invalid_field").await;
    let err = expect_error(
        app.get("/api/crm/comms/search?q=%22*%22").await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "q");
}

#[tokio::test]
async fn media_records_belong_to_customers_and_orders() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Νικολάου").await;
    let o = app
        .create(
            "/api/crm/orders",
            json!({"customer_id": c["id"], "items": [{"description": "Επισκευή", "quantity": 1, "unit_price": 80}]}),
        )
        .await;
    let photo = app
        .create(
            "/api/crm/media",
            json!({"customer_id": c["id"], "nextcloud_path": "Πελάτες/Άγιος Νικόλαος/Received Media/πύργος.jpg",
                   "mime_type": "image/jpeg", "direction": "received", "tags": ["πύργος"]}),
        )
        .await;
    assert_eq!(photo["filename"], "πύργος.jpg");
    assert_eq!(photo["uploaded_by"], "tester");
    let invoice = app
        .create(
            "/api/crm/media",
            json!({"order_id": o["id"], "nextcloud_path": "Πελάτες/Άγιος Νικόλαος/Internal/τιμολόγιο.pdf",
                   "direction": "internal"}),
        )
        .await;
    assert_eq!(invoice["customer_id"], c["id"], "taken from the order");

    let by_order = expect(
        app.get(&format!("/api/crm/media?order_id={}", id(&o)))
            .await,
        200,
    )
    .await;
    assert_eq!(by_order["total"], 1);
    assert_eq!(by_order["items"][0]["id"], invoice["id"]);
    let by_customer = expect(
        app.get(&format!("/api/crm/media/?customer_id={}", id(&c)))
            .await,
        200,
    )
    .await;
    assert_eq!(by_customer["total"], 2);

    expect_error(
        app.post(
            "/api/crm/media",
            &json!({"customer_id": c["id"], "nextcloud_path": "Πελάτες/Άγιος Νικόλαος/Received Media/πύργος.jpg", "direction": "received"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    for (body, field) in [
        (
            json!({"nextcloud_path": "a.jpg", "direction": "sent"}),
            "customer_id",
        ),
        (
            json!({"customer_id": c["id"], "nextcloud_path": "../a.jpg", "direction": "sent"}),
            "nextcloud_path",
        ),
        (
            json!({"customer_id": c["id"], "nextcloud_path": "a.jpg", "direction": "lost"}),
            "direction",
        ),
        (
            json!({"order_id": "00000000-0000-4000-8000-000000000000", "nextcloud_path": "a.jpg", "direction": "sent"}),
            "order_id",
        ),
    ] {
        let err = expect_error(
            app.post("/api/crm/media", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}");
    }
    expect_error(app.get("/api/crm/media").await, 422, "invalid_field").await;

    let url = format!("/api/crm/media/{}", id(&photo));
    expect(app.get(&url).await, 200).await;
    expect(app.delete(&url).await, 204).await;
    expect_error(app.get(&url).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_customer_with_comms_or_media_is_not_deleted() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Σπυρίδωνος").await;
    for _ in 0..2 {
        app.create(
            "/api/crm/comms",
            json!({"customer_id": c["id"], "type": "note", "direction": "internal", "body": "x"}),
        )
        .await;
    }
    app.create(
        "/api/crm/media",
        json!({"customer_id": c["id"], "nextcloud_path": "x/y.png", "direction": "internal"}),
    )
    .await;
    let err = expect_error(
        app.delete(&format!("/api/crm/customers/{}", id(&c))).await,
        409,
        "in_use",
    )
    .await;
    assert_eq!(
        err["error"]["details"],
        json!({"orders": 0, "comms": 2, "media": 1})
    );
    expect(
        app.get(&format!("/api/crm/customers/{}", id(&c))).await,
        200,
    )
    .await;
}

/// The kinds of a timeline item in tie-break order (higher first at one instant).
fn rank(kind: &str) -> u8 {
    match kind {
        "comms" => 3,
        "media" => 2,
        "order_created" | "order_status" => 1,
        _ => 0,
    }
}

#[tokio::test]
async fn the_timeline_merges_every_kind_and_pages_through_equal_times() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίας Ειρήνης").await;
    let cid = id(&c).to_owned();
    let o = app
        .create(
            "/api/crm/orders",
            json!({"customer_id": cid, "items": [{"description": "Καμπάνα 80 κιλά", "quantity": 1, "unit_price": 1200}]}),
        )
        .await;
    expect(
        app.put(
            &format!("/api/crm/orders/{}", id(&o)),
            &json!({"status": "confirmed"}),
        )
        .await,
        200,
    )
    .await;
    let media = app
        .create(
            "/api/crm/media",
            json!({"customer_id": cid, "nextcloud_path": "a/photo.jpg", "direction": "received"}),
        )
        .await;
    let order_at = o["created_at"].as_str().unwrap().to_owned();
    let media_at = media["created_at"].as_str().unwrap().to_owned();
    // notes and comms at exactly the instants of the order and the media record
    expect(
        app.put(
            &format!("/api/crm/customers/{cid}"),
            &json!({"notes": [
                {"text": "σημείωση 1", "by": "maria", "at": order_at},
                {"text": "σημείωση 2", "by": "maria", "at": media_at},
                {"text": "σημείωση 3", "by": "maria", "at": media_at}
            ]}),
        )
        .await,
        200,
    )
    .await;
    for at in [&order_at, &media_at, &media_at, &order_at, &media_at] {
        app.create(
            "/api/crm/comms",
            json!({"customer_id": cid, "type": "call", "direction": "inbound", "occurred_at": at}),
        )
        .await;
    }
    let url = format!("/api/crm/customers/{cid}/timeline");
    let full = expect(app.get(&format!("{url}?limit=200")).await, 200).await;
    let items = full["items"].as_array().unwrap();
    // 5 comms, 1 media, order created + confirmed, 3 notes
    assert_eq!(items.len(), 11, "{full}");
    assert_eq!(full["next_cursor"], Value::Null);
    let kinds: HashSet<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        HashSet::from(["comms", "media", "order_created", "order_status", "note"])
    );
    for pair in items.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let key = |i: &Value| {
            (
                i["at"].as_str().unwrap().to_owned(),
                rank(i["kind"].as_str().unwrap()),
            )
        };
        assert!(
            key(a) >= key(b),
            "newest first, then by kind: {a} before {b}"
        );
    }
    let note = items.iter().find(|i| i["kind"] == "note").unwrap();
    assert_eq!(note["link_id"], cid.as_str());
    let created = items.iter().find(|i| i["kind"] == "order_created").unwrap();
    assert_eq!(created["link_id"], o["id"]);
    assert_eq!(created["order"]["order_number"], o["order_number"]);

    let identity = |i: &Value| {
        format!("{}:{}:{}", i["kind"], i["link_id"], i["at"])
            + &i["index"].to_string()
            + &i["order"]["seq"].to_string()
    };
    let expected: Vec<String> = items.iter().map(identity).collect();
    for limit in [1, 2, 3, 4] {
        let mut seen = Vec::new();
        let mut next = format!("{url}?limit={limit}");
        loop {
            let page = expect(app.get(&next).await, 200).await;
            let got = page["items"].as_array().unwrap();
            assert!(got.len() <= limit);
            seen.extend(got.iter().map(identity));
            match page["next_cursor"].as_str() {
                Some(cursor) => next = format!("{url}?limit={limit}&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, expected, "pages of {limit}");
    }
    expect_error(
        app.get(&format!("{url}?cursor=2026-01-01T00:00:00Z~7~1"))
            .await,
        422,
        "invalid_field",
    )
    .await;
    expect_error(
        app.get("/api/crm/customers/00000000-0000-4000-8000-000000000000/timeline")
            .await,
        404,
        "not_found",
    )
    .await;
}

/// A media record's path follows the rules of every Nextcloud path the API takes
/// (`nextcloud_dav::DavPath`): traversal in any encoding, empty segments, backslashes,
/// control and bidi characters and over-long segments are 422 on `nextcloud_path`.
#[tokio::test]
async fn a_media_path_follows_the_nextcloud_path_rules() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Νικολάου").await;
    let long_segment = "α".repeat(128); // 256 bytes
    let refused = [
        "../a.jpg",
        "%2e%2e/etc/passwd",
        "Πελάτες/%252e%252e/a.jpg",
        "a%2fb.jpg",
        "a%5cb.jpg",
        "a%00b.jpg",
        "%c0%ae%c0%ae/a.jpg",
        "a//b.jpg",
        "a\\b.jpg",
        "a\u{1}b.jpg",
        "τιμολόγιο\u{202E}fdp.exe",
        "a\u{200F}.jpg",
        long_segment.as_str(),
        "",
        "/",
    ];
    for path in refused {
        let body = json!({"customer_id": c["id"], "nextcloud_path": path, "direction": "sent"});
        let err = expect_error(
            app.post("/api/crm/media", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(
            err["error"]["details"]["field"], "nextcloud_path",
            "{path:?}: {err}"
        );
    }
    for (path, stored) in [
        (
            "/Πελάτες/Ναός/100% σχέδιο #2.pdf/",
            "Πελάτες/Ναός/100% σχέδιο #2.pdf",
        ),
        ("Πελάτες/ Ναός/a.jpg", "Πελάτες/ Ναός/a.jpg"),
    ] {
        let m = app
            .create(
                "/api/crm/media",
                json!({"customer_id": c["id"], "nextcloud_path": path, "direction": "sent"}),
            )
            .await;
        assert_eq!(m["nextcloud_path"], stored);
    }
}

#[tokio::test]
async fn an_email_thread_and_the_missed_calls_are_listed_for_the_console() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίας Παρασκευής").await;
    let cid = c["id"].as_str().unwrap();
    let mail = |subject: &str, at: &str, thread: &str| {
        json!({"customer_id": cid, "type": "email", "direction": "inbound", "subject": subject,
               "occurred_at": at, "meta": {"thread": thread}})
    };
    let first = app
        .create(
            "/api/crm/comms",
            mail("Καμπάνα", "2026-11-01T09:00:00Z", "a@x"),
        )
        .await;
    let reply = app
        .create(
            "/api/crm/comms",
            mail("Re: Καμπάνα", "2026-11-02T09:00:00Z", "a@x"),
        )
        .await;
    app.create(
        "/api/crm/comms",
        mail("Άλλο", "2026-11-03T09:00:00Z", "b@x"),
    )
    .await;
    let body = expect(
        app.get(&format!(
            "/api/crm/comms/{}/thread",
            reply["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    let subjects: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Καμπάνα", "Re: Καμπάνα"], "{body}");
    assert_eq!(body["entries"][0]["id"], first["id"]);
    expect_error(
        app.get("/api/crm/comms/00000000-0000-4000-8000-000000000000/thread")
            .await,
        404,
        "not_found",
    )
    .await;

    for (missed, at) in [
        (true, "2026-11-04T08:00:00Z"),
        (false, "2026-11-04T09:00:00Z"),
    ] {
        app.create(
            "/api/crm/comms",
            json!({"customer_id": cid, "type": "call", "direction": "inbound",
                   "occurred_at": at, "meta": {"missed": missed}}),
        )
        .await;
    }
    let body = expect(app.get("/api/crm/comms/missed-calls?limit=10").await, 200).await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["entries"][0]["customer_id"], cid);
    assert_eq!(body["entries"][0]["meta"]["missed"], true);
}
