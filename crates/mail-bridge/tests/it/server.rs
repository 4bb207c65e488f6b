//! Against the real Dovecot and Postfix of `scripts/infra/start-mail.sh`. Each test works in a
//! folder of its own, so they run side by side on one mailbox; the tests that kill the fault
//! instance hold `common::FAULT`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mail_bridge::{
    Error, IdleOutcome, OutgoingAttachment, OutgoingMail, Security, SmtpClient, SyncOptions,
    find_sent_folder, parse, reconcile, sync_folder,
};
use sha2::{Digest, Sha256};

use mail_bridge::testing::generate;

use crate::common::*;

const SERVERS: &str = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\"";

fn greek_mail(folder: &str) -> OutgoingMail {
    OutgoingMail {
        from: "Γραφείο BellSystems <crm@example.test>".into(),
        to: vec![address_for(folder)],
        cc: vec![],
        bcc: vec![],
        reply_to: None,
        subject: "Προσφορά για το ρολόι του καμπαναριού".into(),
        text: Some("Καλημέρα σας,\nσας στέλνουμε την προσφορά.\n".into()),
        html: Some("<p>Καλημέρα σας,<br>σας στέλνουμε την <b>προσφορά</b>.</p>".into()),
        attachments: vec![],
        in_reply_to: Some("<question-1@customer.example>".into()),
        references: vec!["question-1@customer.example".into()],
        // time is a parameter: a pinned date, not the wall clock
        date: time::macros::datetime!(2024-06-03 10:00:00 +03:00),
        message_id: None,
    }
}

fn opts(chunk: usize) -> SyncOptions {
    SyncOptions {
        chunk_messages: chunk,
        chunk_bytes: 32 << 20,
    }
}

