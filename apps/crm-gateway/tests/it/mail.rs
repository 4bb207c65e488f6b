//! E-mail end to end: the gateway against the real Dovecot and Postfix of
//! `scripts/infra/start-mail.sh` (and the real WebDAV server for attachments).
//!
//! Every test works in IMAP folders of its own on the one test mailbox, and a gateway with a
//! data dir of its own.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crm_gateway::config::{Config, MailAccountConfig};
use mail_bridge::testing::relay::Relay;
use mail_bridge::{ImapConfig, ImapSession, Security, SmtpClient, SmtpConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn mail_env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the servers with `eval \"$(scripts/infra/start-mail.sh)\"` (./scripts/test.sh does)")
    })
}

fn port(var: &str) -> u16 {
    mail_env(var).parse().expect("a port number")
}

/// The gateway follows `inbound` and `sent` of the test mailbox, over STARTTLS with the
/// test CA, and sends through Postfix.
fn with_mail(c: &mut Config, inbound: &str, sent: &str) {
    let ca = std::fs::read(mail_env("MAIL_CA_CERT")).unwrap();
    let mut imap = ImapConfig::new(
        mail_env("MAIL_HOST"),
        port("MAIL_IMAP_PORT"),
        Security::StartTls,
        mail_env("MAIL_USER"),
        mail_env("MAIL_PASS"),
    );
    imap.ca_pem = Some(ca.clone());
    let mut smtp = SmtpConfig::new(
        mail_env("MAIL_HOST"),
        port("MAIL_SMTP_PORT"),
        Security::StartTls,
    );
    smtp.ca_pem = Some(ca);
    c.mail = Some(MailAccountConfig {
        imap: Some(imap),
        folders: Some(format!("{inbound}:inbound, {sent}:outbound")),
        smtp: Some(smtp),
        from: Some(format!("BellSystems <{}>", mail_env("MAIL_ADDRESS"))),
        ..MailAccountConfig::default()
    });
}

/// The gateway follows `inbound` and `sent` over plain IMAP through `relay` (a stand-in for
/// a server that freezes or goes away).
fn with_mail_via(c: &mut Config, inbound: &str, sent: &str, relay: &Relay) {
    let mut imap = imap();
    imap.port = relay.port();
    c.mail = Some(MailAccountConfig {
        imap: Some(imap),
        folders: Some(format!("{inbound}:inbound, {sent}:outbound")),
        ..MailAccountConfig::default()
    });
}

async fn relay_to_dovecot() -> Relay {
    let target = format!("{}:{}", mail_env("MAIL_HOST"), mail_env("MAIL_IMAP_PORT"))
        .parse()
        .expect("MAIL_HOST is an IP address");
    Relay::start(target).await
}

fn imap() -> ImapConfig {
    ImapConfig::new(
        mail_env("MAIL_HOST"),
        port("MAIL_IMAP_PORT"),
        Security::Plain,
        mail_env("MAIL_USER"),
        mail_env("MAIL_PASS"),
    )
}

/// A session on the test mailbox and two new folders (inbound, sent).
async fn folders(prefix: &str) -> (ImapSession, String, String) {
    let mut s = ImapSession::connect(&imap()).await.unwrap();
    let inbound = unique(prefix);
    let sent = format!("{inbound}-sent");
    s.create_folder(&inbound).await.unwrap();
    s.create_folder(&sent).await.unwrap();
    (s, inbound, sent)
}

/// `crm+Folder@example.test` is delivered into Folder.
fn address_for(folder: &str) -> String {
    format!(
        "{}+{folder}@{}",
        mail_env("MAIL_USER"),
        mail_env("MAIL_DOMAIN")
    )
}

fn corpus(file: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/mail-bridge/tests/corpus")
        .join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"))
}

fn small(from: &str, message_id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: crm@example.test\r\nSubject: {subject}\r\n\
         Date: Tue, 02 Apr 2024 10:00:00 +0300\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\nΚαλημέρα σας.\r\n"
    )
    .into_bytes()
}

/// A small mail with a PDF attached.
fn with_attachment(from: &str, message_id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: crm@example.test\r\nSubject: {subject}\r\n\
         Date: Tue, 02 Apr 2024 10:00:00 +0300\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Σας στέλνω το σχέδιο.\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--b--\r\n"
    )
    .into_bytes()
}

