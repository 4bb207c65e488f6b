use std::collections::HashSet;
use time::Duration;

use crm_core::testing::insert_row;
use crm_core::{Db, FixedClock, Timestamp};

use super::*;
use crate::model::{Attachment, CommsType, Direction, MediaDirection, SearchPage};
use crate::store::sqlite::SqliteCommsStore;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    clock: FixedClock,
    comms: Arc<Service<SqliteCommsStore>>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(ts("2026-11-28T10:00:00Z"));
    let comms = Arc::new(Service::new(
        SqliteCommsStore::new(db.clone()),
        Arc::new(clock.clone()),
    ));
    Fixture {
        _dir: dir,
        db,
        clock,
        comms,
    }
}

impl Fixture {
    async fn row(&self, table: &'static str, name: &str) -> Uuid {
        let id = Uuid::new_v4();
        let name = name.to_owned();
        self.db
            .write(move |c| insert_row(c, table, id, &name).map_err(Error::from))
            .await
            .unwrap();
        id
    }

    async fn customer(&self) -> Uuid {
        self.row("customers", "Ενορία Αγίου Νικολάου").await
    }

    async fn scalar(&self, sql: &str) -> i64 {
        let sql = sql.to_owned();
        self.db
            .read(move |c| c.query_row(&sql, [], |r| r.get(0)).map_err(Error::from))
            .await
            .unwrap()
    }

    async fn ingest(&self, new: NewEntry) -> Entry {
        self.comms.ingest(new).await.unwrap().entry
    }
}

fn entry(customer: Uuid, kind: CommsType, direction: Direction) -> NewEntry {
    NewEntry::new(kind, direction, Some(customer))
}

fn from_sender(sender: &str, kind: CommsType) -> NewEntry {
    let mut n = NewEntry::new(kind, Direction::Inbound, None);
    n.sender = Some(sender.to_owned());
    n
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn an_external_id_is_stored_once_per_type() {
    let f = fixture();
    let c = f.customer().await;
    let mut n = entry(c, CommsType::Email, Direction::Inbound);
    n.ext_message_id = Some("<abc@example.gr>".into());
    n.subject = Some("Πρώτο".into());
    let first = f.comms.ingest(n.clone()).await.unwrap();
    assert!(first.created);
    n.subject = Some("Second try".into());
    let again = f.comms.ingest(n.clone()).await.unwrap();
    assert!(!again.created);
    assert_eq!(
        again.entry, first.entry,
        "the first entry is returned unchanged"
    );
    n.kind = CommsType::Whatsapp;
    assert!(
        f.comms.ingest(n).await.unwrap().created,
        "another channel, another entry"
    );
    let page = f.comms.list(ListQuery::customer(c)).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items.len(), 2);
}