fn sha(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn a_greek_iso_8859_7_mail_with_a_photo_sent_over_smtp_is_fetched_and_parsed() {
    let _ = SERVERS;
    let mut s = connect(&imap_starttls()).await;
    let folder = fresh_folder(&mut s, "photo").await;
    // The corpus message: subject in ISO-8859-7 (RFC 2047 B), a PNG photo, a Greek name.
    let raw = corpus("24-iso8859-7-photo.eml");
    let expected = parse(&raw, None);
    let smtp = SmtpClient::new(&smtp(Security::StartTls)).unwrap();
    let reply = smtp
        .send_raw("photo.customer@example.test", &[address_for(&folder)], &raw)
        .await
        .unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    wait_for_messages(&mut s, &folder, 1, Duration::from_secs(10)).await;

    let sink = MemorySink::default();
    let report = sync_folder(&mut s, &folder, None, &sink, &opts(50), |_| {})
        .await
        .unwrap();
    assert_eq!(report.fetched, 1);
    let stored = sink
        .get("photo-24@example.test")
        .expect("stored by Message-ID");
    assert_eq!(
        stored.subject.as_deref(),
        Some("Φωτογραφία από το καμπαναριό")
    );
    assert!(stored.raw_len > raw.len(), "Postfix adds Received headers");

    // Fetch it again to look at the parsed message in full.
    s.select(&folder).await.unwrap();
    let mut stream = s.fetch(&[stored.uid]).await.unwrap();
    let msg = stream.next().await.unwrap().unwrap();
    assert!(stream.next().await.is_none());
    drop(stream);
    let got = parse(msg.raw(), msg.internal_date());
    assert_eq!(got.subject, expected.subject);
    assert_eq!(got.from[0].name.as_deref(), Some("Πελάτης Φωτογραφίας"));
    assert_eq!(got.from[0].address, "Photo.Customer@Example.test");
    assert_eq!(got.from[0].normalized, "photo.customer@example.test");
    assert!(got.text.unwrap().contains("Σας στέλνω φωτογραφία"));
    assert_eq!(got.attachments.len(), 1);
    let photo = &got.attachments[0];
    assert_eq!(photo.filename, "καμπαναριό.png");
    assert_eq!(photo.content_type, "image/png");
    assert_eq!(sha(&photo.data), sha(&expected.attachments[0].data));
    assert!(photo.data.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(msg.internal_date().is_some());
    assert!(got.flags.is_empty(), "{:?}", got.flags);
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn a_mail_sent_by_the_client_arrives_and_its_copy_in_sent_is_the_same_message() {
    let mut s = connect(&imap_tls()).await;
    let inbox = fresh_folder(&mut s, "in").await;
    let sent_folder = fresh_folder(&mut s, "sent").await;
    let photo = Bytes::from(generate::Rng::new(5).bytes(300_000));
    let mut mail = greek_mail(&inbox);
    mail.attachments.push(OutgoingAttachment {
        filename: "Φωτογραφία εγκατάστασης.jpg".into(),
        content_type: "image/jpeg".into(),
        data: photo.clone(),
        content_id: None,
    });
    // implicit TLS and a login this time
    let smtp = SmtpClient::new(&smtp_with_login(Security::Tls)).unwrap();
    let sent = smtp.send(&mail).await.unwrap();
    assert!(
        sent.server_reply.starts_with("250"),
        "{}",
        sent.server_reply
    );
    assert!(sent.message_id.ends_with("@example.test"));

    // what the gateway does next: APPEND the very bytes to Sent, marked read
    let appended = s
        .append(&sent_folder, &sent.raw, true, Some(mail.date))
        .await
        .unwrap();
    assert_eq!(appended, Some(1), "APPENDUID of the first message");
    wait_for_messages(&mut s, &inbox, 1, Duration::from_secs(10)).await;

    let sink = MemorySink::default();
    for folder in [&inbox, &sent_folder] {
        let r = sync_folder(&mut s, folder, None, &sink, &opts(50), |_| {})
            .await
            .unwrap();
        assert_eq!(r.fetched, 1, "{folder}");
    }
    // two copies on the server, one message for the CRM
    assert_eq!(sink.calls(), 2);
    assert_eq!(sink.count(), 1);
    let stored = sink.get(&sent.message_id).unwrap();
    assert_eq!(
        stored.subject.as_deref(),
        Some("Προσφορά για το ρολόι του καμπαναριού")
    );
    assert_eq!(stored.stores, 2);

    // the Sent copy is byte for byte what was sent, and marked \Seen
    s.select(&sent_folder).await.unwrap();
    let mut stream = s.fetch(&[1]).await.unwrap();
    let copy = stream.next().await.unwrap().unwrap();
    assert_eq!(copy.raw(), &sent.raw[..]);
    assert!(copy.seen(), "appended with \\Seen");
    assert!(stream.next().await.is_none());
    drop(stream);
    let parsed = parse(copy.raw(), None);
    assert_eq!(parsed.in_reply_to, ["question-1@customer.example"]);
    assert_eq!(
        parsed.attachments[0].filename,
        "Φωτογραφία εγκατάστασης.jpg"
    );
    assert_eq!(parsed.attachments[0].data, photo);
    assert!(parsed.html.unwrap().contains("<b>προσφορά</b>"));

    // the account's real Sent folder is found by its \Sent role
    let folders = s.list_folders().await.unwrap();
    assert_eq!(find_sent_folder(&folders).unwrap().name, "Sent");
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn syncing_twice_stores_nothing_twice_and_an_incremental_sync_is_fast() {
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "twice").await;
    for i in 0..5 {
        s.append(&folder, &generate::small("twice", i), false, None)
            .await
            .unwrap();
    }
    let sink = MemorySink::default();
    let first = sync_folder(&mut s, &folder, None, &sink, &opts(2), |_| {})
        .await
        .unwrap();
    assert_eq!(first.fetched, 5);
    assert_eq!(first.state.last_uid, 5);
    assert_eq!(sink.count(), 5);
    // chunks of two: checkpoints after UIDs 2, 4 and 5
    let cps: Vec<u32> = sink
        .state
        .lock()
        .unwrap()
        .checkpoints
        .iter()
        .map(|(_, c)| c.last_uid)
        .collect();
    assert_eq!(cps, [2, 4, 5]);

    let again = sync_folder(&mut s, &folder, Some(first.state), &sink, &opts(2), |_| {})
        .await
        .unwrap();
    assert_eq!(again.fetched, 0);
    assert_eq!(sink.calls(), 5, "nothing fetched twice");

    s.append(&folder, &generate::small("twice", 5), false, None)
        .await
        .unwrap();
    let t = Instant::now();
    let third = sync_folder(&mut s, &folder, Some(again.state), &sink, &opts(2), |_| {})
        .await
        .unwrap();
    let took = t.elapsed();
    assert_eq!(third.fetched, 1);
    assert_eq!(third.state.last_uid, 6);
    assert_eq!(sink.count(), 6);
    assert!(
        sink.state
            .lock()
            .unwrap()
            .by_id
            .values()
            .all(|m| m.stores == 1)
    );
    assert!(
        took < Duration::from_secs(1),
        "incremental sync took {took:?}"
    );
    eprintln!("incremental sync of one new message: {took:?}");
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn a_changed_uidvalidity_resyncs_the_folder_without_duplicates() {
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "uidv").await;
    for i in 0..3 {
        s.append(&folder, &generate::small("uidv", i), false, None)
            .await
            .unwrap();
    }
    let sink = MemorySink::default();
    let first = sync_folder(&mut s, &folder, None, &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_eq!(first.fetched, 3);

    // The folder is re-created (a server move or restore does the same): new UIDVALIDITY,
    // the same three messages plus a new one.
    s.delete_folder(&folder).await.unwrap();
    s.create_folder(&folder).await.unwrap();
    for i in 0..4 {
        s.append(&folder, &generate::small("uidv", i), false, None)
            .await
            .unwrap();
    }
    let before = sink.calls();
    let second = sync_folder(&mut s, &folder, Some(first.state), &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_ne!(second.uidvalidity, first.uidvalidity);
    assert!(second.resync);
    // listed first (UID, Message-ID): the three it holds are adopted at their new place,
    // only the new one is downloaded
    assert_eq!(sink.state.lock().unwrap().offered, 4);
    assert_eq!((second.adopted, second.fetched), (3, 1));
    assert_eq!(sink.calls() - before, 1);
    assert_eq!(sink.count(), 4, "de-duplicated by Message-ID");
    assert_eq!(second.on_server, 4);
    let listed = s.list_messages().await.unwrap();
    for m in &listed {
        let held = sink.get(m.message_id.as_deref().unwrap()).unwrap();
        assert_eq!(held.uid, m.uid, "every message at its new UID");
        assert!(m.size > 0);
    }
    let top = listed.last().unwrap().uid;
    assert_eq!(sink.last_checkpoint().unwrap(), second.state);
    assert_eq!(second.state.uidvalidity, second.uidvalidity);
    assert_eq!(second.state.last_uid, top, "everything is held");

    // again, with nothing new: nothing is fetched
    s.delete_folder(&folder).await.unwrap();
    s.create_folder(&folder).await.unwrap();
    for i in 0..4 {
        s.append(&folder, &generate::small("uidv", i), false, None)
            .await
            .unwrap();
    }
    let third = sync_folder(
        &mut s,
        &folder,
        Some(second.state),
        &sink,
        &opts(10),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((third.adopted, third.fetched), (4, 0));

    // a sink that adopts nothing (the default) gets the whole folder again
    s.delete_folder(&folder).await.unwrap();
    s.create_folder(&folder).await.unwrap();
    for i in 0..4 {
        s.append(&folder, &generate::small("uidv", i), false, None)
            .await
            .unwrap();
    }
    let plain = NoAdopt(&sink);
    let fourth = sync_folder(
        &mut s,
        &folder,
        Some(third.state),
        &plain,
        &opts(10),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((fourth.adopted, fourth.fetched), (0, 4));
    assert_eq!(sink.count(), 4);
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn on_server_counts_mail_that_arrived_during_the_sync() {
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "arrive").await;
    for i in 0..3 {
        s.append(&folder, &generate::small("arrive", i), false, None)
            .await
            .unwrap();
    }
    // while the first message is stored, a fourth arrives (appended by another client)
    let delivered = AtomicBool::new(false);
    let target = folder.clone();
    let sink = MemorySink {
        hook: Some(Box::new(move |_| {
            if delivered.swap(true, Ordering::SeqCst) {
                return;
            }
            let target = target.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let mut other = connect(&imap_plain()).await;
                    other
                        .append(&target, &generate::small("arrive", 3), false, None)
                        .await
                        .unwrap();
                });
            })
            .join()
            .unwrap();
        })),
        ..MemorySink::default()
    };
    let report = sync_folder(&mut s, &folder, None, &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_eq!(report.fetched, 3, "it listed three");
    assert_eq!(
        report.on_server, 4,
        "the count at the end, not at the start"
    );
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn a_frozen_server_times_out_soon_and_a_slow_one_does_not() {
    use mail_bridge::testing::relay::Relay;
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "slow").await;
    // one message of ~600 KB
    s.append(&folder, &generate::sized("slow", 0, 600_000), false, None)
        .await
        .unwrap();
    let target = format!("127.0.0.1:{}", env("MAIL_IMAP_PORT"))
        .parse()
        .unwrap();
    let relay = Relay::start(target).await;
    let mut config = imap_plain();
    config.port = relay.port();
    config.command_timeout = Duration::from_secs(2);
    config.keepalive = Duration::from_secs(1);

    // ~200 KB/s: three seconds for the message, longer than the timeout, never silent
    let mut slow = connect(&config).await;
    relay.throttle(200_000);
    let sink = MemorySink::default();
    let started = Instant::now();
    let report = sync_folder(&mut slow, &folder, None, &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_eq!(report.fetched, 1);
    assert!(started.elapsed() > Duration::from_secs(2), "it was slow");
    relay.throttle(0);

    // frozen mid-command: an error after about the timeout, not a minute
    relay.freeze();
    let started = Instant::now();
    let e = slow.select(&folder).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!slow.is_open());

    // frozen while waiting for mail: IDLE is renewed every keepalive, so the wait fails
    // soon too
    relay.up();
    let mut idle = connect(&config).await;
    idle.select(&folder).await.unwrap();
    relay.freeze();
    let started = Instant::now();
    let waited = idle.idle_wait(Duration::from_secs(60)).await;
    assert!(waited.is_err(), "{waited:?}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn a_15_mb_attachment_goes_through_smtp_and_imap_intact() {
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "big").await;
    let data = Bytes::from(generate::Rng::new(15).bytes(15 << 20));
    let mut mail = greek_mail(&folder);
    mail.attachments.push(OutgoingAttachment {
        filename: "Σχέδια καμπαναριού.pdf".into(),
        content_type: "application/pdf".into(),
        data: data.clone(),
        content_id: None,
    });
    let smtp = SmtpClient::new(&smtp(Security::StartTls)).unwrap();
    let sent = smtp.send(&mail).await.unwrap();
    assert!(sent.raw.len() > 20 << 20, "base64 makes it ~20 MB");
    wait_for_messages(&mut s, &folder, 1, Duration::from_secs(30)).await;

    s.select(&folder).await.unwrap();
    let list = s.uids_after(0).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].1 > 20 << 20, "RFC822.SIZE {}", list[0].1);
    let mut stream = s.fetch(&[list[0].0]).await.unwrap();
    let msg = stream.next().await.unwrap().unwrap();
    let parsed = parse(msg.raw(), None);
    assert!(stream.next().await.is_none());
    drop(stream);
    assert_eq!(parsed.message_id.as_deref(), Some(sent.message_id.as_str()));
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(parsed.attachments[0].size, 15 << 20);
    assert_eq!(sha(&parsed.attachments[0].data), sha(&data));

    // and through the sync engine (a chunk of its own: larger than the byte budget)
    let sink = MemorySink::default();
    let small = SyncOptions {
        chunk_messages: 10,
        chunk_bytes: 1 << 20,
    };
    let r = sync_folder(&mut s, &folder, None, &sink, &small, |_| {})
        .await
        .unwrap();
    assert_eq!(r.fetched, 1);
    assert!(r.bytes > 20 << 20);
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn killing_the_server_mid_sync_loses_nothing_and_stores_nothing_twice() {
    let _fault = FAULT.lock().await;
    let _restart = RestartFaultOnDrop;
    let config = imap_fault();
    let mut s = connect(&config).await;
    let folder = fresh_folder(&mut s, "kill").await;
    const N: u64 = 150;
    const CHUNK: usize = 50;
    for i in 0..N {
        // ~400 KB each: a chunk (20 MB) is more than the socket buffers hold, so the kill
        // lands while the server is still sending it
        s.append(&folder, &generate::sized("kill", i, 300_000), false, None)
            .await
            .unwrap();
    }
    // The sink kills the server once, early in the 2nd chunk.
    let killed = Arc::new(AtomicBool::new(false));
    let k = killed.clone();
    let sink = MemorySink {
        hook: Some(Box::new(move |n| {
            if n == CHUNK + 2 && !k.swap(true, Ordering::SeqCst) {
                kill_fault_server();
            }
        })),
        ..MemorySink::default()
    };
    let first = sync_folder(&mut s, &folder, None, &sink, &opts(CHUNK), |_| {}).await;
    assert!(killed.load(Ordering::SeqCst));
    let err = first.expect_err("the server died mid-sync");
    assert!(err.is_transient(), "{err}");
    assert!(!s.is_open());
    // The checkpoint stands at the end of the last chunk that came whole (the one being
    // streamed at the kill may still have arrived complete from the socket buffers).
    let cp = sink.last_checkpoint().expect("checkpoints before the kill");
    assert_eq!(cp.last_uid % CHUNK as u32, 0, "{cp:?}");
    assert!(
        cp.last_uid >= CHUNK as u32 && cp.last_uid < N as u32,
        "{cp:?}"
    );

    restart_fault_server();
    eprintln!(
        "killed: {} stored, last checkpoint {cp:?}, error: {err}",
        sink.count()
    );
    let mut s = connect(&config).await;
    let second = sync_folder(&mut s, &folder, Some(cp), &sink, &opts(CHUNK), |_| {})
        .await
        .unwrap();
    assert_eq!(second.state.last_uid, N as u32);
    assert_eq!(
        second.fetched,
        N - u64::from(cp.last_uid),
        "resumed at the checkpoint"
    );

    let want: std::collections::HashSet<String> =
        (0..N).map(|i| format!("kill-{i}@example.test")).collect();
    assert_eq!(sink.ids(), want, "every message, nothing lost");
    // Only what arrived after the last checkpoint came twice, and the sink kept one copy.
    let st = sink.state.lock().unwrap();
    let twice = st.by_id.values().filter(|m| m.stores > 1).count();
    assert!(twice <= CHUNK, "{twice} stored twice");
    assert!(st.by_id.values().all(|m| m.stores <= 2));
    // UID order, each time
    let uids: Vec<u32> = st.calls.iter().map(|(_, u)| *u).collect();
    let (before, after) = uids.split_at(uids.len() - second.fetched as usize);
    assert!(before.windows(2).all(|w| w[0] < w[1]));
    assert!(after.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn reconciliation_finds_the_message_the_sink_lost_and_repairs_it() {
    let mut s = connect(&imap_plain()).await;
    let folder = fresh_folder(&mut s, "gap").await;
    for i in 0..6 {
        s.append(&folder, &generate::small("gap", i), false, None)
            .await
            .unwrap();
    }
    let sink = MemorySink::default();
    sink.lose
        .lock()
        .unwrap()
        .insert("gap-3@example.test".to_owned());
    let r = sync_folder(&mut s, &folder, None, &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_eq!(r.fetched, 6);
    assert_eq!(sink.count(), 5, "one message silently lost");

    let mut progress = Vec::new();
    let report = reconcile(
        &mut s,
        &folder,
        |e| sink.contains(e.message_id),
        &sink,
        &opts(10),
        |p| progress.push((p.done, p.total)),
    )
    .await
    .unwrap();
    assert_eq!(report.on_server, 6);
    assert_eq!(report.missing, [4], "UID 4 holds gap-3");
    assert_eq!(report.repaired, [4]);
    assert!(report.failed.is_empty());
    assert_eq!(progress, [(1, 1)]);
    assert_eq!(sink.count(), 6);

    let again = reconcile(
        &mut s,
        &folder,
        |e| sink.contains(e.message_id),
        &sink,
        &opts(10),
        |_| {},
    )
    .await
    .unwrap();
    assert!(again.missing.is_empty());
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn idle_wakes_up_on_new_mail_and_times_out_when_quiet() {
    let mut s = connect(&imap_plain()).await;
    assert!(s.supports_idle());
    let folder = fresh_folder(&mut s, "idle").await;
    s.select(&folder).await.unwrap();
    let t = Instant::now();
    assert_eq!(
        s.idle_wait(Duration::from_millis(600)).await.unwrap(),
        IdleOutcome::TimedOut
    );
    assert!(t.elapsed() >= Duration::from_millis(500));
    assert!(s.is_open());

    let f = folder.clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut w = connect(&imap_plain()).await;
        w.append(&f, &generate::small("idle", 1), false, None)
            .await
            .unwrap();
    });
    let t = Instant::now();
    let outcome = s.idle_wait(Duration::from_secs(20)).await.unwrap();
    writer.await.unwrap();
    assert_eq!(outcome, IdleOutcome::Changed);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // the session is usable after IDLE
    let sink = MemorySink::default();
    let r = sync_folder(&mut s, &folder, None, &sink, &opts(10), |_| {})
        .await
        .unwrap();
    assert_eq!(r.fetched, 1);
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn without_idle_the_session_polls() {
    let _fault = FAULT.lock().await;
    restart_fault_server();
    let mut config = imap_fault();
    config.poll_interval = Duration::from_millis(200);
    let mut s = connect(&config).await;
    assert!(!s.supports_idle(), "the fault instance hides IDLE");
    let folder = fresh_folder(&mut s, "poll").await;
    s.select(&folder).await.unwrap();
    assert_eq!(
        s.idle_wait(Duration::from_millis(500)).await.unwrap(),
        IdleOutcome::TimedOut
    );
    let f = folder.clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut w = connect(&imap_fault()).await;
        w.append(&f, &generate::small("poll", 1), false, None)
            .await
            .unwrap();
    });
    let t = Instant::now();
    let outcome = s.idle_wait(Duration::from_secs(20)).await.unwrap();
    writer.await.unwrap();
    assert_eq!(outcome, IdleOutcome::Changed);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn tls_starttls_and_loopback_plain_connect_and_bad_trust_or_password_fail_clearly() {
    for config in [imap_plain(), imap_starttls(), imap_tls()] {
        let mut s = connect(&config).await;
        let folders = s.list_folders().await.unwrap();
        assert!(folders.iter().any(|f| f.name == "INBOX"), "{config:?}");
        s.logout().await.unwrap();
    }
    // a certificate nobody vouches for
    let mut untrusted = imap_tls();
    untrusted.ca_pem = None;
    match mail_bridge::ImapSession::connect(&untrusted).await {
        Err(Error::Tls { reason, .. }) => assert!(reason.contains("certificate"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // a name the certificate does not carry
    let mut wrong_name = imap_tls();
    wrong_name.host = "127.0.0.2".into();
    assert!(matches!(
        mail_bridge::ImapSession::connect(&wrong_name).await,
        Err(Error::Tls { .. } | Error::Connect { .. })
    ));
    let mut bad = imap_plain();
    bad.password = "wrong".into();
    match mail_bridge::ImapSession::connect(&bad).await {
        Err(Error::Auth(msg)) => assert!(msg.to_lowercase().contains("auth"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let mut s = connect(&imap_plain()).await;
    match s.select("No such folder anywhere").await {
        Err(Error::NoSuchFolder { folder, .. }) => assert_eq!(folder, "No such folder anywhere"),
        other => panic!("{other:?}"),
    }
    match s
        .append(
            "No such folder anywhere",
            b"Subject: x\r\n\r\nx\r\n",
            true,
            None,
        )
        .await
    {
        Err(Error::NoSuchFolder { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(s.is_open(), "a NO answer keeps the session");
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn greek_folder_names_travel_as_modified_utf7() {
    let mut s = connect(&imap_plain()).await;
    let folder = format!("Απεσταλμένα {}", unique("gr"));
    s.create_folder(&folder).await.unwrap();
    s.append(&folder, &generate::small("greekfolder", 1), true, None)
        .await
        .unwrap();
    let folders = s.list_folders().await.unwrap();
    assert!(folders.iter().any(|f| f.name == folder), "{folders:?}");
    let st = s.select(&folder).await.unwrap();
    assert_eq!(st.exists, 1);
    let ids = s.uids_with_message_ids().await.unwrap();
    assert_eq!(ids, [(1, Some("greekfolder-1@example.test".to_owned()))]);
}

#[tokio::test]
#[ignore = "needs the mail servers: eval \"$(scripts/infra/start-mail.sh)\""]
async fn smtp_refusals_carry_the_server_code_and_words() {
    let smtp = SmtpClient::new(&smtp(Security::StartTls)).unwrap();
    let mut mail = greek_mail("x");
    mail.to = vec!["nobody@example.test".into()];
    match smtp.send(&mail).await {
        Err(Error::SmtpRejected {
            code,
            message,
            transient,
        }) => {
            assert_eq!(code, 550);
            assert!(message.contains("User unknown"), "{message}");
            assert!(!transient);
        }
        other => panic!("{other:?}"),
    }
    // a wrong password
    let mut cfg = smtp_with_login(Security::StartTls);
    cfg.password = Some("wrong".into());
    let e = SmtpClient::new(&cfg).unwrap().test_connection().await;
    assert!(
        matches!(e, Err(Error::SmtpRejected { code: 535, .. })),
        "{e:?}"
    );
    SmtpClient::new(&smtp_with_login(Security::StartTls))
        .unwrap()
        .test_connection()
        .await
        .unwrap();
}
