//! WhatsApp through the running gateway: Meta's handshake, signed webhook bodies written
//! from the documented payload format, the queue worker turning them into entries, media
//! fetched from a scripted Graph API peer into the real WebDAV server, statuses, and sends.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use nextcloud_dav::testing::read_all;
use wa_bridge::testing::{GraphPeer, PHONE_NUMBER_ID, PHOTO, TOKEN};

use crate::helpers::*;

const APP_SECRET: &str = "wa-app-secret-for-tests";
const VERIFY: &str = "wa-verify-token-for-tests";

async fn spawn_with_whatsapp(graph: &str, nextcloud: bool) -> NextcloudApp {
    let adjust = |c: &mut crm_gateway::config::Config| {
        c.whatsapp = Some(crm_gateway::config::WhatsAppConfig {
            graph: wa_bridge::Config {
                base_url: graph.to_owned(),
                ..wa_bridge::Config::new(PHONE_NUMBER_ID, TOKEN)
            },
            app_secret: APP_SECRET.into(),
            verify_token: VERIFY.into(),
        });
        if !nextcloud {
            c.nextcloud = None;
        }
    };
    spawn_app_with_nextcloud_and(adjust).await
}

fn body(messages: Vec<Value>, statuses: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "302101234567", "phone_number_id": PHONE_NUMBER_ID },
            "contacts": [{ "profile": { "name": "π. Γεώργιος" }, "wa_id": "306912345678" }],
            "messages": messages, "statuses": statuses
        }}]}]
    }))
    .unwrap()
}

fn text(id: &str, from: &str, text: &str) -> Value {
    json!({ "from": from, "id": id, "timestamp": "1764316800", "type": "text", "text": { "body": text } })
}

async fn post_webhook(app: &TestApp, body: &[u8], signature: Option<String>) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/api/webhooks/whatsapp", app.base))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        req = req.header("X-Hub-Signature-256", sig);
    }
    req.send().await.unwrap()
}

/// A scripted Graph API peer: its base URL, and the peer to look at or script.
async fn start_graph() -> (String, GraphPeer) {
    let peer = GraphPeer::start().await.unwrap();
    (peer.url().to_owned(), peer)
}

fn sign(body: &[u8]) -> Option<String> {
    Some(wa_bridge::signature::sign(APP_SECRET.as_bytes(), body))
}

/// Polls `check` until it gives a value (the worker runs in the background).
async fn eventually<T>(mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the worker did not get there in 5 s");
}

#[tokio::test]
async fn the_handshake_answers_the_challenge_only_with_the_token() {
    let (graph, _) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let url = |token: &str| {
        format!(
            "{}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            app.base
        )
    };
    let ok = app.client.get(url(VERIFY)).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let bad = app.client.get(url("wrong")).send().await.unwrap();
    expect_error(bad, 403, "forbidden").await;

    let plain = spawn_app().await;
    let resp = plain
        .client
        .get(format!(
            "{}/api/webhooks/whatsapp?hub.mode=subscribe",
            plain.base
        ))
        .send()
        .await
        .unwrap();
    expect_error(resp, 503, "whatsapp_not_configured").await;
}

