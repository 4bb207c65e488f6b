//! Behaviour stories of the customers service on the SQLite store.

use std::sync::Arc;

use crm_core::{Db, FixedClock, Timestamp};
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::error::Error;
use crate::model::{Customer, CustomerPatch, ListQuery, NewCustomer};
use crate::service::{Customers, Service};
use crate::store::sqlite::SqliteCustomerStore;

type Svc = Service<SqliteCustomerStore>;

fn setup() -> (tempfile::TempDir, Svc, FixedClock) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap());
    let svc = Service::new(SqliteCustomerStore::new(db), Arc::new(clock.clone()));
    (dir, svc, clock)
}

async fn create(svc: &Svc, v: Value) -> Customer {
    svc.create(serde_json::from_value::<NewCustomer>(v).unwrap())
        .await
        .unwrap()
}

fn patch(v: Value) -> CustomerPatch {
    serde_json::from_value(v).unwrap()
}

fn search(q: &str) -> ListQuery {
    ListQuery {
        search: Some(q.to_owned()),
        ..ListQuery::default()
    }
}

async fn names(svc: &Svc, q: ListQuery) -> Vec<String> {
    let page = svc.list(q).await.unwrap();
    page.items.into_iter().map(|c| c.name).collect()
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn db_count(svc: &Svc, sql: &'static str) -> i64 {
    svc.store()
        .db()
        .read(move |c| {
            c.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map_err(Error::from)
        })
        .await
        .unwrap()
}

/// Customers whose names the Greek/Greeklish table refers to.
async fn greek_people(svc: &Svc) {
    let people = [
        json!({"name": "Μπίμπης Γεώργιος"}),
        json!({"name": "Ιερός Ναός Αγίου Τίτου", "organization": "Άγιος Νικόλαος Κρήτης"}),
        json!({"name": "Παπαδόπουλος Κωνσταντίνος"}),
        json!({"name": "Χρήστος Ευαγγέλου"}),
        json!({"name": "Θοδωρής Καραγιάννης"}),
        json!({"name": "Βασίλης Οικονόμου"}),
        json!({"name": "Δημήτρης Λαμπράκης"}),
        json!({"name": "Γιώργος Σταυρίδης"}),
        json!({"name": "Γεώργιος Αθανασίου"}),
        json!({"name": "Ενορία Αγίας Παρασκευής", "tags": ["ενορία"]}),
        json!({"name": "Άγιος Στέφανος", "organization": "Μητρόπολη Πειραιώς"}),
        json!({"name": "John Smith", "organization": "ACME Ltd",
               "contacts": [{"type": "email", "value": "john@acme.example"},
                            {"type": "phone", "value": "+44 20 7946 0958"}]}),
        json!({"name": "Ελένη Μαρκοπούλου", "contacts": [
            {"type": "phone", "value": "691 234 5678"},
            {"type": "email", "value": "Eleni.Markopoulou@Example.gr"}]}),
    ];
    for p in people {
        create(svc, p).await;
    }
}

#[tokio::test]
async fn greek_and_greeklish_queries_find_the_right_customer_and_only_it() {
    let (_dir, svc, _) = setup();
    greek_people(&svc).await;
    let table: &[(&str, &[&str])] = &[
        ("μπιμπης", &["Μπίμπης Γεώργιος"]),
        ("ΜΠΙΜΠΗΣ", &["Μπίμπης Γεώργιος"]),
        ("Μπίμπης", &["Μπίμπης Γεώργιος"]),
        ("bibis", &["Μπίμπης Γεώργιος"]),
        ("mpimpis", &["Μπίμπης Γεώργιος"]),
        ("μπιμ", &["Μπίμπης Γεώργιος"]),
        ("Bibis", &["Μπίμπης Γεώργιος"]),
        ("agios nikolaos", &["Ιερός Ναός Αγίου Τίτου"]),
        ("άγιος νικόλαος", &["Ιερός Ναός Αγίου Τίτου"]),
        ("agios nik", &["Ιερός Ναός Αγίου Τίτου"]),
        ("papadopoulos", &["Παπαδόπουλος Κωνσταντίνος"]),
        ("παπαδοπουλος", &["Παπαδόπουλος Κωνσταντίνος"]),
        ("xristos", &["Χρήστος Ευαγγέλου"]),
        ("christos", &["Χρήστος Ευαγγέλου"]),
        ("hristos", &["Χρήστος Ευαγγέλου"]),
        ("thodoris", &["Θοδωρής Καραγιάννης"]),
        ("vasilis", &["Βασίλης Οικονόμου"]),
        ("dimitris", &["Δημήτρης Λαμπράκης"]),
        ("dhmhtrhs", &["Δημήτρης Λαμπράκης"]),
        ("lampr", &["Δημήτρης Λαμπράκης"]),
        ("giorgos", &["Γιώργος Σταυρίδης"]),
        ("yiorgos", &["Γιώργος Σταυρίδης"]),
        ("georgios", &["Γεώργιος Αθανασίου", "Μπίμπης Γεώργιος"]),
        ("παρασκ", &["Ενορία Αγίας Παρασκευής"]),
        ("paraskevis", &["Ενορία Αγίας Παρασκευής"]),
        ("stefanos", &["Άγιος Στέφανος"]),
        ("αγιος", &["Άγιος Στέφανος", "Ιερός Ναός Αγίου Τίτου"]),
        ("acme", &["John Smith"]),
        ("markopoulou", &["Ελένη Μαρκοπούλου"]),
        ("eleni.markopoulou@example.gr", &["Ελένη Μαρκοπούλου"]),
        ("6912", &["Ελένη Μαρκοπούλου"]),
        ("+30 691 234", &["Ελένη Μαρκοπούλου"]),
        ("0030 6912345678", &["Ελένη Μαρκοπούλου"]),
        ("306912", &["Ελένη Μαρκοπούλου"]),
        ("ενορια", &["Ενορία Αγίας Παρασκευής"]),
        ("zzzz", &[]),
        ("bibis papadopoulos", &[]),
    ];
    for (query, expected) in table {
        let mut found = names(&svc, search(query)).await;
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(found, expected, "search `{query}`");
    }
}

#[tokio::test]
async fn fts_syntax_in_queries_is_never_an_error() {
    let (_dir, svc, _) = setup();
    greek_people(&svc).await;
    let queries = [
        "\"",
        "\"\"",
        "*",
        "**",
        "a*b",
        "NEAR(a b)",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "a OR",
        "OR NOT AND",
        "(",
        ")",
        "()",
        ":",
        "name:bibis",
        "{name}: bibis",
        "^bibis",
        "'",
        "--",
        "-bibis",
        "+",
        "\\",
        "\"unterminated",
        "bibis\"",
        "%",
        "_",
        ";DROP TABLE x;",
        "\0",
        "🙂",
        "ǅ",
        "ﬁ",
        "Ⓐ",
        "१२३",
    ];
    for q in queries {
        let r = svc.list(search(q)).await;
        assert!(r.is_ok(), "`{q}`: {r:?}");
    }
    // syntax characters only separate words
    assert_eq!(
        names(&svc, search("\"bibis\"*")).await,
        vec!["Μπίμπης Γεώργιος"]
    );
    assert_eq!(
        names(&svc, search("NEAR(bibis)")).await,
        Vec::<String>::new(),
        "NEAR is a word, and nobody is called near"
    );
    // a query without words is no filter
    assert_eq!(svc.list(search("  *:()  ")).await.unwrap().total, 13);
}

#[tokio::test]
async fn search_ranks_name_matches_first_then_by_name() {
    let (_dir, svc, _) = setup();
    create(
        &svc,
        json!({"name": "Ωραίος Παπάς", "organization": "Νικολάου"}),
    )
    .await;
    create(&svc, json!({"name": "Νικολάου Άννα"})).await;
    create(&svc, json!({"name": "Νικολάου Αλέξανδρος"})).await;
    let found = names(&svc, search("νικολαου")).await;
    assert_eq!(
        found,
        vec!["Νικολάου Αλέξανδρος", "Νικολάου Άννα", "Ωραίος Παπάς"]
    );
}

#[tokio::test]
async fn list_without_search_is_by_folded_name_with_true_totals() {
    let (_dir, svc, _) = setup();
    for n in ["Γάμμα", "άλφα", "Βήτα", "Δέλτα", "Ζήτα", "Έψιλον", "Alpha"]
    {
        create(&svc, json!({"name": n})).await;
    }
    let all = names(&svc, ListQuery::default()).await;
    assert_eq!(
        all,
        vec!["Alpha", "άλφα", "Βήτα", "Γάμμα", "Δέλτα", "Έψιλον", "Ζήτα"]
    );
    let page = svc
        .list(ListQuery {
            limit: Some(2),
            offset: Some(3),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 7);
    assert_eq!(
        page.items
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Γάμμα", "Δέλτα"]
    );
    let past_end = svc
        .list(ListQuery {
            offset: Some(100),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((past_end.items.len(), past_end.total), (0, 7));
    let only_total = svc
        .list(ListQuery {
            limit: Some(0),
            ..search("a")
        })
        .await
        .unwrap();
    assert!(only_total.items.is_empty());
    assert!(only_total.total > 0);
}

#[tokio::test]
async fn search_totals_are_independent_of_limit_and_offset() {
    let (_dir, svc, _) = setup();
    for i in 0..30 {
        create(&svc, json!({"name": format!("Παπαδόπουλος {i:02}")})).await;
    }
    create(&svc, json!({"name": "Άλλος"})).await;
    let mut seen = Vec::new();
    for offset in [0, 10, 20, 30] {
        let page = svc
            .list(ListQuery {
                limit: Some(10),
                offset: Some(offset),
                ..search("παπ")
            })
            .await
            .unwrap();
        assert_eq!(page.total, 30);
        seen.extend(page.items.into_iter().map(|c| c.name));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen.len(), 30);
    assert_eq!(seen, sorted, "equal rank → by name, pages do not overlap");
}

#[tokio::test]
async fn tag_filter_is_exact_and_ignores_case() {
    let (_dir, svc, _) = setup();
    create(&svc, json!({"name": "Α", "tags": ["Ενορία", "vip"]})).await;
    create(&svc, json!({"name": "Β", "tags": ["ενορία"]})).await;
    create(&svc, json!({"name": "Γ", "tags": ["ενορίες"]})).await;
    create(
        &svc,
        json!({"name": "Δ Παπάς", "tags": ["ΕΝΟΡΊΑ", "service"]}),
    )
    .await;
    let tag = |t: &str| ListQuery {
        tag: Some(t.to_owned()),
        ..ListQuery::default()
    };
    assert_eq!(names(&svc, tag("ενορία")).await, vec!["Α", "Β", "Δ Παπάς"]);
    assert_eq!(
        names(&svc, tag(" ΕΝΟΡΊΑ ")).await,
        vec!["Α", "Β", "Δ Παπάς"]
    );
    assert_eq!(names(&svc, tag("VIP")).await, vec!["Α"]);
    assert_eq!(names(&svc, tag("ενορ")).await, Vec::<String>::new());
    assert_eq!(svc.list(tag("ενορία")).await.unwrap().total, 3);
    // with a search, both must hold
    let q = ListQuery {
        tag: Some("Ενορία".into()),
        ..search("papas")
    };
    let page = svc.list(q).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name, "Δ Παπάς");
    // tags are searchable words too
    assert_eq!(names(&svc, search("service")).await, vec!["Δ Παπάς"]);
    // retagging moves the customer
    let a = svc.list(tag("vip")).await.unwrap().items.remove(0);
    svc.update(a.id, patch(json!({"tags": ["other"]})), None)
        .await
        .unwrap();
    assert_eq!(names(&svc, tag("vip")).await, Vec::<String>::new());
    assert_eq!(svc.list(tag("vip")).await.unwrap().total, 0);
    assert_eq!(names(&svc, tag("ενορία")).await, vec!["Β", "Δ Παπάς"]);
    assert_eq!(svc.list(tag("ενορία")).await.unwrap().total, 2);
    assert_eq!(svc.list(tag("other")).await.unwrap().total, 1);
}

#[tokio::test]
async fn find_by_contact_in_every_written_form() {
    let (_dir, svc, clock) = setup();
    let first = create(
        &svc,
        json!({"name": "Πρώτος", "contacts": [
            {"type": "phone", "value": "0030 691 234 5678"},
            {"type": "email", "value": "Papas@Enoria.GR"}]}),
    )
    .await;
    clock.advance(Duration::minutes(1));
    let second = create(
        &svc,
        json!({"name": "Δεύτερος", "contacts": [
            {"type": "whatsapp", "value": "+30 691-234-5678"},
            {"type": "phone", "value": "210 1234567"}]}),
    )
    .await;
    for form in [
        "6912345678",
        "691 234 5678",
        "0030 691 234 5678",
        "0030-691-2345678",
        "+30 691-234-5678",
        "+306912345678",
        "306912345678",
    ] {
        let found = svc.find_by_contact(form).await.unwrap().map(|c| c.id);
        assert_eq!(found, Some(first.id), "the oldest owner of `{form}`");
    }
    for form in ["papas@enoria.gr", "PAPAS@ENORIA.GR", " Papas@Enoria.gr "] {
        let found = svc.find_by_contact(form).await.unwrap().map(|c| c.id);
        assert_eq!(found, Some(first.id), "`{form}`");
    }
    let landline = svc.find_by_contact("+30 210 123 4567").await.unwrap();
    assert_eq!(landline.map(|c| c.id), Some(second.id));
    for nobody in [
        "6999999999",
        "other@enoria.gr",
        "not a number",
        "",
        "2101234567@x",
    ] {
        assert_eq!(
            svc.find_by_contact(nobody).await.unwrap(),
            None,
            "`{nobody}`"
        );
    }
}

#[tokio::test]
async fn contacts_are_rewritten_on_update() {
    let (_dir, svc, _) = setup();
    let c = create(
        &svc,
        json!({"name": "Κώστας", "contacts": [
            {"type": "phone", "value": "6912345678"},
            {"type": "email", "value": "old@example.gr"}]}),
    )
    .await;
    let c2 = svc
        .update(
            c.id,
            patch(json!({"contacts": [{"type": "email", "value": "New@Example.gr"}]})),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(c2.version, 2);
    assert_eq!(svc.find_by_contact("6912345678").await.unwrap(), None);
    assert_eq!(svc.find_by_contact("old@example.gr").await.unwrap(), None);
    assert_eq!(
        svc.find_by_contact("new@example.gr")
            .await
            .unwrap()
            .map(|c| c.id),
        Some(c.id)
    );
    assert_eq!(
        db_count(&svc, "SELECT count(*) FROM customer_contacts").await,
        1
    );
    // and the search index follows
    assert_eq!(names(&svc, search("old")).await, Vec::<String>::new());
    assert_eq!(names(&svc, search("6912")).await, Vec::<String>::new());
    assert_eq!(names(&svc, search("new")).await, vec!["Κώστας"]);
    // renaming too
    svc.update(c.id, patch(json!({"name": "Μπάμπης"})), None)
        .await
        .unwrap();
    assert_eq!(names(&svc, search("kostas")).await, Vec::<String>::new());
    assert_eq!(names(&svc, search("babis")).await, vec!["Μπάμπης"]);
}

#[tokio::test]
async fn stale_versions_change_nothing_and_changes_bump_the_version() {
    let (_dir, svc, clock) = setup();
    let c = create(&svc, json!({"name": "Α", "tags": ["x"]})).await;
    assert_eq!(c.version, 1);
    clock.advance(Duration::hours(1));
    let r = svc
        .update(c.id, patch(json!({"name": "Β", "tags": []})), Some(7))
        .await;
    assert!(
        matches!(r, Err(Error::Stale { current_version: 1 })),
        "{r:?}"
    );
    assert_eq!(svc.get(c.id).await.unwrap(), c);
    assert_eq!(names(&svc, search("a")).await, vec!["Α"]);

    let b = svc
        .update(c.id, patch(json!({"name": "Β"})), Some(1))
        .await
        .unwrap();
    assert_eq!((b.version, b.name.as_str()), (2, "Β"));
    assert_eq!(b.created_at, c.created_at);
    assert_eq!(b.updated_at, clock.now_for_test());
    assert_eq!(svc.get(c.id).await.unwrap(), b);

    // a patch that changes nothing keeps the version
    let same = svc
        .update(
            c.id,
            patch(json!({"name": " Β ", "id": "x", "version": 40})),
            None,
        )
        .await
        .unwrap();
    assert_eq!(same.version, 2);

    let r = svc.delete(c.id, Some(1)).await;
    assert!(
        matches!(r, Err(Error::Stale { current_version: 2 })),
        "{r:?}"
    );
    assert!(svc.get(c.id).await.is_ok());
    svc.delete(c.id, Some(2)).await.unwrap();
    assert!(matches!(svc.get(c.id).await, Err(Error::NotFound { .. })));
}

#[tokio::test]
async fn invalid_input_names_the_field_and_stores_nothing() {
    let (_dir, svc, _) = setup();
    let new = |v: Value| serde_json::from_value::<NewCustomer>(v).unwrap();
    assert_eq!(
        invalid_field(svc.create(new(json!({"name": " "}))).await),
        "name"
    );
    assert_eq!(
        invalid_field(
            svc.create(new(json!({"name": "N", "contacts": [
                {"type": "phone", "value": "6912345678"},
                {"type": "email", "value": "a@b.gr"},
                {"type": "phone", "value": "call me maybe"}]})))
                .await
        ),
        "contacts[2].value"
    );
    assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 0);
    let c = create(&svc, json!({"name": "N"})).await;
    assert_eq!(
        invalid_field(
            svc.update(
                c.id,
                patch(json!({"name": "M", "contacts": [{"type": "email", "value": "x"}]})),
                None
            )
            .await
        ),
        "contacts[0].value"
    );
    assert_eq!(svc.get(c.id).await.unwrap(), c);
}

#[tokio::test]
async fn notes_are_appended_with_author_and_time() {
    let (_dir, svc, clock) = setup();
    let c = create(&svc, json!({"name": "Π. Νικόλαος"})).await;
    clock.advance(Duration::minutes(5));
    let c2 = svc
        .add_note(c.id, "  Τηλεφώνησε για το ρολόι ".into(), "maria".into())
        .await
        .unwrap();
    assert_eq!(c2.version, 2);
    assert_eq!(c2.notes.len(), 1);
    assert_eq!(c2.notes[0].text, "Τηλεφώνησε για το ρολόι");
    assert_eq!(c2.notes[0].by, "maria");
    assert_eq!(c2.notes[0].at, clock.now_for_test());
    let c3 = svc
        .add_note(c.id, "δεύτερη".into(), "nikos".into())
        .await
        .unwrap();
    assert_eq!(c3.version, 3);
    assert_eq!(
        c3.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        vec!["Τηλεφώνησε για το ρολόι", "δεύτερη"]
    );
    assert_eq!(svc.get(c.id).await.unwrap(), c3);
    assert_eq!(
        invalid_field(svc.add_note(c.id, " ".into(), "x".into()).await),
        "text"
    );
    assert!(matches!(
        svc.add_note(Uuid::new_v4(), "x".into(), "y".into()).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn delete_cascades_but_references_make_it_in_use() {
    let (_dir, svc, _) = setup();
    let c = create(
        &svc,
        json!({"name": "Μπίμπης", "tags": ["t"], "contacts": [
            {"type": "phone", "value": "6912345678"}]}),
    )
    .await;
    let kept = create(&svc, json!({"name": "Μένει", "tags": ["t"]})).await;
    // a throwaway table standing in for orders
    svc.store()
        .db()
        .write(|conn| {
            conn.execute_batch(
                "CREATE TABLE fake_orders (id INTEGER PRIMARY KEY,
                     customer_id TEXT NOT NULL REFERENCES customers (id))",
            )
            .map_err(Error::from)
        })
        .await
        .unwrap();
    let kept_id = kept.id.to_string();
    svc.store()
        .db()
        .write(move |conn| {
            conn.execute(
                "INSERT INTO fake_orders (customer_id) VALUES (?1)",
                [kept_id],
            )
            .map_err(Error::from)
        })
        .await
        .unwrap();

    let r = svc.delete(kept.id, None).await;
    assert!(matches!(r, Err(Error::InUse { .. })), "{r:?}");
    assert_eq!(svc.get(kept.id).await.unwrap(), kept);
    assert_eq!(names(&svc, search("menei")).await, vec!["Μένει"]);

    svc.delete(c.id, None).await.unwrap();
    assert_eq!(
        db_count(&svc, "SELECT count(*) FROM customer_contacts").await,
        0
    );
    assert_eq!(
        db_count(&svc, "SELECT count(*) FROM customer_tags").await,
        1
    );
    assert_eq!(
        db_count(
            &svc,
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH 'bibis'"
        )
        .await,
        0
    );
    assert_eq!(names(&svc, search("bibis")).await, Vec::<String>::new());
    assert_eq!(svc.find_by_contact("6912345678").await.unwrap(), None);
    assert!(matches!(
        svc.delete(c.id, None).await,
        Err(Error::NotFound { .. })
    ));
    // a new customer may reuse the freed index slot without seeing the old entry
    let d = create(&svc, json!({"name": "Νέος"})).await;
    assert_eq!(names(&svc, search("neos")).await, vec!["Νέος"]);
    assert_eq!(svc.get(d.id).await.unwrap(), d);
}

#[tokio::test]
async fn records_round_trip_through_the_store() {
    let (_dir, svc, _) = setup();
    let c = create(
        &svc,
        json!({
            "name": "Ιερός Ναός Αγίου Νικολάου", "organization": "Μητρόπολη Πειραιώς",
            "contacts": [{"type": "phone", "value": "210 1234567", "label": "γραφείο", "primary": true}],
            "notes": [{"text": "πρώτη", "by": "a", "at": "2026-01-01T00:00:00Z"}],
            "location": {"city": "Πειραιάς", "country": "GR", "region": "Αττική"},
            "language": "el", "tags": ["ενορία"],
            "owned_items": [{"type": "console_device", "device_id": "d1", "label": "Καμπάνα"}],
            "linked_user_ids": ["u1"], "nextcloud_folder": "05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ"
        }),
    )
    .await;
    assert_eq!(svc.get(c.id).await.unwrap(), c);
    assert!(matches!(
        svc.get(Uuid::new_v4()).await,
        Err(Error::NotFound { .. })
    ));
}

trait NowForTest {
    fn now_for_test(&self) -> Timestamp;
}

impl NowForTest for FixedClock {
    fn now_for_test(&self) -> Timestamp {
        crm_core::Clock::now(self)
    }
}

/// Doc numbers must follow (sort_key, id) exactly, be unique, and each customer must have its
/// full-text row under its doc number.
async fn assert_doc_order(svc: &Svc) {
    let (by_doc, by_name, fts, customers): (Vec<String>, Vec<String>, i64, i64) = svc
        .store()
        .db()
        .read(|c| {
            let ids = |sql: &str| -> rusqlite::Result<Vec<String>> {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect()
            };
            let by_doc = ids("SELECT id FROM customers ORDER BY doc").map_err(Error::from)?;
            let by_name =
                ids("SELECT id FROM customers ORDER BY sort_key, id").map_err(Error::from)?;
            // the index's own row list (one per document)
            let fts: i64 = c.query_row(
                "SELECT count(*) FROM customers_fts_docsize d JOIN customers c ON c.doc = d.id",
                [],
                |r| r.get(0),
            )?;
            let all_fts: i64 =
                c.query_row("SELECT count(*) FROM customers_fts_docsize", [], |r| {
                    r.get(0)
                })?;
            assert_eq!(all_fts, fts, "no index rows without a customer");
            let customers: i64 = c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
            Ok::<_, Error>((by_doc, by_name, fts, customers))
        })
        .await
        .unwrap();
    assert_eq!(by_doc, by_name, "doc order is name order");
    assert_eq!(fts, customers, "every customer is indexed under its doc");
}

#[tokio::test]
async fn doc_numbers_keep_name_order_even_when_gaps_run_out() {
    let (_dir, svc, _) = setup();
    let a = create(&svc, json!({"name": "a"})).await;
    create(&svc, json!({"name": "b"})).await;
    // every new name lands between "a" and the previous one: the gap halves each time and
    // runs out after 32, so neighbours have to be spread out again
    let mut names_between: Vec<String> = ('a'..='z').rev().map(|c| format!("a{c}")).collect();
    names_between.extend(('0'..='9').rev().map(|c| format!("a{c}")));
    names_between.extend(('a'..='j').rev().map(|c| format!("a0{c}")));
    for n in &names_between {
        create(&svc, json!({"name": n})).await;
    }
    assert_doc_order(&svc).await;
    // renames move a customer within the order
    svc.update(a.id, patch(json!({"name": "ak"})), None)
        .await
        .unwrap();
    let first = svc
        .list(ListQuery::default())
        .await
        .unwrap()
        .items
        .remove(0);
    svc.update(first.id, patch(json!({"name": "zz"})), None)
        .await
        .unwrap();
    assert_doc_order(&svc).await;
    let all = names(
        &svc,
        ListQuery {
            limit: Some(500),
            ..ListQuery::default()
        },
    )
    .await;
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.last().map(String::as_str), Some("zz"));
    // and every one is still found
    for n in names_between.iter().filter(|n| *n != &first.name) {
        let found = names(&svc, search(n)).await;
        assert!(found.contains(n), "{n}: {found:?}");
    }
}

#[tokio::test]
async fn broad_searches_are_listed_by_name_with_exact_totals() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap());
    // above 5 hits a search is listed by name instead of by relevance
    let svc = Service::new(
        SqliteCustomerStore::new(db).with_rank_limit(5),
        Arc::new(clock),
    );
    for n in [
        "Παππάς Ωρίων",
        "Πάνος Άλφα",
        "Παπαδόπουλος",
        "Παύλος Βήτα",
        "Πέτρος",
        "Ηλίας Παππάς",
        "Άλλος",
    ] {
        create(&svc, json!({"name": n})).await;
    }
    let page = svc
        .list(ListQuery {
            limit: Some(2),
            offset: Some(1),
            ..search("π")
        })
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    assert_eq!(
        page.items
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Πάνος Άλφα", "Παπαδόπουλος"]
    );
    // narrow enough: by relevance again (the name hit on both words of a short name first)
    let ranked = names(&svc, search("παππας")).await;
    assert_eq!(ranked.len(), 2);
}

#[tokio::test]
async fn bulk_import_is_searchable_and_ordered() {
    let (_dir, svc, _) = setup();
    let start = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let customers = crate::seed::customers(3_000, 1, start).unwrap();
    let some = customers[1234].clone();
    svc.store().import(customers).await.unwrap();
    // a second import lands between the first one's names
    svc.store()
        .import(crate::seed::customers(500, 2, start).unwrap())
        .await
        .unwrap();
    assert_doc_order(&svc).await;
    assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 3_500);
    assert_eq!(svc.get(some.id).await.unwrap(), some);
    let phone = some
        .contacts
        .iter()
        .find(|c| c.e164.is_some())
        .map(|c| c.value.clone())
        .unwrap();
    let found = svc.find_by_contact(&phone).await.unwrap().unwrap();
    assert!(found.contacts.iter().any(|c| c.value == phone));
    let hits = svc.list(search(&some.name)).await.unwrap();
    assert!(hits.items.iter().any(|c| c.id == some.id) || hits.total > 50);
    let tagged = svc
        .list(ListQuery {
            tag: Some("ΕΝΟΡΊΑ".into()),
            limit: Some(0),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    let expected = svc
        .list(ListQuery {
            limit: Some(500),
            ..ListQuery::default()
        })
        .await
        .unwrap()
        .total;
    assert!(tagged.total > 0 && tagged.total < expected);
}

#[tokio::test]
async fn a_contact_is_added_once_whatever_its_spelling() {
    let (_dir, svc, _clock) = setup();
    let c = create(
        &svc,
        json!({"name": "Ιερός Ναός Αγίας Παρασκευής",
               "contacts": [{"type": "phone", "value": "210 123 4567"}]}),
    )
    .await;
    let input = |kind: &str, value: &str| {
        serde_json::from_value::<crate::model::ContactInput>(json!({"type": kind, "value": value}))
            .unwrap()
    };
    let same = svc
        .add_contact(c.id, input("whatsapp", "+30 210 1234567"))
        .await
        .unwrap();
    assert_eq!(same.version, 1, "the number is already a contact");
    let added = svc
        .add_contact(c.id, input("whatsapp", "00306912345678"))
        .await
        .unwrap();
    assert_eq!(added.version, 2);
    assert_eq!(added.contacts.len(), 2);
    assert_eq!(added.contacts[1].e164.as_deref(), Some("+306912345678"));
    let found = svc.find_by_contact("6912345678").await.unwrap().unwrap();
    assert_eq!(found.id, c.id);
    assert_eq!(
        invalid_field(
            svc.add_contact(c.id, input("email", "not-an-address"))
                .await
        ),
        "contacts[0].value"
    );
    assert!(matches!(
        svc.add_contact(Uuid::new_v4(), input("phone", "6912345678"))
            .await,
        Err(Error::NotFound { .. })
    ));
}