/// The UID of each message of `folder` on the server, by Message-ID.
async fn uids_by_message_id(
    s: &mut ImapSession,
    folder: &str,
) -> std::collections::HashMap<String, u32> {
    s.select(folder).await.unwrap();
    s.list_messages()
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.message_id.unwrap(), m.uid))
        .collect()
}

async fn wait_for_messages(s: &mut ImapSession, folder: &str, n: u32) {
    let start = Instant::now();
    while s.status(folder).await.unwrap().exists < n {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{folder} never got {n} messages"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sync(app: &TestApp, verify: bool) -> Value {
    let reports = expect(
        app.post("/api/crm/email/sync", &json!({ "verify": verify }))
            .await,
        200,
    )
    .await;
    for r in reports.as_array().unwrap() {
        assert_eq!(r["error"], Value::Null, "{reports}");
    }
    reports
}

async fn email_entries(app: &TestApp, query: &str) -> Vec<Value> {
    let page = expect(
        app.get(&format!("/api/crm/comms?type=email&limit=100&{query}"))
            .await,
        200,
    )
    .await;
    page["entries"].as_array().unwrap().clone()
}

async fn inbox(app: &TestApp) -> Vec<Value> {
    let page = expect(app.get("/api/crm/inbox?limit=100").await, 200).await;
    page["entries"].as_array().unwrap().clone()
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn a_greek_mail_with_a_photo_reaches_the_customers_timeline_and_nextcloud_folder() {
    let (mut s, inbound, sent) = folders("gw-photo").await;
    let app = spawn_app_with_nextcloud_and(|c| with_mail(c, &inbound, &sent)).await;
    let customer = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίας Φωτεινής", "nextcloud_folder": "Customers/Agia Foteini",
                   "contacts": [{"type": "email", "value": "photo.customer@example.test"}]}),
        )
        .await;
    let cid = customer["id"].as_str().unwrap();

    // over SMTP, as a customer would send it: ISO-8859-7 subject, a PNG, From in mixed case
    let raw = corpus("24-iso8859-7-photo.eml");
    let photo = mail_bridge::parse(&raw, None).attachments[0].data.clone();
    let mut smtp = SmtpConfig::new(
        mail_env("MAIL_HOST"),
        port("MAIL_SMTP_PORT"),
        Security::Plain,
    );
    smtp.timeout = Duration::from_secs(20);
    SmtpClient::new(&smtp)
        .unwrap()
        .send_raw(
            "Photo.Customer@Example.test",
            &[address_for(&inbound)],
            &raw,
        )
        .await
        .unwrap();
    wait_for_messages(&mut s, &inbound, 1).await;
    sync(&app, false).await;

    let timeline = expect(
        app.get(&format!("/api/crm/customers/{cid}/timeline")).await,
        200,
    )
    .await;
    let items = timeline["items"].as_array().unwrap();
    let mail: Vec<&Value> = items
        .iter()
        .filter(|i| i["kind"] == "comms" && i["entry"]["type"] == "email")
        .collect();
    assert_eq!(mail.len(), 1, "{timeline}");
    let entry = &mail[0]["entry"];
    assert_eq!(entry["subject"], "Φωτογραφία από το καμπαναριό");
    assert_eq!(entry["direction"], "inbound");
    assert_eq!(entry["ext_message_id"], "photo-24@example.test");
    assert!(
        entry["body"]
            .as_str()
            .unwrap()
            .contains("Σας στέλνω φωτογραφία")
    );
    assert_eq!(entry["meta"]["imap"]["folder"], inbound.as_str());
    let attachment = &entry["attachments"][0];
    assert_eq!(attachment["filename"], "καμπαναριό.png");
    let path = attachment["nextcloud_path"].as_str().unwrap();
    assert!(
        path.starts_with("Customers/Agia Foteini/Received Media/2024-03-26 ")
            && path.ends_with(" καμπαναριό.png"),
        "{path}"
    );
    // the photo itself, byte for byte, in the customer's folder on the WebDAV server
    let stored = app
        .dav
        .download(&nextcloud_dav::DavPath::parse(path).unwrap(), None)
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let mut body = stored.into_stream();
    while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes, photo.to_vec());
    // …and in the customer's media, merged with its record
    assert!(
        items
            .iter()
            .any(|i| i["kind"] == "media" && i["media"]["nextcloud_path"] == path),
        "a media record for the photo: {timeline}"
    );

    // syncing again (and verifying) stores nothing twice
    sync(&app, true).await;
    assert_eq!(
        email_entries(&app, &format!("customer_id={cid}"))
            .await
            .len(),
        1
    );
    let folder = folder_status(&app, &inbound).await;
    assert_eq!(folder["on_server"], 1, "{folder}");
    assert_eq!(folder["stored"], 1);
    assert_eq!(folder["gaps_found"], 0);
    assert_eq!(folder["last_error"], Value::Null);
    assert!(folder["last_sync_at"].is_string() && folder["verified_at"].is_string());
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn an_unknown_sender_waits_in_the_inbox_and_attachments_say_where_they_are_without_nextcloud()
{
    let (mut s, inbound, sent) = folders("gw-inbox").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    s.append(&inbound, &corpus("24-iso8859-7-photo.eml"), false, None)
        .await
        .unwrap();
    sync(&app, false).await;

    let waiting = inbox(&app).await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let entry = &waiting[0];
    assert_eq!(entry["customer_id"], Value::Null);
    assert_eq!(entry["sender"], "Photo.Customer@Example.test");
    assert_eq!(entry["subject"], "Φωτογραφία από το καμπαναριό");
    let attachment = &entry["attachments"][0];
    assert_eq!(attachment["nextcloud_path"], Value::Null);
    assert_eq!(attachment["filename"], "καμπαναριό.png");
    assert!(attachment["size"].as_u64().unwrap() > 1000);
    let source = attachment["source"].as_str().unwrap();
    assert!(
        source.starts_with("imap://") && source.contains(&format!("/{inbound};UIDVALIDITY=")),
        "{source}"
    );

    // a mail the log cannot take whole (4,000 recipients: its meta is over the limit) is
    // kept reduced, and the folder goes on
    let crowd: Vec<String> = (0..4000)
        .map(|i| format!("parish{i}@example.org"))
        .collect();
    let mut huge = small("bulk@example.org", "bulk@example.test", "Εγκύκλιος").to_vec();
    let header = format!("Cc: {}\r\n", crowd.join(",\r\n "));
    huge.splice(0..0, header.into_bytes());
    s.append(&inbound, &huge, false, None).await.unwrap();
    s.append(
        &inbound,
        &small("after@example.org", "after@example.test", "Μετά"),
        false,
        None,
    )
    .await
    .unwrap();
    sync(&app, false).await;
    let waiting = inbox(&app).await;
    let bulk = waiting
        .iter()
        .find(|e| e["ext_message_id"] == "bulk@example.test")
        .unwrap();
    assert!(
        bulk["meta"]["refused"]
            .as_str()
            .unwrap()
            .starts_with("meta:"),
        "{bulk}"
    );
    assert_eq!(bulk["meta"]["imap"]["folder"], inbound.as_str());
    assert!(
        waiting
            .iter()
            .any(|e| e["ext_message_id"] == "after@example.test")
    );
    for e in &waiting[..2] {
        let id = e["id"].as_str().unwrap();
        expect(app.delete(&format!("/api/crm/comms/{id}")).await, 204).await;
    }
    assert_eq!(inbox(&app).await.len(), 1);

    // assigning it with its sender as a contact makes the next mail go straight there
    let parish = app.customer("Ενορία Αγίου Γεωργίου").await;
    let pid = parish["id"].as_str().unwrap();
    let id = entry["id"].as_str().unwrap();
    expect(
        app.req(Method::POST, &format!("/api/crm/inbox/{id}/assign"))
            .json(&json!({"customer_id": pid, "add_contact": true}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    s.append(
        &inbound,
        &small(
            "Photo.Customer@example.test",
            "second@example.test",
            "Ευχαριστώ",
        ),
        false,
        None,
    )
    .await
    .unwrap();
    sync(&app, false).await;
    assert!(inbox(&app).await.is_empty());
    assert_eq!(
        email_entries(&app, &format!("customer_id={pid}"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn mail_sent_from_the_crm_goes_out_lands_in_sent_and_is_logged_once() {
    let (mut s, inbound, sent) = folders("gw-send").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    // the customer's address delivers back into a folder of the test mailbox
    let to = address_for(&format!("{inbound}-customer"));
    let customer = app
        .create(
            "/api/crm/customers",
            json!({"name": "Μητρόπολη Θεσσαλονίκης", "contacts": [{"type": "email", "value": to}]}),
        )
        .await;
    let cid = customer["id"].as_str().unwrap();

    let body = json!({"customer_id": cid, "to": [to], "subject": "Προσφορά για την καμπάνα",
                      "text": "Σας στέλνουμε την προσφορά."});
    let sent_mail = expect(app.post("/api/crm/email/send", &body).await, 201).await;
    assert_eq!(sent_mail["sent_folder"], sent.as_str(), "{sent_mail}");
    assert_eq!(sent_mail["warning"], Value::Null);
    let message_id = sent_mail["message_id"].as_str().unwrap();
    assert_eq!(sent_mail["entry"]["direction"], "outbound");
    assert_eq!(sent_mail["entry"]["ext_message_id"], message_id);
    assert_eq!(sent_mail["entry"]["logged_by"], "tester");
    assert_eq!(s.status(&sent).await.unwrap().exists, 1, "the copy in Sent");

    sync(&app, true).await;
    let logged = email_entries(&app, &format!("customer_id={cid}")).await;
    assert_eq!(
        logged.len(),
        1,
        "sent, appended, synced: one entry {logged:?}"
    );
    assert_eq!(logged[0]["subject"], "Προσφορά για την καμπάνα");

    // the reply is on the same thread
    s.append(
        &inbound,
        &format!(
            "From: {to}\r\nTo: crm@example.test\r\nSubject: Re: Προσφορά\r\nIn-Reply-To: <{message_id}>\r\n\
             References: <{message_id}>\r\nMessage-ID: <reply-{message_id}>\r\n\
             Date: Tue, 02 Apr 2024 11:00:00 +0300\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nΕυχαριστούμε.\r\n"
        )
        .into_bytes(),
        false,
        None,
    )
    .await
    .unwrap();
    sync(&app, false).await;
    let logged = email_entries(&app, &format!("customer_id={cid}")).await;
    assert_eq!(logged.len(), 2);
    assert!(
        logged.iter().all(|e| e["meta"]["thread"] == message_id),
        "{logged:?}"
    );

    // refusals, bad input, and no configuration: each answered, none logged
    let refused = |customer: &str,
                   to: &str,
                   attachments: &[&str],
                   status: u16,
                   code: &'static str| {
        let body = json!({"customer_id": customer, "to": [to], "subject": "x", "text": "x",
                          "attachments": attachments});
        let app = &app;
        async move { expect_error(app.post("/api/crm/email/send", &body).await, status, code).await }
    };
    let err = refused(cid, "nobody-here@example.test", &[], 502, "smtp_rejected").await;
    assert!(
        err["error"]["details"]["reply"].as_str().unwrap().len() > 3,
        "{err}"
    );
    assert_eq!(err["error"]["details"]["code"].as_u64().unwrap() / 100, 5);
    let err = refused(cid, "not an address", &[], 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "to", "{err}");
    let nobody = "00000000-0000-4000-8000-000000000000";
    let err = refused(nobody, &to, &[], 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "customer_id", "{err}");
    refused(cid, &to, &["a.pdf"], 503, "nextcloud_not_configured").await;
    assert_eq!(
        email_entries(&app, &format!("customer_id={cid}"))
            .await
            .len(),
        2,
        "nothing logged for failures"
    );
    let plain = spawn_app().await;
    expect_error(
        plain.post("/api/crm/email/send", &body).await,
        503,
        "email_not_configured",
    )
    .await;
    expect_error(
        plain.get("/api/crm/email/status").await,
        503,
        "email_not_configured",
    )
    .await;
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn an_orders_quotation_goes_out_attached_as_a_pdf() {
    let (mut s, inbound, sent) = folders("gw-quote").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    let to = address_for(&format!("{inbound}-customer"));
    let customer = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερά Μονή Βλατάδων", "contacts": [{"type": "email", "value": to}]}),
        )
        .await;
    let other = app.customer("Ενορία Αγίας Σοφίας").await;
    let cid = customer["id"].as_str().unwrap();
    let order = |customer: &Value| {
        json!({"customer_id": customer["id"],
               "items": [{"product_name": "Καμπάνα 40cm", "quantity": 1, "unit_price": 950}]})
    };
    let o = app.create("/api/crm/orders", order(&customer)).await;
    let theirs = app.create("/api/crm/orders", order(&other)).await;
    let number = o["order_number"].as_str().unwrap();

    let body = json!({"customer_id": cid, "to": [to], "subject": "Η προσφορά μας",
                      "text": "Σας επισυνάπτουμε την προσφορά.",
                      "order_documents": [{"order_id": o["id"]}]});
    let sent_mail = expect(app.post("/api/crm/email/send", &body).await, 201).await;
    let attachment = &sent_mail["entry"]["attachments"][0];
    assert_eq!(attachment["filename"], format!("Prosfora-{number}.pdf"));
    assert_eq!(attachment["mime_type"], "application/pdf");
    assert_eq!(attachment["nextcloud_path"], Value::Null);

    // what went out carries the PDF: the copy in Sent is the exact bytes sent
    wait_for_messages(&mut s, &sent, 1).await;
    s.select(&sent).await.unwrap();
    let uids: Vec<u32> = s
        .list_messages()
        .await
        .unwrap()
        .iter()
        .map(|m| m.uid)
        .collect();
    let mut messages = Vec::new();
    let mut fetched = s.fetch(&uids).await.unwrap();
    while let Some(m) = fetched.next().await {
        messages.push(m.unwrap().into_raw());
    }
    drop(fetched);
    let raw = &messages[0];
    let parsed = mail_bridge::parse(raw, None);
    let pdf = parsed
        .attachments
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .expect("a PDF attachment");
    assert_eq!(pdf.filename, format!("Prosfora-{number}.pdf"));
    let text = crate::orders::pdf_text(&pdf.data);
    assert!(
        text.contains(number) && text.contains("Ιερά Μονή Βλατάδων"),
        "{text}"
    );
    assert!(text.contains("1.178,00 €"), "950 + 24 %:\n{text}");

    // another customer's order, or none, is refused by field and nothing is sent
    for (order_id, reason) in [
        (theirs["id"].clone(), "another customer"),
        (
            json!("00000000-0000-4000-8000-000000000000"),
            "no such order",
        ),
    ] {
        let body = json!({"customer_id": cid, "to": [to], "subject": "x", "text": "x",
                          "order_documents": [{"order_id": order_id}]});
        let err = expect_error(
            app.post("/api/crm/email/send", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(
            err["error"]["details"]["field"],
            "order_documents[0].order_id"
        );
        assert!(err.to_string().contains(reason), "{err}");
    }
    assert_eq!(
        s.status(&sent).await.unwrap().exists,
        1,
        "nothing more went out"
    );
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn a_changed_uidvalidity_and_lost_entries_are_repaired_without_duplicates() {
    let (mut s, inbound, sent) = folders("gw-verify").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    let mids: Vec<String> = (0..3)
        .map(|i| unique(&format!("m{i}")) + "@example.test")
        .collect();
    // the first with an attachment (its link points at the message on the server)
    let mail_of = |mid: &str| {
        if mid == mids[0] {
            with_attachment("someone@example.org", mid, "Σχέδιο")
        } else {
            small("someone@example.org", mid, "Ερώτηση")
        }
    };
    for mid in &mids {
        s.append(&inbound, &mail_of(mid), false, None)
            .await
            .unwrap();
    }
    sync(&app, false).await;
    assert_eq!(inbox(&app).await.len(), 3);

    // the folder is re-created (a server restore): new UIDVALIDITY, the same mail, in
    // another order (other UIDs), plus one. Its status is read before, since the background
    // task may sync the new folder before this test asks.
    let before = folder_status(&app, &inbound).await;
    s.delete_folder(&inbound).await.unwrap();
    s.create_folder(&inbound).await.unwrap();
    let fourth = unique("fourth") + "@example.test";
    for mid in [&mids[2], &fourth, &mids[0], &mids[1]] {
        s.append(&inbound, &mail_of(mid), false, None)
            .await
            .unwrap();
    }
    // (the background task may get there first: the figures, not this call's report, tell)
    let reports = sync(&app, false).await;
    let after = folder_status(&app, &inbound).await;
    assert_ne!(after["uidvalidity"], before["uidvalidity"], "{after}");
    assert_eq!(
        (
            after["on_server"].as_u64(),
            after["stored"].as_u64(),
            after["expunged"].as_u64()
        ),
        (Some(4), Some(4), Some(0)),
        "{after}"
    );
    assert_eq!(inbox(&app).await.len(), 4, "de-duplicated by Message-ID");
    let report = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["folder"] == inbound.as_str())
        .unwrap();
    if report["resync"] == true {
        // this call did the resync: the three it held were not downloaded again
        assert_eq!(
            (&report["adopted"], &report["fetched"], &report["new"]),
            (&json!(3), &json!(1), &json!(1)),
            "{report}"
        );
    }

    // every entry now says where its message is: the new UIDVALIDITY and UID, in meta and
    // in the attachment's link; the ledger holds no row of the old UIDVALIDITY
    let uidvalidity = after["uidvalidity"].as_u64().unwrap();
    let places = uids_by_message_id(&mut s, &inbound).await;
    for e in inbox(&app).await {
        let mid = e["ext_message_id"].as_str().unwrap();
        assert_eq!(e["meta"]["imap"]["uidvalidity"], uidvalidity, "{e}");
        assert_eq!(e["meta"]["imap"]["uid"], places[mid], "{e}");
        if mid == mids[0] {
            let source = e["attachments"][0]["source"].as_str().unwrap();
            assert!(
                source.ends_with(&format!(
                    "/{inbound};UIDVALIDITY={uidvalidity}/;UID={}",
                    places[mid]
                )),
                "{source}"
            );
        }
    }
    let db = rusqlite::Connection::open(app.data_dir.join("crm.db")).unwrap();
    let old_rows: i64 = db
        .query_row(
            "SELECT count(*) FROM mail_messages WHERE folder = ?1 AND uidvalidity != ?2",
            rusqlite::params![inbound, uidvalidity],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_rows, 0, "the old UIDVALIDITY's rows are pruned");
    drop(db);

    // the CRM loses one message (its entry and its ledger row): verification fetches it back
    let lost = inbox(&app)
        .await
        .into_iter()
        .find(|e| e["ext_message_id"] == mids[1].as_str())
        .unwrap();
    let id = lost["id"].as_str().unwrap();
    expect(app.delete(&format!("/api/crm/comms/{id}")).await, 204).await;
    let db = rusqlite::Connection::open(app.data_dir.join("crm.db")).unwrap();
    let gone = db
        .execute(
            "DELETE FROM mail_messages WHERE message_key = ?1",
            [&mids[1]],
        )
        .unwrap();
    assert_eq!(
        gone, 1,
        "its row under the new UIDVALIDITY (the old ones are pruned)"
    );
    drop(db);
    sync(&app, false).await;
    assert_eq!(
        inbox(&app).await.len(),
        3,
        "a plain sync does not look back"
    );

    // the command line's verify (on the same data dir, beside the running server)
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(["mail", "verify"])
        .env("CRM_DATA_DIR", &app.data_dir)
        .env("CRM_IMAP_HOST", mail_env("MAIL_HOST"))
        .env("CRM_IMAP_PORT", mail_env("MAIL_IMAP_PORT"))
        .env("CRM_IMAP_TLS", "plain")
        .env("CRM_IMAP_USER", mail_env("MAIL_USER"))
        .env("CRM_IMAP_PASSWORD", mail_env("MAIL_PASS"))
        .env(
            "CRM_IMAP_FOLDERS",
            format!("{inbound}:inbound,{sent}:outbound"),
        )
        .env("CRM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "{inbound}\t0 new, 4 on the server, 1 missing, 1 repaired"
        )),
        "{stdout}"
    );
    assert_eq!(inbox(&app).await.len(), 4);

    let folder = folder_status(&app, &inbound).await;
    assert_eq!(
        (
            folder["gaps_found"].as_u64(),
            folder["gaps_repaired"].as_u64()
        ),
        (Some(1), Some(1)),
        "{folder}"
    );
    assert_eq!(folder["stored"], 4);

    // restored once more, without one of the messages: the CRM keeps it, and says the
    // server no longer has it
    s.delete_folder(&inbound).await.unwrap();
    // the CRM's own IDLE connection may make Dovecot create the mailbox again first: then it
    // is new (a new UIDVALIDITY) and empty all the same
    if let Err(e) = s.create_folder(&inbound).await {
        assert!(format!("{e:?}").contains("ALREADYEXISTS"), "{e:?}");
    }
    for mid in [&mids[0], &mids[2], &fourth] {
        s.append(&inbound, &mail_of(mid), false, None)
            .await
            .unwrap();
    }
    sync(&app, false).await;
    let folder = folder_status(&app, &inbound).await;
    assert_eq!(
        (
            folder["on_server"].as_u64(),
            folder["stored"].as_u64(),
            folder["expunged"].as_u64()
        ),
        (Some(3), Some(4), Some(1)),
        "{folder}"
    );
    assert_eq!(inbox(&app).await.len(), 4, "nothing deleted in the CRM");
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn a_subject_longer_than_the_subject_field_is_kept_whole() {
    let (mut s, inbound, sent) = folders("gw-subject").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    // 3,000 characters of Greek, RFC 2047-encoded over many folded lines, as clients send
    // a long subject; and one that just fits
    let long: String = (0..300)
        .map(|i| format!("Καμπάνα{i:03} "))
        .collect::<String>()
        + "ΤΕΛΟΣ";
    let encoded: Vec<String> = long
        .as_bytes()
        .chunks(45)
        .map(|c| {
            format!(
                "=?utf-8?B?{}?=",
                String::from_utf8(mail_bridge::testing::generate::base64(c, false)).unwrap()
            )
        })
        .collect();
    let raw = small(
        "someone@example.org",
        "long-subject@example.test",
        &encoded.join("\r\n "),
    );
    s.append(&inbound, &raw, false, None).await.unwrap();
    let fits = "Ω".repeat(1000);
    s.append(
        &inbound,
        &small("someone@example.org", "fits@example.test", &fits),
        false,
        None,
    )
    .await
    .unwrap();
    sync(&app, false).await;

    let entries = inbox(&app).await;
    let entry = entries
        .iter()
        .find(|e| e["ext_message_id"] == "long-subject@example.test")
        .unwrap();
    let subject = entry["subject"].as_str().unwrap();
    assert_eq!(
        subject.chars().count(),
        1000,
        "the subject field shows its start"
    );
    assert!(subject.ends_with('…') && subject.starts_with("Καμπάνα000 Καμπάνα001"));
    let body = entry["body"].as_str().unwrap();
    assert!(
        body.starts_with(&format!("{long}\n\nΚαλημέρα σας.")),
        "the whole subject, then the text: {body:.200}"
    );
    assert_eq!(entry["meta"]["subject_in_body"], true);
    assert_eq!(entry["meta"]["subject_chars"], long.chars().count());
    // its last words are found by search
    let found = expect(app.get("/api/crm/comms/search?q=ΤΕΛΟΣ").await, 200).await;
    assert_eq!(found["total"], 1, "{found}");

    let fitting = entries
        .iter()
        .find(|e| e["ext_message_id"] == "fits@example.test")
        .unwrap();
    assert_eq!(fitting["subject"], fits.as_str());
    assert_eq!(fitting["meta"]["subject_in_body"], Value::Null);
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn a_frozen_server_shows_as_an_error_soon_and_clears_when_a_pass_succeeds() {
    let (mut s, inbound, sent) = folders("gw-frozen").await;
    s.append(
        &inbound,
        &small(
            "someone@example.org",
            &(unique("f") + "@example.test"),
            "Ένα",
        ),
        false,
        None,
    )
    .await
    .unwrap();
    let relay = relay_to_dovecot().await;
    let app = spawn_app_with(|c| with_mail_via(c, &inbound, &sent, &relay)).await;
    sync(&app, false).await;
    assert_eq!(
        folder_status(&app, &inbound).await["last_error"],
        Value::Null
    );

    // the server stops answering (a stopped process: connections stay open); the
    // background task is waiting for mail on it
    tokio::time::sleep(Duration::from_secs(1)).await;
    relay.freeze();
    let frozen = Instant::now();
    let status = loop {
        let f = folder_status(&app, &inbound).await;
        if f["last_error"].is_string() {
            break f;
        }
        assert!(
            frozen.elapsed() < Duration::from_secs(45),
            "no error 45 s after the server froze: {f}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        frozen.elapsed() < Duration::from_secs(40),
        "{:?}: {status}",
        frozen.elapsed()
    );

    // back: the next pass that succeeds clears the error
    relay.up();
    sync(&app, false).await;
    let f = folder_status(&app, &inbound).await;
    assert_eq!(f["last_error"], Value::Null, "{f}");
    assert_eq!(f["last_error_at"], Value::Null, "{f}");
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn the_background_sync_is_back_soon_after_the_server_is() {
    let (mut s, inbound, sent) = folders("gw-outage").await;
    let relay = relay_to_dovecot().await;
    let app = spawn_app_with(|c| with_mail_via(c, &inbound, &sent, &relay)).await;
    sync(&app, false).await;

    // an outage of 20 s: the background task retries at 5, 15 and would wait until 35 s
    tokio::time::sleep(Duration::from_secs(1)).await;
    relay.down();
    let mid = unique("during") + "@example.test";
    s.append(
        &inbound,
        &small("someone@example.org", &mid, "Κατά τη διακοπή"),
        false,
        None,
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(20)).await;
    let f = folder_status(&app, &inbound).await;
    assert!(f["last_error"].is_string(), "the outage shows: {f}");
    relay.up();
    let back = Instant::now();
    loop {
        if inbox(&app)
            .await
            .iter()
            .any(|e| e["ext_message_id"] == mid.as_str())
        {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "the mail of the outage is not in 10 s after the server came back"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let f = folder_status(&app, &inbound).await;
    assert_eq!(f["last_error"], Value::Null, "{f}");
}

async fn folder_status(app: &TestApp, folder: &str) -> Value {
    let status = expect(app.get("/api/crm/email/status").await, 200).await;
    status[0]["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["folder"] == folder)
        .unwrap_or_else(|| panic!("no {folder} in {status}"))
        .clone()
}

#[tokio::test]
#[ignore = "needs the mail and WebDAV servers: ./scripts/test.sh starts them"]
async fn a_message_deleted_on_the_server_is_reported_expunged_and_kept() {
    let (mut s, inbound, sent) = folders("gw-expunge").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    let gone = unique("gone") + "@example.test";
    let stays = unique("stays") + "@example.test";
    for mid in [&gone, &stays] {
        s.append(
            &inbound,
            &small("someone@example.org", mid, "Ερώτηση"),
            false,
            None,
        )
        .await
        .unwrap();
    }
    sync(&app, false).await;
    let f = folder_status(&app, &inbound).await;
    assert_eq!(
        (f["on_server"].as_u64(), f["stored"].as_u64()),
        (Some(2), Some(2))
    );

    // another client deletes one (here: its file leaves the Maildir)
    let dir = PathBuf::from(mail_env("MAIL_MAILDIR")).join(format!(".{inbound}"));
    let file = ["cur", "new"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read(p)
                .map(|b| String::from_utf8_lossy(&b).contains(&gone))
                .unwrap_or(false)
        })
        .expect("the message's file");
    std::fs::remove_file(&file).unwrap();
    s.select(&inbound).await.unwrap();
    assert_eq!(s.exists(), Some(1), "the server sees one");

    sync(&app, false).await;
    let f = folder_status(&app, &inbound).await;
    assert_eq!(
        (
            f["on_server"].as_u64(),
            f["stored"].as_u64(),
            f["expunged"].as_u64()
        ),
        (Some(1), Some(2), Some(1)),
        "{f}"
    );
    assert_eq!(inbox(&app).await.len(), 2, "the CRM keeps what it logged");
}