#[tokio::test]
async fn unsigned_or_forged_bodies_are_refused_and_stored_nowhere() {
    let (graph, _) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let b = body(
        vec![text("wamid.forged", "306912345678", "πληρώστε εδώ")],
        vec![],
    );
    expect_error(post_webhook(&app, &b, None).await, 401, "unauthorized").await;
    let forged = Some(wa_bridge::signature::sign(b"another secret", &b));
    expect_error(post_webhook(&app, &b, forged).await, 401, "unauthorized").await;
    let mut tampered = b.clone();
    tampered.push(b' ');
    expect_error(
        post_webhook(&app, &tampered, sign(&b)).await,
        401,
        "unauthorized",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let inbox = expect(app.get("/api/crm/inbox").await, 200).await;
    assert_eq!(inbox["total"], 0);
}

#[tokio::test]
async fn messages_become_entries_once_matched_by_number_and_retries_add_nothing() {
    let (graph, _) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίου Γεωργίου", "contacts": [{"type": "whatsapp", "value": "691 234 5678"}]}),
        )
        .await;
    let b = body(
        vec![
            text("wamid.A", "306912345678", "Η καμπάνα σταμάτησε"),
            text("wamid.B", "306977777777", "Ποιος είστε;"),
            json!({ "from": "306912345678", "id": "wamid.C", "timestamp": "1764316801", "type": "location",
                    "location": { "latitude": 38.0, "longitude": 23.7, "name": "Ναός" } }),
        ],
        vec![],
    );
    for _ in 0..3 {
        // Meta retries: the same body, three times
        let resp = post_webhook(&app, &b, sign(&b)).await;
        assert_eq!(resp.status(), 200);
    }
    let cid = c["id"].as_str().unwrap().to_owned();
    let list = eventually(async || {
        let l = expect(
            app.get(&format!("/api/crm/comms?customer_id={cid}")).await,
            200,
        )
        .await;
        (l["total"] == 2).then_some(l)
    })
    .await;
    let first = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ext_message_id"] == "wamid.A")
        .unwrap()
        .clone();
    assert_eq!(first["type"], "whatsapp");
    assert_eq!(first["direction"], "inbound");
    assert_eq!(first["body"], "Η καμπάνα σταμάτησε");
    assert_eq!(first["meta"]["profile_name"], "π. Γεώργιος");
    assert_eq!(first["occurred_at"], "2025-11-28T08:00:00.000000Z");
    let inbox = expect(app.get("/api/crm/inbox").await, 200).await;
    assert_eq!(
        inbox["total"], 1,
        "the unknown number waits in the inbox: {inbox}"
    );
    assert_eq!(inbox["entries"][0]["sender"], "+306977777777");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = expect(
        app.get(&format!("/api/crm/comms?customer_id={cid}")).await,
        200,
    )
    .await;
    assert_eq!(again["total"], 2, "three deliveries, each message once");
}