#[tokio::test]
async fn concurrent_identical_ingests_leave_one_row() {
    let f = fixture();
    let c = f.customer().await;
    let mut n = entry(c, CommsType::Call, Direction::Inbound);
    n.ext_message_id = Some("1732780000.42".into());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let comms = Arc::clone(&f.comms);
            let n = n.clone();
            tokio::spawn(async move { comms.ingest(n).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    let mut ids = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        created += usize::from(r.created);
        ids.insert(r.entry.id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1, "every caller got the same entry");
    assert_eq!(f.scalar("SELECT count(*) FROM comms_entries").await, 1);
    assert_eq!(f.scalar("SELECT count(*) FROM comms_fts").await, 1);
}

#[tokio::test]
async fn a_batch_reports_each_entry_and_stores_the_valid_ones() {
    let f = fixture();
    let c = f.customer().await;
    let stranger = Uuid::new_v4();
    let batch = vec![
        entry(c, CommsType::Sms, Direction::Outbound),
        entry(stranger, CommsType::Sms, Direction::Outbound),
        NewEntry::new(CommsType::Sms, Direction::Outbound, None),
        from_sender("6912345678", CommsType::Sms),
    ];
    let out = f.comms.ingest_batch(batch).await.unwrap();
    assert_eq!(out.len(), 4);
    assert!(out[0].as_ref().unwrap().created);
    assert!(matches!(&out[1], Err(Error::Invalid { field, .. }) if field == "customer_id"));
    assert!(matches!(&out[2], Err(Error::Invalid { field, .. }) if field == "customer_id"));
    assert!(out[3].as_ref().unwrap().created);
    assert_eq!(f.scalar("SELECT count(*) FROM comms_entries").await, 2);
}

#[tokio::test]
async fn lists_are_newest_first_filtered_and_counted() {
    let f = fixture();
    let c = f.customer().await;
    let other = f.customer().await;
    for (i, (kind, dir)) in [
        (CommsType::Email, Direction::Inbound),
        (CommsType::Email, Direction::Outbound),
        (CommsType::Call, Direction::Inbound),
        (CommsType::Note, Direction::Internal),
        (CommsType::Call, Direction::Outbound),
    ]
    .into_iter()
    .enumerate()
    {
        let mut n = entry(c, kind, dir);
        n.occurred_at = Some(ts(&format!("2026-11-0{}T09:00:00Z", i + 1)));
        f.ingest(n).await;
    }
    f.ingest(entry(other, CommsType::Email, Direction::Inbound))
        .await;

    let all = f.comms.list(ListQuery::customer(c)).await.unwrap();
    assert_eq!(all.total, 5);
    let days: Vec<String> = all
        .items
        .iter()
        .map(|e| e.occurred_at.to_string()[..10].to_owned())
        .collect();
    assert_eq!(
        days,
        [
            "2026-11-05",
            "2026-11-04",
            "2026-11-03",
            "2026-11-02",
            "2026-11-01"
        ]
    );
    assert_eq!(all.next, None);

    let mut q = ListQuery::customer(c);
    q.kind = Some(CommsType::Call);
    let calls = f.comms.list(q.clone()).await.unwrap();
    assert_eq!(calls.total, 2);
    assert!(calls.items.iter().all(|e| e.kind == CommsType::Call));
    q.direction = Some(Direction::Inbound);
    let inbound_calls = f.comms.list(q).await.unwrap();
    assert_eq!(inbound_calls.total, 1);
    assert_eq!(
        inbound_calls.items[0].occurred_at,
        ts("2026-11-03T09:00:00Z")
    );

    let mut q = ListQuery::customer(c);
    q.direction = Some(Direction::Outbound);
    assert_eq!(f.comms.list(q).await.unwrap().total, 2);

    let mut q = ListQuery::customer(c);
    q.kind = Some(CommsType::Sms);
    let none = f.comms.list(q).await.unwrap();
    assert_eq!((none.total, none.items.len(), none.next), (0, 0, None));
}

#[tokio::test]
async fn a_json_page_is_the_page_of_entries_as_json() {
    let f = fixture();
    let c = f.customer().await;
    let texts = [
        "Καλημέρα σας, η καμπάνα δεν χτυπά 🔔",
        "quotes \" and \\ backslashes\nand a line\tbreak \u{2028}",
        "",
    ];
    for (i, text) in texts.iter().enumerate() {
        let mut n = entry(c, CommsType::Email, Direction::Inbound);
        n.subject = Some(format!("Θέμα {i}: \"εισαγωγικά\" \\ 🔔"));
        n.body = (!text.is_empty()).then(|| (*text).to_owned());
        n.sender = Some(format!("p{i}@example.gr"));
        n.ext_message_id = Some(format!("<{i}@example.gr>"));
        n.logged_by = Some("maria".to_owned());
        n.attachments = vec![Attachment {
            filename: format!("φωτογραφία {i}.jpg"),
            nextcloud_path: None,
            mime_type: Some("image/jpeg".to_owned()),
            size: Some(1_234_567),
            source: None,
        }];
        n.meta = Some(serde_json::json!({
            "thread": format!("<{i}@example.gr>"),
            "to": ["a@example.gr", "β@example.gr"],
            "score": 0.1 + f64::from(u32::try_from(i).unwrap()),
            "nested": {"missed": i == 1, "none": null},
        }));
        n.occurred_at = Some(ts(&format!("2026-11-0{}T09:00:00.123456Z", i + 1)));
        f.ingest(n).await;
    }
    for _ in 0..2 {
        f.ingest(entry(c, CommsType::Note, Direction::Internal))
            .await;
    }
    // every page of every walk renders the same entries, byte for byte, and pages alike
    for kind in [None, Some(CommsType::Email), Some(CommsType::Sms)] {
        let mut q = ListQuery::customer(c);
        q.kind = kind;
        q.limit = Some(2);
        loop {
            let page = f.comms.list(q.clone()).await.unwrap();
            let json = f.comms.list_json(q.clone()).await.unwrap();
            assert_eq!(
                String::from_utf8(json.json).unwrap(),
                serde_json::to_string(&page.items).unwrap()
            );
            assert_eq!((json.total, json.next), (page.total, page.next));
            match page.next {
                Some(next) => q.before = Some(next),
                None => break,
            }
        }
    }
}

#[tokio::test]
async fn pages_with_equal_timestamps_neither_repeat_nor_skip() {
    let f = fixture();
    let c = f.customer().await;
    let mut expected = Vec::new();
    for i in 0..53 {
        let mut n = entry(c, CommsType::Whatsapp, Direction::Inbound);
        // runs of equal timestamps, across page boundaries
        n.occurred_at = Some(ts(&format!("2026-11-01T10:00:{:02}Z", i / 10)));
        expected.push(f.ingest(n).await);
    }
    expected.sort_by_key(|e| std::cmp::Reverse((e.occurred_at, e.id)));
    let mut seen = Vec::new();
    let mut q = ListQuery::customer(c);
    q.limit = Some(7);
    loop {
        let page = f.comms.list(q.clone()).await.unwrap();
        assert_eq!(page.total, 53);
        seen.extend(page.items.iter().map(|e| e.id));
        match page.next {
            Some(next) => q.before = Some(next),
            None => break,
        }
    }
    let expected: Vec<Uuid> = expected.iter().map(|e| e.id).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn list_queries_walk_an_index_without_sorting() {
    let f = fixture();
    let plans = f
        .db
        .read(|c| {
            let mut out = Vec::new();
            for sql in [
                "SELECT id FROM comms_entries WHERE customer_id = 'x' AND (occurred_at, id) < ('a', 'b') ORDER BY occurred_at DESC, id DESC LIMIT 10",
                "SELECT id FROM comms_entries WHERE customer_id = 'x' AND type = 'call' ORDER BY occurred_at DESC, id DESC LIMIT 10",
                "SELECT id FROM comms_entries WHERE customer_id = 'x' AND direction = 'inbound' ORDER BY occurred_at DESC, id DESC LIMIT 10",
                "SELECT id FROM comms_entries WHERE customer_id = 'x' AND type = 'call' AND direction = 'inbound' ORDER BY occurred_at DESC, id DESC LIMIT 10",
                "SELECT id FROM comms_entries WHERE customer_id IS NULL ORDER BY occurred_at DESC, id DESC LIMIT 10",
                "SELECT id FROM media_records WHERE customer_id = 'x' ORDER BY created_at DESC, id DESC LIMIT 10",
                "SELECT id FROM comms_entries e WHERE e.type = 'email' AND json_extract(e.meta, '$.thread') = 'x' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 10",
                "SELECT id FROM comms_entries e WHERE e.type = 'call' AND json_extract(e.meta, '$.missed') = 1 AND (e.occurred_at, e.id) < ('a', 'b') ORDER BY e.occurred_at DESC, e.id DESC LIMIT 10",
            ] {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let detail: Vec<String> = stmt
                    .query_map([], |r| r.get::<_, String>(3))?
                    .collect::<rusqlite::Result<_>>()?;
                out.push((sql, detail.join("; ")));
            }
            Ok::<_, Error>(out)
        })
        .await
        .unwrap();
    for (sql, plan) in plans {
        assert!(
            plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
            "{sql}: {plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
        // type and direction filters skip inside the one customer index, reading no row
        if sql.contains("customer_id = 'x'") && sql.contains("comms_entries") {
            assert!(
                plan.contains("COVERING INDEX comms_entries_customer "),
                "{sql}: {plan}"
            );
        }
    }
}

#[tokio::test]
async fn storing_an_entry_builds_no_temporary_btree_and_the_checks_still_hold() {
    let f = fixture();
    let (opcodes, refused) =
        f.db.write(|c| {
            // the columns the CHECKs look at; `IN (…)` would open an ephemeral b-tree per row
            let insert = "INSERT INTO comms_entries (id, sender, type, direction, occurred_at,
                 created_at, updated_at) VALUES (?1, 's', ?2, ?3, 'a', 'a', 'a')";
            let mut stmt = c.prepare(&format!("EXPLAIN {insert}"))?;
            let opcodes: Vec<String> = stmt
                .query_map(["x", "call", "inbound"], |r| r.get::<_, String>(1))?
                .collect::<rusqlite::Result<_>>()?;
            let mut refused = Vec::new();
            for (kind, direction) in [("fax", "inbound"), ("call", "sideways")] {
                let r = c.execute(insert, ["y", kind, direction]);
                refused.push(crm_core::is_constraint_violation(
                    r.as_ref().unwrap_err(),
                    "CHECK",
                ));
            }
            c.execute(insert, ["z", "in_person", "internal"])?;
            Ok::<_, Error>((opcodes, refused))
        })
        .await
        .unwrap();
    assert!(opcodes.iter().any(|o| o == "Insert"), "{opcodes:?}");
    assert!(!opcodes.iter().any(|o| o == "OpenEphemeral"), "{opcodes:?}");
    assert_eq!(refused, [true, true]);
}

#[tokio::test]
async fn inbox_entries_of_one_sender_move_together() {
    let f = fixture();
    let c = f.customer().await;
    let a = f
        .ingest(from_sender("6912345678", CommsType::Whatsapp))
        .await;
    f.clock.advance(Duration::seconds(60));
    let b = f
        .ingest(from_sender("+30 691 234 5678", CommsType::Call))
        .await;
    f.clock.advance(Duration::seconds(60));
    let other = f
        .ingest(from_sender("papas@example.gr", CommsType::Email))
        .await;
    f.clock.advance(Duration::seconds(60));
    let c2 = f
        .ingest(from_sender("00306912345678", CommsType::Sms))
        .await;

    let inbox = f.comms.inbox(None, None).await.unwrap();
    assert_eq!(inbox.total, 4);
    assert_eq!(inbox.items[0].id, c2.id, "newest first");

    let done = f.comms.assign(b.id, c, true).await.unwrap();
    assert_eq!(done.moved[0], b.id, "the entry asked for comes first");
    let moved: HashSet<Uuid> = done.moved.iter().copied().collect();
    assert_eq!(moved, HashSet::from([a.id, b.id, c2.id]));
    assert_eq!(done.sender.as_deref(), Some("+30 691 234 5678"));

    let inbox = f.comms.inbox(None, None).await.unwrap();
    assert_eq!(inbox.total, 1);
    assert_eq!(inbox.items[0].id, other.id);
    let theirs = f.comms.list(ListQuery::customer(c)).await.unwrap();
    assert_eq!(theirs.total, 3);
    assert!(
        theirs
            .items
            .iter()
            .all(|e| e.customer_id == Some(c) && e.version == 2)
    );

    let again = f.comms.assign(a.id, c, false).await;
    assert!(matches!(again, Err(Error::Conflict { .. })), "{again:?}");
    let nobody = f.comms.assign(other.id, Uuid::new_v4(), false).await;
    assert_eq!(invalid_field(nobody), "customer_id");
    let single = f.comms.assign(other.id, c, false).await.unwrap();
    assert_eq!(single.moved, vec![other.id]);
    assert_eq!(f.comms.inbox(None, None).await.unwrap().total, 0);
}

#[tokio::test]
async fn the_inbox_from_a_prospects_contacts_is_theirs_only() {
    let f = fixture();
    let c = f.customer().await;
    let call = f.ingest(from_sender("6912345678", CommsType::Call)).await;
    f.clock.advance(Duration::seconds(60));
    let mail = f
        .ingest(from_sender("Papas@Example.GR", CommsType::Email))
        .await;
    f.clock.advance(Duration::seconds(60));
    f.ingest(from_sender("6999999999", CommsType::Sms)).await;
    let assigned = f
        .ingest(from_sender("+30 691 234 5678", CommsType::Whatsapp))
        .await;
    f.comms.assign(assigned.id, c, false).await.unwrap();

    let keys = vec!["+306912345678".to_owned(), "papas@example.gr".to_owned()];
    let theirs = f.comms.inbox_from(keys.clone(), None).await.unwrap();
    let ids: Vec<Uuid> = theirs.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        vec![mail.id, call.id],
        "newest first, the assigned one left out"
    );
    assert_eq!(f.comms.inbox_from(keys, Some(1)).await.unwrap().len(), 1);
    assert!(
        f.comms
            .inbox_from(Vec::new(), None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn search_folds_greek_and_follows_edits_assignment_and_deletion() {
    let f = fixture();
    let c = f.customer().await;
    let d = f.customer().await;
    let mut n = entry(c, CommsType::Email, Direction::Inbound);
    n.subject = Some("Η ΚΑΜΠΆΝΑ του ναού".into());
    n.body = Some("Ο μηχανισμός σταμάτησε χθες.".into());
    let bell = f.ingest(n).await;
    let mut n = entry(d, CommsType::Call, Direction::Outbound);
    n.body = Some("Ρύθμιση καμπάνας".into());
    let other = f.ingest(n).await;
    let mut n = from_sender("6912345678", CommsType::Whatsapp);
    n.body = Some("Στείλαμε φωτογραφία της καμπάνας".into());
    let unassigned = f.ingest(n).await;

    let search = |q: &str, customer_id: Option<Uuid>, kind: Option<CommsType>| SearchQuery {
        q: q.to_owned(),
        customer_id,
        kind,
        ..SearchQuery::default()
    };
    let ids = |p: SearchPage| p.items.into_iter().map(|e| e.id).collect::<HashSet<_>>();

    for q in ["καμπανα", "ΚΑΜΠΑΝΑ", "kampana", "kabana", "καμπ"] {
        let hits = f.comms.search(search(q, None, None)).await.unwrap();
        assert_eq!(hits.total, 3, "{q}");
    }
    let hits = f
        .comms
        .search(search("μηχανισμος σταματ", None, None))
        .await
        .unwrap();
    assert_eq!(ids(hits), HashSet::from([bell.id]));
    let hits = f
        .comms
        .search(search("kampana", Some(d), None))
        .await
        .unwrap();
    assert_eq!(ids(hits), HashSet::from([other.id]));
    let hits = f
        .comms
        .search(search("kampana", None, Some(CommsType::Email)))
        .await
        .unwrap();
    assert_eq!(ids(hits), HashSet::from([bell.id]));
    // words of a message never match a filter token
    let hits = f.comms.search(search("temail", None, None)).await.unwrap();
    assert_eq!(hits.total, 0);
    assert_eq!(
        invalid_field(f.comms.search(search(" *:( ", None, None)).await),
        "q"
    );

    f.comms.assign(unassigned.id, c, false).await.unwrap();
    let hits = f
        .comms
        .search(search("φωτογραφια", Some(c), None))
        .await
        .unwrap();
    assert_eq!(ids(hits), HashSet::from([unassigned.id]));

    let patch: EntryPatch = serde_json::from_str(r#"{"subject":"Ρολόι"}"#).unwrap();
    let stale = f.comms.update(bell.id, patch.clone(), Some(7)).await;
    assert!(
        matches!(stale, Err(Error::Stale { current_version: 1 })),
        "{stale:?}"
    );
    let edited = f.comms.update(bell.id, patch, Some(1)).await.unwrap();
    assert_eq!(edited.version, 2);
    assert_eq!(
        f.comms
            .search(search("ρολοι", None, None))
            .await
            .unwrap()
            .total,
        1
    );

    f.comms.delete(other.id, Some(1)).await.unwrap();
    let hits = f.comms.search(search("kampana", None, None)).await.unwrap();
    assert_eq!(ids(hits), HashSet::from([unassigned.id]));
    assert_eq!(
        f.comms.counts_for_customer(d).await.unwrap(),
        Counts::default()
    );
    assert!(matches!(
        f.comms.get(other.id).await,
        Err(Error::NotFound { .. })
    ));
}

/// Issue 17, in the comms log: a nominative finds a genitive and back, in Greek and in
/// Greeklish; prefixes still work; look-alike words and common short words stay out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_other_forms_of_a_word_in_greek_and_greeklish() {
    let f = fixture();
    let c = f.customer().await;
    let texts = [
        (
            "nikolaou",
            "Επίσκεψη στον Ιερό Ναό Αγίου Νικολάου για την καμπάνα",
        ),
        ("nikolaos", "Ο π. Νικόλαος από τον Άγιο Νικόλαο τηλεφώνησε"),
        ("paraskevis", "Προσφορά για την Ενορία Αγίας Παρασκευής"),
        ("paraskevi", "Agia Paraskevi: to roloi stamatise"),
        ("angelos", "Ο Άγγελος Νικολαΐδης θα περάσει να δει το ρολόι"),
        ("ieri", "Ιερά Μονή Αγίων Αναργύρων, δύο καμπάνες"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (tag, body) in texts {
        let mut n = entry(c, CommsType::Note, Direction::Internal);
        n.body = Some(body.into());
        ids.insert(f.ingest(n).await.id, tag);
    }
    let table: &[(&str, &[&str])] = &[
        ("agios nikolaos", &["nikolaou", "nikolaos"]),
        ("Άγιος Νικόλαος", &["nikolaou", "nikolaos"]),
        ("agiou nikolaou", &["nikolaou", "nikolaos"]),
        ("ayios nik", &["nikolaou", "nikolaos"]),
        ("aghiou nikolaou", &["nikolaou", "nikolaos"]),
        ("Παρασκευή", &["paraskevis", "paraskevi"]),
        ("Αγίας Παρασκευής", &["paraskevis", "paraskevi"]),
        ("ieros naos", &["nikolaou"]),
        ("Ιερός", &["nikolaou", "ieri"]),
        (
            "Αγίων",
            &["nikolaou", "nikolaos", "paraskevis", "paraskevi", "ieri"],
        ),
        ("καμπάνα", &["nikolaou", "ieri"]),
        ("nik", &["nikolaou", "nikolaos", "angelos"]),
        // not forms of each other
        ("αγγελος", &["angelos"]),
        ("nikolaos agios angelos", &[]),
        ("ναος", &["nikolaou"]), // not every message with `να`
        ("ρολοι σταματησε", &["paraskevi"]),
    ];
    for (q, expected) in table {
        let hits = f
            .comms
            .search(SearchQuery {
                q: (*q).to_owned(),
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        let mut found: Vec<&str> = hits.items.iter().map(|e| ids[&e.id]).collect();
        found.sort_unstable();
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        assert_eq!(found, expected, "search `{q}`");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_stays_exact_when_edits_and_deletions_of_one_entry_share_a_commit() {
    let f = fixture();
    let c = f.customer().await;
    let mut ids = Vec::new();
    for i in 0..40 {
        let mut n = entry(c, CommsType::Note, Direction::Internal);
        n.body = Some(format!("πρώτο κείμενο {i}"));
        ids.push(f.ingest(n).await.id);
    }
    // an edit and a deletion of the same entry at once, 40 times over: many pairs land in
    // one group commit, where the search rows wait for the commit
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let comms = f.comms.clone();
        tasks.push(tokio::spawn(async move {
            let patch = EntryPatch {
                body: Some(Some(format!("δεύτερο κείμενο {i}"))),
                ..EntryPatch::default()
            };
            let _ = comms.update(id, patch, None).await;
        }));
        if i % 2 == 0 {
            let comms = f.comms.clone();
            tasks.push(tokio::spawn(async move {
                comms.delete(id, None).await.unwrap()
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut n = entry(c, CommsType::Note, Direction::Internal);
    n.body = Some("τρίτο".into());
    let created_and_deleted = f.ingest(n).await.id;
    f.comms.delete(created_and_deleted, None).await.unwrap();

    let find = |q: &str| SearchQuery {
        q: q.to_owned(),
        limit: Some(100),
        ..SearchQuery::default()
    };
    let survivors: HashSet<Uuid> = ids.iter().copied().skip(1).step_by(2).collect();
    let second = f.comms.search(find("δευτερο")).await.unwrap();
    let hits: HashSet<Uuid> = second.items.iter().map(|e| e.id).collect();
    assert_eq!(
        hits, survivors,
        "every surviving entry by its new text, no deleted one"
    );
    assert_eq!(second.total, 20);
    let first = f.comms.search(find("πρωτο")).await.unwrap();
    assert_eq!(
        first.total, 0,
        "no entry by its old text: {:?}",
        first.items
    );
    assert_eq!(f.comms.search(find("τριτο")).await.unwrap().total, 0);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let f = fixture();
    let c = f.customer().await;
    let mut n = entry(c, CommsType::Note, Direction::Internal);
    n.subject = Some("Σημείωση".into());
    let e = f.ingest(n).await;
    let patch: EntryPatch = serde_json::from_str(r#"{"subject":" Σημείωση "}"#).unwrap();
    let same = f.comms.update(e.id, patch, Some(1)).await.unwrap();
    assert_eq!(same, e);
}

#[tokio::test]
async fn media_records_are_listed_counted_and_unique_per_path() {
    let f = fixture();
    let c = f.customer().await;
    let order = Uuid::new_v4();
    f.db.write(move |conn| {
        // the placeholder customer id is fixed before the foreign key is checked
        conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        insert_row(conn, "orders", order, "ORD-2026-001")?;
        conn.execute(
            "UPDATE orders SET customer_id = ?2 WHERE id = ?1",
            [order.to_string(), c.to_string()],
        )
        .map_err(Error::from)
    })
    .await
    .unwrap();
    let new = |path: &str| NewMedia {
        customer_id: Some(c),
        order_id: None,
        filename: None,
        nextcloud_path: path.to_owned(),
        mime_type: Some("image/jpeg".into()),
        size: Some(123_456),
        direction: MediaDirection::Received,
        tags: vec!["καμπαναριό".into(), "καμπαναριό".into()],
        uploaded_by: Some("maria".into()),
    };
    let photo = f
        .comms
        .create_media(new("/Πελάτες/Ναός/Received Media/πύργος 1.jpg"))
        .await
        .unwrap();
    assert_eq!(photo.filename, "πύργος 1.jpg");
    assert_eq!(
        photo.nextcloud_path,
        "Πελάτες/Ναός/Received Media/πύργος 1.jpg"
    );
    assert_eq!(photo.tags, vec!["καμπαναριό"]);
    f.clock.advance(Duration::seconds(1));
    let mut invoice = new("Πελάτες/Ναός/Internal/invoice.pdf");
    invoice.order_id = Some(order);
    invoice.direction = MediaDirection::Internal;
    let invoice = f.comms.create_media(invoice).await.unwrap();

    let dup = f
        .comms
        .create_media(new("Πελάτες/Ναός/Received Media/πύργος 1.jpg"))
        .await;
    assert!(matches!(dup, Err(Error::Conflict { .. })), "{dup:?}");
    let mut bad = new("x.jpg");
    bad.order_id = Some(Uuid::new_v4());
    assert_eq!(invalid_field(f.comms.create_media(bad).await), "order_id");
    assert_eq!(
        invalid_field(f.comms.create_media(new("../etc/passwd")).await),
        "nextcloud_path"
    );

    let by_customer = f
        .comms
        .list_media(MediaQuery {
            customer_id: Some(c),
            ..MediaQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_customer.total, 2);
    assert_eq!(by_customer.items[0].id, invoice.id, "newest first");
    let by_order = f
        .comms
        .list_media(MediaQuery {
            order_id: Some(order),
            ..MediaQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_order.items, vec![invoice.clone()]);
    assert_eq!(
        invalid_field(f.comms.list_media(MediaQuery::default()).await),
        "customer_id"
    );
    let found = f
        .comms
        .media_by_path("/Πελάτες/Ναός/Received Media/πύργος 1.jpg")
        .await
        .unwrap();
    assert_eq!(found, Some(photo.clone()));
    let after_invoice = f
        .comms
        .media_before(c, Some(invoice.position()), 10)
        .await
        .unwrap();
    assert_eq!(after_invoice, vec![photo.clone()]);

    f.ingest(entry(c, CommsType::Call, Direction::Inbound))
        .await;
    assert_eq!(
        f.comms.counts_for_customer(c).await.unwrap(),
        Counts { comms: 1, media: 2 }
    );
    let stale = f.comms.delete_media(photo.id, Some(2)).await;
    assert!(matches!(stale, Err(Error::Stale { .. })), "{stale:?}");
    f.comms.delete_media(photo.id, Some(1)).await.unwrap();
    assert!(matches!(
        f.comms.get_media(photo.id).await,
        Err(Error::NotFound { .. })
    ));
    // deleting the order keeps its media, unlinked
    f.db.write(move |conn| {
        conn.execute("DELETE FROM orders WHERE id = ?1", [order.to_string()])
            .map_err(Error::from)
    })
    .await
    .unwrap();
    assert_eq!(f.comms.get_media(invoice.id).await.unwrap().order_id, None);
}

#[tokio::test]
async fn a_customer_with_comms_cannot_be_deleted() {
    let f = fixture();
    let c = f.customer().await;
    f.ingest(entry(c, CommsType::Note, Direction::Internal))
        .await;
    let r =
        f.db.write(move |conn| {
            Ok::<_, Error>(conn.execute("DELETE FROM customers WHERE id = ?1", [c.to_string()]))
        })
        .await
        .unwrap();
    assert!(r.is_err(), "the foreign key must refuse it");
}

#[tokio::test]
async fn broad_searches_stop_counting_once_the_page_is_found() {
    let f = fixture();
    let c = f.customer().await;
    let n = crate::store::sqlite::RANK_LIMIT + 40;
    let batch: Vec<NewEntry> = (0..n)
        .map(|i| {
            let mut e = entry(c, CommsType::Whatsapp, Direction::Inbound);
            e.body = Some(if i % 100 == 0 {
                format!("καμπάνα και ρολόι {i}")
            } else {
                format!("καμπάνα {i}")
            });
            e
        })
        .collect();
    assert!(
        f.comms
            .ingest_batch(batch)
            .await
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
    let q = |q: &str| SearchQuery {
        q: q.to_owned(),
        limit: Some(10),
        ..SearchQuery::default()
    };
    let broad = f.comms.search(q("καμπανα")).await.unwrap();
    assert!(!broad.total_exact);
    assert!(broad.total > crate::store::sqlite::RANK_LIMIT as u64);
    assert_eq!(broad.items.len(), 10);
    assert_eq!(
        broad.items[0].body.as_deref(),
        Some(format!("καμπάνα {}", n - 1).as_str()),
        "newest stored first"
    );
    let narrow = f.comms.search(q("ρολοι")).await.unwrap();
    assert!(narrow.total_exact);
    assert_eq!(narrow.total, n.div_ceil(100) as u64);
}

mod queues {
    use super::*;
    use crate::model::Attachment;
    use crate::queue::{JobKind, MAX_INBOUND_ATTEMPTS, Queues};

    fn queues(f: &Fixture) -> Queues {
        Queues::new(f.db.clone(), Arc::new(f.clock.clone()))
    }

    #[tokio::test]
    async fn bodies_stay_pending_until_done_and_poison_is_set_aside() {
        let f = fixture();
        let q = queues(&f);
        let a = q.enqueue("whatsapp", b"{\"a\":1}".to_vec()).await.unwrap();
        let b = q.enqueue("whatsapp", b"{\"b\":2}".to_vec()).await.unwrap();
        q.enqueue("other", b"x".to_vec()).await.unwrap();
        let pending = q.pending("whatsapp", 10).await.unwrap();
        assert_eq!(
            pending.iter().map(|p| p.id).collect::<Vec<_>>(),
            [a, b],
            "arrival order"
        );
        assert_eq!(pending[0].body, b"{\"a\":1}");
        q.failed(a, "Graph API down".into()).await.unwrap();
        let again = q.pending("whatsapp", 10).await.unwrap();
        assert_eq!(again[0].attempts, 1, "a failure keeps it pending");
        q.done(a).await.unwrap();
        for _ in 0..MAX_INBOUND_ATTEMPTS {
            q.failed(b, "unparseable".into()).await.unwrap();
        }
        assert!(q.pending("whatsapp", 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_attachment_is_retried_until_stored_or_given_up_on_the_entry() {
        let f = fixture();
        let q = queues(&f);
        let c = f.customer().await;
        let mut n = entry(c, CommsType::Whatsapp, Direction::Inbound);
        n.attachments = vec![
            Attachment {
                filename: "πύργος.jpg".into(),
                nextcloud_path: None,
                mime_type: Some("image/jpeg".into()),
                size: None,
                source: Some("whatsapp:111".into()),
            },
            Attachment {
                filename: "voice.ogg".into(),
                nextcloud_path: None,
                mime_type: None,
                size: None,
                source: Some("whatsapp:222".into()),
            },
        ];
        let e = f.ingest(n).await;
        for _ in 0..2 {
            q.add_attachment_job(e.id, "whatsapp:111".into(), Some("πύργος.jpg".into()), None)
                .await
                .unwrap();
        }
        q.add_attachment_job(e.id, "whatsapp:222".into(), None, None)
            .await
            .unwrap();
        let due = q.due_attachment_jobs(10).await.unwrap();
        assert_eq!(due.len(), 2, "one job per entry and source");
        let (photo, voice) = (due[0].clone(), due[1].clone());

        let later = Timestamp::parse("2026-11-28T10:05:00Z").unwrap();
        q.attachment_failed(photo.clone(), "timeout".into(), Some(later))
            .await
            .unwrap();
        assert_eq!(
            q.due_attachment_jobs(10).await.unwrap().len(),
            1,
            "not due before its time"
        );
        f.clock.set(later);
        let due = q.due_attachment_jobs(10).await.unwrap();
        let photo = due.into_iter().find(|j| j.id == photo.id).unwrap();
        assert_eq!(photo.attempts, 1);
        q.attachment_stored(
            photo,
            Attachment {
                filename: "πύργος.jpg".into(),
                nextcloud_path: Some("Πελάτες/Ναός/Received Media/πύργος.jpg".into()),
                mime_type: Some("image/jpeg".into()),
                size: Some(2048),
                source: Some("whatsapp:111".into()),
            },
        )
        .await
        .unwrap();
        q.attachment_failed(voice, "media expired".into(), None)
            .await
            .unwrap();

        let e = f.comms.get(e.id).await.unwrap();
        assert_eq!(
            e.attachments[0].nextcloud_path.as_deref(),
            Some("Πελάτες/Ναός/Received Media/πύργος.jpg")
        );
        assert_eq!(e.attachments[0].size, Some(2048));
        assert_eq!(e.attachments[1].nextcloud_path, None);
        assert_eq!(e.meta["attachment_errors"]["whatsapp:222"], "media expired");
        assert_eq!(q.attachment_state(e.id).await.unwrap(), (0, 1));
        assert!(q.due_attachment_jobs(10).await.unwrap().is_empty());

        // the status page sees the failure, and a retry puts it back with its error cleared
        let poisoned = q.enqueue("whatsapp", b"{".to_vec()).await.unwrap();
        for _ in 0..MAX_INBOUND_ATTEMPTS {
            q.failed(poisoned, "unparseable".into()).await.unwrap();
        }
        let seen = q.overview(50).await.unwrap();
        assert_eq!((seen.attachments_pending, seen.attachments_failed), (0, 1));
        assert_eq!(seen.inbound[0].channel, "whatsapp");
        assert_eq!((seen.inbound[0].pending, seen.inbound[0].failed), (0, 1));
        assert!(seen.inbound[0].last_received_at.is_some());
        let kinds: Vec<(JobKind, Option<String>)> = seen
            .failed
            .iter()
            .map(|j| (j.kind, j.last_error.clone()))
            .collect();
        assert!(kinds.contains(&(JobKind::Attachment, Some("media expired".into()))));
        assert!(kinds.contains(&(JobKind::Inbound, Some("unparseable".into()))));
        let voice = seen
            .failed
            .iter()
            .find(|j| j.kind == JobKind::Attachment)
            .unwrap();
        assert_eq!(voice.entry_id, Some(e.id));
        assert_eq!(voice.source, "whatsapp:222");

        assert!(q.retry(JobKind::Attachment, voice.id).await.unwrap());
        assert!(
            !q.retry(JobKind::Attachment, voice.id).await.unwrap(),
            "no longer failed"
        );
        let due = q.due_attachment_jobs(10).await.unwrap();
        assert_eq!((due.len(), due[0].attempts), (1, 0));
        let e = f.comms.get(e.id).await.unwrap();
        assert!(
            e.meta["attachment_errors"].get("whatsapp:222").is_none(),
            "{:?}",
            e.meta
        );
        assert!(q.retry(JobKind::Inbound, poisoned).await.unwrap());
        assert_eq!(q.pending("whatsapp", 10).await.unwrap()[0].id, poisoned);
        assert!(!q.retry(JobKind::Inbound, 999_999).await.unwrap());
    }

    #[tokio::test]
    async fn delivery_states_only_move_forward() {
        let f = fixture();
        let q = queues(&f);
        let c = f.customer().await;
        let mut n = entry(c, CommsType::Whatsapp, Direction::Outbound);
        n.ext_message_id = Some("wamid.out".into());
        let e = f.ingest(n).await;
        let at = f.clock.now();
        let record = |status: &str, rank: u8| {
            q.record_delivery(
                CommsType::Whatsapp,
                "wamid.out".into(),
                status.into(),
                rank,
                at,
                serde_json::json!([]),
            )
        };
        assert!(record("delivered", 2).await.unwrap());
        assert!(
            !record("sent", 1).await.unwrap(),
            "a late sent does not undo delivered"
        );
        assert!(record("read", 3).await.unwrap());
        let e2 = f.comms.get(e.id).await.unwrap();
        assert_eq!(e2.meta["delivery"]["status"], "read");
        assert_eq!(e2.version, 3);
        assert!(
            !q.record_delivery(
                CommsType::Whatsapp,
                "wamid.unknown".into(),
                "read".into(),
                3,
                at,
                serde_json::json!([])
            )
            .await
            .unwrap()
        );
    }
}

#[tokio::test]
async fn missed_calls_are_filterable() {
    let f = fixture();
    let c = f.customer().await;
    for (i, missed) in [true, false, true].into_iter().enumerate() {
        let mut n = entry(c, CommsType::Call, Direction::Inbound);
        n.ext_message_id = Some(format!("17643240{i}.1"));
        n.meta = Some(serde_json::json!({ "missed": missed }));
        f.ingest(n).await;
    }
    f.ingest(entry(c, CommsType::Note, Direction::Internal))
        .await;
    let mut q = ListQuery::customer(c);
    q.missed = Some(true);
    let missed = f.comms.list(q.clone()).await.unwrap();
    assert_eq!(missed.total, 2);
    assert!(missed.items.iter().all(|e| e.meta["missed"] == true));
    q.missed = Some(false);
    assert_eq!(
        f.comms.list(q).await.unwrap().total,
        2,
        "the answered call and the note"
    );
}

/// Customers and orders in another store (Firestore): this database's tables of them stay
/// empty, its foreign keys are off, and the store asks the other one.
mod referents_elsewhere {
    use std::sync::Mutex;

    use super::*;
    use crate::store::sqlite::{BoxFuture, Referents};

    #[derive(Debug, Default)]
    struct Directory {
        customers: Mutex<HashSet<Uuid>>,
        orders: Mutex<HashSet<Uuid>>,
    }

    impl Referents for Directory {
        fn customer_exists(&self, id: Uuid) -> BoxFuture<'_, Result<bool>> {
            let known = self.customers.lock().unwrap().contains(&id);
            Box::pin(async move { Ok(known) })
        }
        fn order_exists(&self, id: Uuid) -> BoxFuture<'_, Result<bool>> {
            let known = self.orders.lock().unwrap().contains(&id);
            Box::pin(async move { Ok(known) })
        }
    }

    fn fixture() -> (tempfile::TempDir, Arc<Directory>, Service<SqliteCommsStore>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_with(
            dir.path().join("crm.db"),
            &crm_core::DbOptions {
                foreign_keys: false,
                ..crm_core::DbOptions::default()
            },
        )
        .unwrap();
        let directory = Arc::new(Directory::default());
        let store = SqliteCommsStore::new(db).with_referents(directory.clone());
        let clock = FixedClock::new(ts("2026-11-28T10:00:00Z"));
        (dir, directory, Service::new(store, Arc::new(clock)))
    }

    #[tokio::test]
    async fn entries_and_media_name_only_customers_and_orders_the_other_store_has() {
        let (_dir, directory, comms) = fixture();
        let parish = Uuid::new_v4();
        let order = Uuid::new_v4();
        directory.customers.lock().unwrap().insert(parish);
        directory.orders.lock().unwrap().insert(order);

        let stranger = Uuid::new_v4();
        let r = comms
            .ingest(entry(stranger, CommsType::Note, Direction::Internal))
            .await;
        assert_eq!(invalid_field(r), "customer_id");
        assert_eq!(
            comms.store().referring_to_customer(parish).await.unwrap(),
            None
        );

        let note = comms
            .ingest(entry(parish, CommsType::Note, Direction::Internal))
            .await
            .unwrap()
            .entry;
        assert_eq!(note.customer_id, Some(parish));
        assert_eq!(
            comms.store().referring_to_customer(parish).await.unwrap(),
            Some("comms entries")
        );

        let media = |order_id| NewMedia {
            customer_id: Some(parish),
            order_id: Some(order_id),
            filename: None,
            nextcloud_path: format!("05_Customers/P/{order_id}.jpg"),
            mime_type: None,
            size: None,
            direction: MediaDirection::Internal,
            tags: Vec::new(),
            uploaded_by: None,
        };
        assert_eq!(
            invalid_field(comms.create_media(media(Uuid::new_v4())).await),
            "order_id"
        );
        comms.create_media(media(order)).await.unwrap();

        // an inbox entry is assigned only to a customer the other store has
        let inbox = comms
            .ingest(from_sender("+306900000001", CommsType::Call))
            .await
            .unwrap()
            .entry;
        assert_eq!(
            invalid_field(comms.assign(inbox.id, stranger, false).await),
            "customer_id"
        );
        comms.assign(inbox.id, parish, false).await.unwrap();
    }
}

#[tokio::test]
async fn an_email_opens_with_its_thread_oldest_first_and_other_entries_alone() {
    let f = fixture();
    let customer = f.customer().await;
    let mail = |thread: &str, at: &str, subject: &str| {
        let mut n = entry(customer, CommsType::Email, Direction::Inbound);
        n.subject = Some(subject.into());
        n.occurred_at = Some(ts(at));
        n.meta = Some(serde_json::json!({ "thread": thread }));
        n
    };
    let first = f
        .ingest(mail("t1@x", "2026-11-01T09:00:00Z", "Προσφορά"))
        .await;
    f.ingest(mail("t2@x", "2026-11-01T10:00:00Z", "Άλλο θέμα"))
        .await;
    let reply = f
        .ingest(mail("t1@x", "2026-11-03T09:00:00Z", "Re: Προσφορά"))
        .await;
    let answer = f
        .ingest(mail("t1@x", "2026-11-02T09:00:00Z", "Re: Προσφορά"))
        .await;
    let ids = |entries: Vec<Entry>| entries.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let expected = vec![first.id, answer.id, reply.id];
    assert_eq!(ids(f.comms.thread(reply.id).await.unwrap()), expected);
    assert_eq!(ids(f.comms.thread(first.id).await.unwrap()), expected);
    // a call, or a mail without a thread, is its own conversation
    let call = f
        .ingest(entry(customer, CommsType::Call, Direction::Inbound))
        .await;
    assert_eq!(ids(f.comms.thread(call.id).await.unwrap()), vec![call.id]);
    let mut lone = entry(customer, CommsType::Email, Direction::Inbound);
    lone.subject = Some("χωρίς νήμα".into());
    let lone = f.ingest(lone).await;
    assert_eq!(ids(f.comms.thread(lone.id).await.unwrap()), vec![lone.id]);
    assert!(matches!(
        f.comms.thread(Uuid::new_v4()).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn missed_calls_of_every_customer_and_unknown_numbers_list_newest_first() {
    let f = fixture();
    let (a, b) = (f.customer().await, f.customer().await);
    let call = |customer: Option<Uuid>, at: &str, missed: bool| {
        let mut n = NewEntry::new(CommsType::Call, Direction::Inbound, customer);
        if customer.is_none() {
            n.sender = Some("+306912345678".into());
        }
        n.occurred_at = Some(ts(at));
        n.meta = Some(serde_json::json!({ "missed": missed }));
        n
    };
    let old = f.ingest(call(Some(a), "2026-11-01T09:00:00Z", true)).await;
    f.ingest(call(Some(a), "2026-11-02T09:00:00Z", false)).await;
    let unknown = f.ingest(call(None, "2026-11-03T09:00:00Z", true)).await;
    let newest = f.ingest(call(Some(b), "2026-11-04T09:00:00Z", true)).await;
    let page = f.comms.missed_calls(Some(2), None).await.unwrap();
    assert_eq!(page.total, 3);
    let ids: Vec<Uuid> = page.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![newest.id, unknown.id]);
    let rest = f.comms.missed_calls(Some(2), page.next).await.unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![old.id]
    );
    assert!(rest.next.is_none());
}