#[tokio::test]
async fn media_is_fetched_into_the_customers_nextcloud_folder() {
    let (graph, peer) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, true).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Μονή Αγίας Τριάδος", "nextcloud_folder": "Πελάτες/Μονή Αγίας Τριάδος",
                   "contacts": [{"type": "phone", "value": "+30 691 234 5678"}]}),
        )
        .await;
    let b = body(
        vec![
            json!({ "from": "306912345678", "id": "wamid.photo", "timestamp": "1764316800", "type": "image",
                     "image": { "id": "1037543291543636", "mime_type": "image/jpeg", "sha256": "x", "caption": "Ο πύργος" } }),
        ],
        vec![],
    );
    assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    let cid = c["id"].as_str().unwrap().to_owned();
    let entry = eventually(async || {
        let l = expect(
            app.get(&format!("/api/crm/comms?customer_id={cid}")).await,
            200,
        )
        .await;
        let e = l["entries"].as_array().and_then(|e| e.first().cloned())?;
        e["attachments"][0]["nextcloud_path"]
            .is_string()
            .then_some(e)
    })
    .await;
    assert_eq!(entry["body"], "Ο πύργος");
    assert_eq!(
        entry["attachments"][0]["source"],
        "whatsapp:1037543291543636"
    );
    let path = entry["attachments"][0]["nextcloud_path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        path.starts_with("Πελάτες/Μονή Αγίας Τριάδος/Received Media/"),
        "{path}"
    );
    let stored = read_all(
        app.dav
            .download(&nextcloud_dav::DavPath::parse(&path).unwrap(), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(stored, PHOTO, "the bytes Meta served, in Nextcloud");
    let media = expect(
        app.get(&format!("/api/crm/media?customer_id={cid}")).await,
        200,
    )
    .await;
    assert_eq!(media["total"], 1);
    assert_eq!(media["items"][0]["direction"], "received");
    assert_eq!(peer.state().media_requests, 1);
}

#[tokio::test]
async fn statuses_move_the_delivery_state_of_a_sent_message_forward() {
    let (graph, peer) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ενορία Αγίου Δημητρίου", "contacts": [{"type": "phone", "value": "6912345678"}]}),
        )
        .await;
    let sent = expect(
        app.post(
            "/api/crm/whatsapp/send",
            &json!({"customer_id": c["id"], "text": "Θα έρθουμε την Τρίτη στις 10."}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["direction"], "outbound");
    assert_eq!(sent["logged_by"], "tester");
    let wamid = sent["ext_message_id"].as_str().unwrap().to_owned();
    assert_eq!(peer.state().sends[0]["to"], "306912345678");

    let status = |s: &str, ts: &str| json!({ "id": wamid, "status": s, "timestamp": ts, "recipient_id": "306912345678" });
    for (s, ts) in [
        ("delivered", "1764316900"),
        ("read", "1764316950"),
        ("sent", "1764316800"),
    ] {
        let b = body(vec![], vec![status(s, ts)]);
        assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    }
    let id = sent["id"].as_str().unwrap().to_owned();
    let state = eventually(async || {
        let e = expect(app.get(&format!("/api/crm/comms/{id}")).await, 200).await;
        (e["meta"]["delivery"]["status"] == "read").then_some(e)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = expect(app.get(&format!("/api/crm/comms/{id}")).await, 200).await;
    assert_eq!(
        later["meta"]["delivery"]["status"], "read",
        "a late sent does not undo read: {state}"
    );

    let refused = app
        .post(
            "/api/crm/whatsapp/send",
            &json!({"to": "+30 690 000 0000", "text": "x"}),
        )
        .await;
    let err = expect_error(refused, 502, "whatsapp_refused").await;
    assert_eq!(err["error"]["details"]["error"]["code"], 131026);
    let err = expect_error(
        app.post(
            "/api/crm/whatsapp/send",
            &json!({"to": "nope", "text": "x"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "to");
    expect_error(
        app.req(Method::POST, "/api/crm/whatsapp/send")
            .json(&json!({"customer_id": c["id"]}))
            .send()
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
}

#[tokio::test]
async fn a_sender_in_a_range_the_metadata_does_not_list_is_a_contact_and_can_be_written_to() {
    // +30 680…: a Greek mobile range newer than the phone library's metadata; Meta vouches
    // for every sender, so the CRM takes the number as it is (flagged, never refused)
    let (graph, peer) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let b = body(
        vec![text("wamid.new-range", "306801234567", "Καλησπέρα")],
        vec![],
    );
    assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    let waiting = eventually(async || {
        let l = expect(app.get("/api/crm/inbox").await, 200).await;
        (l["total"] == 1).then_some(l)
    })
    .await;
    let entry = &waiting["entries"][0];
    assert_eq!(entry["sender"], "+306801234567");
    assert_eq!(entry["meta"]["number_unlisted"], true, "{entry}");

    let parish = app.customer("Ενορία Αγίας Μαρίνας").await;
    let pid = parish["id"].as_str().unwrap().to_owned();
    let id = entry["id"].as_str().unwrap();
    let assigned = expect(
        app.req(Method::POST, &format!("/api/crm/inbox/{id}/assign"))
            .json(&json!({"customer_id": pid, "add_contact": true}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(assigned["contact_added"], true, "{assigned}");
    let customer = expect(app.get(&format!("/api/crm/customers/{pid}")).await, 200).await;
    let contact = &customer["contacts"][0];
    assert_eq!(contact["type"], "whatsapp");
    assert_eq!(contact["e164"], "+306801234567");
    assert_eq!(contact["unlisted"], true, "{contact}");

    // writing to the customer, and to the number as typed, both go out
    expect(
        app.post(
            "/api/crm/whatsapp/send",
            &json!({"customer_id": pid, "text": "Ευχαριστούμε, θα σας καλέσουμε."}),
        )
        .await,
        201,
    )
    .await;
    let typed = expect(
        app.post(
            "/api/crm/whatsapp/send",
            &json!({"to": "680 123 4567", "text": "Η προσφορά σας."}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        typed["customer_id"],
        pid.as_str(),
        "matched by its E.164 form"
    );
    let sends = peer.state().sends.clone();
    assert_eq!(sends.len(), 2);
    assert!(sends.iter().all(|s| s["to"] == "306801234567"), "{sends:?}");

    // the next message from the number goes straight to the customer
    let b = body(
        vec![text("wamid.second", "306801234567", "Εντάξει")],
        vec![],
    );
    assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    eventually(async || {
        let l = expect(
            app.get(&format!(
                "/api/crm/comms?customer_id={pid}&direction=inbound"
            ))
            .await,
            200,
        )
        .await;
        (l["total"] == 2).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_service_window_says_whether_text_or_only_a_template_can_go_out() {
    let (graph, _peer) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, false).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ενορία Αγίου Δημητρίου", "contacts": [{"type": "whatsapp", "value": "6912345678"}]}),
        )
        .await;
    let cid = c["id"].as_str().unwrap().to_owned();
    let window = async || {
        expect(
            app.get(&format!("/api/crm/whatsapp/window?customer_id={cid}"))
                .await,
            200,
        )
        .await
    };
    let w = window().await;
    assert_eq!(w["open"], false, "never wrote: {w}");
    assert_eq!(w["last_inbound_at"], Value::Null);

    // a message of 28/11/2025 (the webhook's timestamp): long closed
    let b = body(vec![text("wamid.old", "306912345678", "Καλημέρα")], vec![]);
    assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    let w = eventually(async || {
        let w = window().await;
        (w["last_inbound_at"] != Value::Null).then_some(w)
    })
    .await;
    assert_eq!(w["open"], false, "{w}");
    assert_eq!(w["last_inbound_at"], "2025-11-28T08:00:00.000000Z");
    assert_eq!(w["closes_at"], "2025-11-29T08:00:00.000000Z");

    // an hour ago: open for 23 more hours
    let hour_ago =
        crm_core::Clock::now(&crm_core::SystemClock).into_inner() - time::Duration::hours(1);
    app.create(
        "/api/crm/comms",
        json!({"customer_id": cid, "type": "whatsapp", "direction": "inbound", "body": "Ευχαριστώ",
               "occurred_at": hour_ago.format(&time::format_description::well_known::Rfc3339).unwrap()}),
    )
    .await;
    assert_eq!(window().await["open"], true);
    expect_error(
        app.get("/api/crm/whatsapp/window?customer_id=00000000-0000-4000-8000-000000000000")
            .await,
        422,
        "invalid_field",
    )
    .await;
}

#[tokio::test]
async fn administrators_see_how_every_integration_stands() {
    let (graph, _peer) = start_graph().await;
    let app = spawn_with_whatsapp(&graph, true).await;
    let admin = token(&["crm:admin"]);
    let status = async || {
        let resp = app
            .client
            .get(format!("{}/api/admin/integrations", app.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        expect(resp, 200).await
    };
    let s = status().await;
    assert_eq!(s["whatsapp"]["configured"], true, "{s}");
    assert_eq!(s["whatsapp"]["last_webhook_at"], Value::Null);
    assert_eq!(s["nextcloud"]["configured"], true);
    assert_eq!(s["nextcloud"]["reachable"], true, "{s}");
    assert_eq!(s["pbx"]["configured"], false);
    assert_eq!(s["mail"], Value::Null, "e-mail is not configured here");
    assert_eq!(s["queues"]["failed"], json!([]));

    let b = body(
        vec![text("wamid.status", "306912345678", "Καλημέρα")],
        vec![],
    );
    assert_eq!(post_webhook(&app, &b, sign(&b)).await.status(), 200);
    let s = status().await;
    assert!(s["whatsapp"]["last_webhook_at"].is_string(), "{s}");

    // only administrators: an editor is refused, and so is a retry of nothing
    expect_error(app.get("/api/admin/integrations").await, 403, "forbidden").await;
    let resp = app
        .client
        .post(format!(
            "{}/api/admin/jobs/attachment/424242/retry",
            app.base
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "not_found").await;
}
