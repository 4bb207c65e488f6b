//! Behaviour stories of the customers service, run on every store: each story is generic
//! over the store and [`conformance!`] runs it once on SQLite (a temporary database) and once
//! on Firestore (the emulator of `FIRESTORE_EMULATOR_HOST`, collections with a fresh prefix).
//! Stories about SQLite's internals (doc numbers, index rows, ranking limits) and about
//! Firestore's documents (console-written records, reindexing) run on their store only.

use std::sync::Arc;

use crm_core::firestore::Collections;
use crm_core::{Db, FixedClock, Timestamp};
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::error::Error;
use crate::model::{Customer, CustomerPatch, ListQuery, NewCustomer};
use crate::service::{Customers, Service};
use crate::store::CustomerStore;
use crate::store::firestore::FirestoreCustomerStore;
use crate::store::sqlite::SqliteCustomerStore;

/// A store the stories run on, with a way to make another record refer to a customer.
trait TestStore: CustomerStore + Clone {
    /// Makes an order refer to the customer `id`.
    async fn refer_to(&self, id: Uuid);
}

impl TestStore for SqliteCustomerStore {
    async fn refer_to(&self, id: Uuid) {
        // a throwaway table standing in for orders
        let id = id.to_string();
        self.db()
            .write(move |conn| {
                conn.execute_batch(
                    "CREATE TABLE IF NOT EXISTS fake_orders (id INTEGER PRIMARY KEY,
                         customer_id TEXT NOT NULL REFERENCES customers (id))",
                )?;
                conn.execute("INSERT INTO fake_orders (customer_id) VALUES (?1)", [id])?;
                Ok::<_, Error>(())
            })
            .await
            .unwrap();
    }
}

impl TestStore for FirestoreCustomerStore {
    async fn refer_to(&self, id: Uuid) {
        let order = firestore::fields_from_json(
            json!({"customer_id": id.to_string(), "status": "draft"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        self.client()
            .create(
                &self.collections().orders(),
                &Uuid::new_v4().to_string(),
                &order,
            )
            .await
            .unwrap();
    }
}

/// A service over a fresh store, its clock, and what keeps the store alive.
struct Setup<S> {
    svc: Service<S>,
    clock: FixedClock,
    _dir: Option<tempfile::TempDir>,
}

fn clock() -> FixedClock {
    FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
}

fn sqlite() -> Setup<SqliteCustomerStore> {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = clock();
    let svc = Service::new(SqliteCustomerStore::new(db), Arc::new(clock.clone()));
    Setup {
        svc,
        clock,
        _dir: Some(dir),
    }
}

fn firestore_store() -> FirestoreCustomerStore {
    FirestoreCustomerStore::new(
        firestore::testing::client(),
        Collections::new(firestore::testing::collection_prefix("customers")),
    )
}

fn firestore() -> Setup<FirestoreCustomerStore> {
    let clock = clock();
    let svc = Service::new(firestore_store(), Arc::new(clock.clone()));
    Setup {
        svc,
        clock,
        _dir: None,
    }
}

/// Runs each story on both stores: `on_sqlite::story` and `on_firestore::story`.
macro_rules! conformance {
    ($($story:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let s = super::sqlite();
                    super::$story(&s.svc, &s.clock).await;
                }
            )*
        }
        mod on_firestore {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let s = super::firestore();
                    super::$story(&s.svc, &s.clock).await;
                }
            )*
        }
    };
}

conformance!(
    greek_and_greeklish_queries_find_the_right_customer_and_only_it,
    nominative_genitive_and_greeklish_forms_find_each_other,
    fts_syntax_in_queries_is_never_an_error,
    search_ranks_name_matches_first_then_by_name,
    list_without_search_is_by_folded_name_with_true_totals,
    search_totals_are_independent_of_limit_and_offset,
    tag_filter_is_exact_and_ignores_case,
    location_is_searchable_and_lists_filter_by_city_and_region,
    find_by_contact_in_every_written_form,
    contacts_are_rewritten_on_update,
    stale_versions_change_nothing_and_changes_bump_the_version,
    concurrent_stale_updates_let_exactly_one_win,
    concurrent_notes_are_all_kept,
    invalid_input_names_the_field_and_stores_nothing,
    notes_are_appended_with_author_and_time,
    delete_cascades_but_references_make_it_in_use,
    records_round_trip_through_the_store,
    a_contact_is_added_once_whatever_its_spelling,
    scan_pages_in_id_order_and_put_all_copies_exactly,
);

async fn create<S: CustomerStore>(svc: &Service<S>, v: Value) -> Customer {
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

async fn names<S: CustomerStore>(svc: &Service<S>, q: ListQuery) -> Vec<String> {
    let page = svc.list(q).await.unwrap();
    page.items.into_iter().map(|c| c.name).collect()
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn db_count(svc: &Service<SqliteCustomerStore>, sql: &'static str) -> i64 {
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
async fn greek_people<S: CustomerStore>(svc: &Service<S>) {
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

async fn greek_and_greeklish_queries_find_the_right_customer_and_only_it<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    greek_people(svc).await;
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
        (
            "αγιος",
            &[
                "Άγιος Στέφανος",
                "Ιερός Ναός Αγίου Τίτου",
                "Ενορία Αγίας Παρασκευής",
            ],
        ),
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
        let mut found = names(svc, search(query)).await;
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(found, expected, "search `{query}`");
    }
}

/// Issue 17: people type the nominative, parishes are named in the genitive, in Greek or in
/// any Greeklish spelling; short prefixes keep working, and look-alike words stay out.
async fn nominative_genitive_and_greeklish_forms_find_each_other<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    const NIKOLAOU: &str = "Ιερός Ναός Αγίου Νικολάου Πειραιώς";
    const NIKOLAOS: &str = "Σύλλογος Άγιος Νικόλαος";
    const PARASKEVIS: &str = "Ενορία Αγίας Παρασκευής";
    const PARASKEVI: &str = "Αγία Παρασκευή Χαλανδρίου";
    const ANARGYRON: &str = "Ιερά Μονή Αγίων Αναργύρων";
    const KOIMISEOS: &str = "Ι.Ν. Κοιμήσεως Θεοτόκου";
    const ANGELOS: &str = "Άγγελος Νικολαΐδης";
    const PARASKEVOPOULOS: &str = "Παρασκευόπουλος Γιάννης";
    const AGIANNIS: &str = "Αγιάννης Νικόλας";
    for name in [
        NIKOLAOU,
        NIKOLAOS,
        PARASKEVIS,
        PARASKEVI,
        ANARGYRON,
        KOIMISEOS,
        ANGELOS,
        PARASKEVOPOULOS,
        AGIANNIS,
    ] {
        create(svc, json!({ "name": name })).await;
    }
    let saints: &[&str] = &[NIKOLAOU, NIKOLAOS, PARASKEVIS, PARASKEVI, ANARGYRON];
    let nicholas: &[&str] = &[NIKOLAOU, NIKOLAOS];
    let paraskevi: &[&str] = &[PARASKEVIS, PARASKEVI];
    let table: &[(&str, &[&str])] = &[
        ("agios nik", nicholas),
        ("agios nikolaos", nicholas),
        ("Άγιος Νικόλαος", nicholas),
        ("ΑΓΙΟΣ ΝΙΚΟΛΑΟΣ", nicholas),
        ("nikolaos", nicholas),
        ("Νικολάου", nicholas),
        ("agiou nikolaou", nicholas),
        ("ayios nikolaos", nicholas),
        ("aghios nikolaos", nicholas),
        ("ag nikolao", nicholas),
        ("Παρασκευή", paraskevi),
        ("Παρασκευής", paraskevi),
        ("paraskevi", paraskevi),
        ("agia paraskevh", paraskevi),
        ("agias paraskevis", paraskevi),
        ("Άγιος", saints),
        ("αγιου", saints),
        ("Αγίας", saints),
        ("Αγίων", saints),
        ("agioi", saints),
        ("Ιερός", &[NIKOLAOU, ANARGYRON]),
        ("Ιερού", &[NIKOLAOU, ANARGYRON]),
        ("Ιερά", &[NIKOLAOU, ANARGYRON]),
        ("ierou", &[NIKOLAOU, ANARGYRON]),
        ("agioi anargyroi", &[ANARGYRON]),
        ("κοιμηση θεοτοκου", &[KOIMISEOS]),
        // prefixes are still prefixes
        ("nik", &[NIKOLAOU, NIKOLAOS, ANGELOS, AGIANNIS]),
        ("παρασκ", &[PARASKEVIS, PARASKEVI, PARASKEVOPOULOS]),
        (
            "αγ",
            &[
                NIKOLAOU, NIKOLAOS, PARASKEVIS, PARASKEVI, ANARGYRON, ANGELOS, AGIANNIS,
            ],
        ),
        // look-alikes are no inflections
        ("αγγελος", &[ANGELOS]),
        ("Νικόλας", &[AGIANNIS]),
        ("nikolaos papadopoulos", &[]),
    ];
    for (query, expected) in table {
        let mut found = names(svc, search(query)).await;
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(found, expected, "search `{query}`");
    }
}

async fn fts_syntax_in_queries_is_never_an_error<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    greek_people(svc).await;
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
        names(svc, search("\"bibis\"*")).await,
        vec!["Μπίμπης Γεώργιος"]
    );
    assert_eq!(
        names(svc, search("NEAR(bibis)")).await,
        Vec::<String>::new(),
        "NEAR is a word, and nobody is called near"
    );
    // a query without words is no filter
    assert_eq!(svc.list(search("  *:()  ")).await.unwrap().total, 13);
}

async fn search_ranks_name_matches_first_then_by_name<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    create(
        svc,
        json!({"name": "Ωραίος Παπάς", "organization": "Νικολάου"}),
    )
    .await;
    create(svc, json!({"name": "Νικολάου Άννα"})).await;
    create(svc, json!({"name": "Νικολάου Αλέξανδρος"})).await;
    let found = names(svc, search("νικολαου")).await;
    assert_eq!(
        found,
        vec!["Νικολάου Αλέξανδρος", "Νικολάου Άννα", "Ωραίος Παπάς"]
    );
}

async fn list_without_search_is_by_folded_name_with_true_totals<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    for n in ["Γάμμα", "άλφα", "Βήτα", "Δέλτα", "Ζήτα", "Έψιλον", "Alpha"]
    {
        create(svc, json!({"name": n})).await;
    }
    let all = names(svc, ListQuery::default()).await;
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

async fn search_totals_are_independent_of_limit_and_offset<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    for i in 0..30 {
        create(svc, json!({"name": format!("Παπαδόπουλος {i:02}")})).await;
    }
    create(svc, json!({"name": "Άλλος"})).await;
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

async fn tag_filter_is_exact_and_ignores_case<S: TestStore>(svc: &Service<S>, _clock: &FixedClock) {
    create(svc, json!({"name": "Α", "tags": ["Ενορία", "vip"]})).await;
    create(svc, json!({"name": "Β", "tags": ["ενορία"]})).await;
    create(svc, json!({"name": "Γ", "tags": ["ενορίες"]})).await;
    create(
        svc,
        json!({"name": "Δ Παπάς", "tags": ["ΕΝΟΡΊΑ", "service"]}),
    )
    .await;
    let tag = |t: &str| ListQuery {
        tag: Some(t.to_owned()),
        ..ListQuery::default()
    };
    assert_eq!(names(svc, tag("ενορία")).await, vec!["Α", "Β", "Δ Παπάς"]);
    assert_eq!(names(svc, tag(" ΕΝΟΡΊΑ ")).await, vec!["Α", "Β", "Δ Παπάς"]);
    assert_eq!(names(svc, tag("VIP")).await, vec!["Α"]);
    assert_eq!(names(svc, tag("ενορ")).await, Vec::<String>::new());
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
    assert_eq!(names(svc, search("service")).await, vec!["Δ Παπάς"]);
    // retagging moves the customer
    let a = svc.list(tag("vip")).await.unwrap().items.remove(0);
    svc.update(a.id, patch(json!({"tags": ["other"]})), None)
        .await
        .unwrap();
    assert_eq!(names(svc, tag("vip")).await, Vec::<String>::new());
    assert_eq!(svc.list(tag("vip")).await.unwrap().total, 0);
    assert_eq!(names(svc, tag("ενορία")).await, vec!["Β", "Δ Παπάς"]);
    assert_eq!(svc.list(tag("ενορία")).await.unwrap().total, 2);
    assert_eq!(svc.list(tag("other")).await.unwrap().total, 1);
}

/// Issue 17: `θεσσαλονικη` finds every customer in Θεσσαλονίκη, and the list filters by
/// city and region (whole names, ignoring case and accents), with a search and a tag too.
async fn location_is_searchable_and_lists_filter_by_city_and_region<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    let macedonia = "Κεντρική Μακεδονία";
    for (name, city, region, tags) in [
        (
            "Ι.Ν. Αγίου Δημητρίου",
            "Θεσσαλονίκη",
            macedonia,
            json!(["ενορία"]),
        ),
        ("Παπαδόπουλος Γιώργος", "ΘΕΣΣΑΛΟΝΙΚΗ", macedonia, json!([])),
        ("Ι.Ν. Αγίας Σοφίας", "Σέρρες", macedonia, json!(["ενορία"])),
        ("Ι.Ν. Αγίου Νικολάου", "Αθήνα", "Αττική", json!(["ενορία"])),
        ("Νέα Θεσσαλονίκη ΑΕ", "Πάτρα", "Δυτική Ελλάδα", json!([])),
    ] {
        create(
            svc,
            json!({"name": name, "tags": tags,
                   "location": {"city": city, "region": region, "country": "Ελλάδα"}}),
        )
        .await;
    }
    create(svc, json!({"name": "Χωρίς Τόπο"})).await;
    let in_thessaloniki = vec![
        "Ι.Ν. Αγίου Δημητρίου",
        "Νέα Θεσσαλονίκη ΑΕ",
        "Παπαδόπουλος Γιώργος",
    ];
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // location words are searchable, in Greek and Greeklish (the name too, for the last)
    assert_eq!(
        sorted(names(svc, search("θεσσαλονικη")).await),
        in_thessaloniki
    );
    assert_eq!(
        sorted(names(svc, search("thessaloniki")).await),
        in_thessaloniki
    );
    assert_eq!(
        sorted(names(svc, search("makedonia")).await),
        vec![
            "Ι.Ν. Αγίας Σοφίας",
            "Ι.Ν. Αγίου Δημητρίου",
            "Παπαδόπουλος Γιώργος"
        ]
    );
    assert_eq!(svc.list(search("ελλαδα")).await.unwrap().total, 5);
    // the city filter is the whole city, ignoring case and accents
    let place = |city: Option<&str>, region: Option<&str>| ListQuery {
        city: city.map(str::to_owned),
        region: region.map(str::to_owned),
        ..ListQuery::default()
    };
    let both = vec!["Ι.Ν. Αγίου Δημητρίου", "Παπαδόπουλος Γιώργος"];
    assert_eq!(names(svc, place(Some("ΘΕΣΣΑΛΟΝΙΚΗ"), None)).await, both);
    assert_eq!(names(svc, place(Some(" θεσσαλονίκη "), None)).await, both);
    assert_eq!(
        svc.list(place(Some("Θεσσαλονίκη"), None))
            .await
            .unwrap()
            .total,
        2
    );
    assert!(names(svc, place(Some("Θεσσαλ"), None)).await.is_empty());
    assert!(
        names(svc, place(Some("thessaloniki"), None))
            .await
            .is_empty()
    );
    assert_eq!(
        names(svc, place(Some("  "), None)).await.len(),
        6,
        "blank: no filter"
    );
    // the region filter likewise
    assert_eq!(
        names(svc, place(None, Some("κεντρικη μακεδονια"))).await,
        vec![
            "Ι.Ν. Αγίας Σοφίας",
            "Ι.Ν. Αγίου Δημητρίου",
            "Παπαδόπουλος Γιώργος"
        ]
    );
    assert!(names(svc, place(None, Some("Μακεδονία"))).await.is_empty());
    assert_eq!(
        names(svc, place(Some("σερρες"), Some("ΚΕΝΤΡΙΚΗ ΜΑΚΕΔΟΝΙΑ"))).await,
        vec!["Ι.Ν. Αγίας Σοφίας"]
    );
    assert!(
        names(svc, place(Some("Σέρρες"), Some("Αττική")))
            .await
            .is_empty()
    );
    // combined with a search word and a tag: all must hold
    let q = ListQuery {
        city: Some("ΘΕΣΣΑΛΟΝΙΚΗ".into()),
        ..search("agiou")
    };
    assert_eq!(names(svc, q).await, vec!["Ι.Ν. Αγίου Δημητρίου"]);
    let q = ListQuery {
        region: Some("Κεντρική Μακεδονία".into()),
        tag: Some("ΕΝΟΡΊΑ".into()),
        ..ListQuery::default()
    };
    assert_eq!(
        names(svc, q).await,
        vec!["Ι.Ν. Αγίας Σοφίας", "Ι.Ν. Αγίου Δημητρίου"]
    );
    let q = ListQuery {
        region: Some("κεντρικη μακεδονια".into()),
        tag: Some("ενορία".into()),
        ..search("sofias")
    };
    let page = svc.list(q).await.unwrap();
    assert_eq!(
        (page.total, page.items[0].name.as_str()),
        (1, "Ι.Ν. Αγίας Σοφίας")
    );
    // moving a customer moves it between filters and searches
    let moved = svc
        .list(place(Some("Σέρρες"), None))
        .await
        .unwrap()
        .items
        .remove(0);
    svc.update(
        moved.id,
        patch(json!({"location": {"city": "Θεσσαλονίκη", "region": macedonia}})),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        svc.list(place(Some("θεσσαλονικη"), None))
            .await
            .unwrap()
            .total,
        3
    );
    assert!(names(svc, place(Some("Σέρρες"), None)).await.is_empty());
    assert!(names(svc, search("serres")).await.is_empty());
}

async fn find_by_contact_in_every_written_form<S: TestStore>(svc: &Service<S>, clock: &FixedClock) {
    let first = create(
        svc,
        json!({"name": "Πρώτος", "contacts": [
            {"type": "phone", "value": "0030 691 234 5678"},
            {"type": "email", "value": "Papas@Enoria.GR"}]}),
    )
    .await;
    clock.advance(Duration::minutes(1));
    let second = create(
        svc,
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

async fn contacts_are_rewritten_on_update<S: TestStore>(svc: &Service<S>, _clock: &FixedClock) {
    let c = create(
        svc,
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
    // and the search index follows
    assert_eq!(names(svc, search("old")).await, Vec::<String>::new());
    assert_eq!(names(svc, search("6912")).await, Vec::<String>::new());
    assert_eq!(names(svc, search("new")).await, vec!["Κώστας"]);
    // renaming too
    svc.update(c.id, patch(json!({"name": "Μπάμπης"})), None)
        .await
        .unwrap();
    assert_eq!(names(svc, search("kostas")).await, Vec::<String>::new());
    assert_eq!(names(svc, search("babis")).await, vec!["Μπάμπης"]);
}

async fn stale_versions_change_nothing_and_changes_bump_the_version<S: TestStore>(
    svc: &Service<S>,
    clock: &FixedClock,
) {
    let c = create(svc, json!({"name": "Α", "tags": ["x"]})).await;
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
    assert_eq!(names(svc, search("a")).await, vec!["Α"]);

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

async fn invalid_input_names_the_field_and_stores_nothing<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
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
    let c = create(svc, json!({"name": "N"})).await;
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

async fn notes_are_appended_with_author_and_time<S: TestStore>(
    svc: &Service<S>,
    clock: &FixedClock,
) {
    let c = create(svc, json!({"name": "Π. Νικόλαος"})).await;
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

async fn delete_cascades_but_references_make_it_in_use<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    let c = create(
        svc,
        json!({"name": "Μπίμπης", "tags": ["t"], "contacts": [
            {"type": "phone", "value": "6912345678"}]}),
    )
    .await;
    let kept = create(svc, json!({"name": "Μένει", "tags": ["t"]})).await;
    svc.store().refer_to(kept.id).await;

    let r = svc.delete(kept.id, None).await;
    match &r {
        // SQLite cannot tell which table refers ("orders, comms, media"); Firestore can
        Err(Error::InUse { message }) => {
            let prefix = format!("customer {} cannot be deleted: other records (", kept.id);
            assert!(message.starts_with(&prefix), "{message}");
            assert!(message.ends_with(") refer to it"), "{message}");
            assert!(message.contains("orders"), "{message}");
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(svc.get(kept.id).await.unwrap(), kept);
    assert_eq!(names(svc, search("menei")).await, vec!["Μένει"]);

    svc.delete(c.id, None).await.unwrap();
    assert_eq!(names(svc, search("bibis")).await, Vec::<String>::new());
    assert_eq!(svc.find_by_contact("6912345678").await.unwrap(), None);
    assert!(matches!(
        svc.delete(c.id, None).await,
        Err(Error::NotFound { .. })
    ));
    // a new customer may reuse the freed index slot without seeing the old entry
    let d = create(svc, json!({"name": "Νέος"})).await;
    assert_eq!(names(svc, search("neos")).await, vec!["Νέος"]);
    assert_eq!(svc.get(d.id).await.unwrap(), d);
}

async fn records_round_trip_through_the_store<S: TestStore>(svc: &Service<S>, _clock: &FixedClock) {
    let c = create(
        svc,
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
async fn assert_doc_order(svc: &Service<SqliteCustomerStore>) {
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
    let s = sqlite();
    let svc = &s.svc;
    let a = create(svc, json!({"name": "a"})).await;
    create(svc, json!({"name": "b"})).await;
    // every new name lands between "a" and the previous one: the gap halves each time and
    // runs out after 32, so neighbours have to be spread out again
    let mut names_between: Vec<String> = ('a'..='z').rev().map(|c| format!("a{c}")).collect();
    names_between.extend(('0'..='9').rev().map(|c| format!("a{c}")));
    names_between.extend(('a'..='j').rev().map(|c| format!("a0{c}")));
    for n in &names_between {
        create(svc, json!({"name": n})).await;
    }
    assert_doc_order(svc).await;
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
    assert_doc_order(svc).await;
    let all = names(
        svc,
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
        let found = names(svc, search(n)).await;
        assert!(found.contains(n), "{n}: {found:?}");
    }
}

#[tokio::test]
async fn broad_searches_are_listed_by_name_with_exact_totals() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap());
    // above 5 hits a search is listed by name instead of by relevance
    let svc = &Service::new(
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
        create(svc, json!({"name": n})).await;
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
    let ranked = names(svc, search("παππας")).await;
    assert_eq!(ranked.len(), 2);
}

/// What a user notices of the ranking: customers with every word as typed first (in any
/// column: an exact organization still comes before an inflected name), then those with the
/// words in another form, then longer words; within a tier the name counts more.
#[tokio::test]
async fn whole_words_rank_above_inflections_and_longer_words() {
    let s = sqlite();
    let svc = &s.svc;
    for (name, organization) in [
        ("Ιερός Ναός Αγίου Νικολάου", None),
        ("Σύλλογος Άγιος Νικόλαος", None),
        ("Αγιοσύνη Νικολαΐδου", None),
        ("Κωνσταντίνου Μαρία", Some("Άγιος Νικόλαος Κρήτης")),
        ("Νικολαόπουλος Πέτρος", Some("Ιερός Ναός Αγίου Νικολάου")),
    ] {
        create(svc, json!({ "name": name, "organization": organization })).await;
    }
    assert_eq!(
        names(svc, search("Άγιος Νικόλαος")).await,
        vec![
            "Σύλλογος Άγιος Νικόλαος",
            "Κωνσταντίνου Μαρία",
            "Ιερός Ναός Αγίου Νικολάου",
            "Νικολαόπουλος Πέτρος",
        ]
    );
    assert_eq!(
        names(svc, search("agiou nikolaou")).await[0],
        "Ιερός Ναός Αγίου Νικολάου"
    );
    let found = names(svc, search("agios nik")).await;
    assert_eq!(found[0], "Σύλλογος Άγιος Νικόλαος", "{found:?}");
    // every word is also a prefix: Αγιοσύνη starts with αγιος, and comes last
    assert_eq!(found.len(), 5, "{found:?}");
    assert_eq!(found[4], "Αγιοσύνη Νικολαΐδου", "{found:?}");
}

#[tokio::test]
async fn bulk_import_is_searchable_and_ordered() {
    let s = sqlite();
    let svc = &s.svc;
    let start = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let customers = crate::seed::customers(3_000, 1, start).unwrap();
    let some = customers[1234].clone();
    svc.store().import(customers).await.unwrap();
    // a second import lands between the first one's names
    svc.store()
        .import(crate::seed::customers(500, 2, start).unwrap())
        .await
        .unwrap();
    assert_doc_order(svc).await;
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

async fn a_contact_is_added_once_whatever_its_spelling<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    let c = create(
        svc,
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

async fn concurrent_stale_updates_let_exactly_one_win<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    let c = create(svc, json!({"name": "Αρχικό"})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let svc = svc.clone();
        tasks.spawn(async move {
            let name = format!("Νικητής {i}");
            svc.update(c.id, patch(json!({ "name": name })), Some(1))
                .await
        });
    }
    let (mut winners, mut stale) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok(c) => winners.push(c),
            Err(Error::Stale { current_version: 2 }) => stale += 1,
            Err(e) => panic!("a writer failed otherwise: {e:?}"),
        }
    }
    assert_eq!((winners.len(), stale), (1, 9), "{winners:?}");
    let stored = svc.get(c.id).await.unwrap();
    assert_eq!(stored, winners[0]);
    assert_eq!(stored.version, 2);
    assert_eq!(
        names(svc, search("nikitis")).await,
        vec![stored.name.clone()]
    );
    assert_eq!(names(svc, search("arhiko")).await, Vec::<String>::new());
}

async fn concurrent_notes_are_all_kept<S: TestStore>(svc: &Service<S>, _clock: &FixedClock) {
    let c = create(svc, json!({"name": "Σημειώσεις"})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..5 {
        let svc = svc.clone();
        tasks.spawn(async move {
            svc.add_note(c.id, format!("σημείωση {i}"), "a".into())
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let stored = svc.get(c.id).await.unwrap();
    assert_eq!(stored.version, 6);
    let mut texts: Vec<String> = stored.notes.into_iter().map(|n| n.text).collect();
    texts.sort();
    assert_eq!(
        texts,
        (0..5).map(|i| format!("σημείωση {i}")).collect::<Vec<_>>()
    );
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

async fn scan_all<S: CustomerStore>(store: &S, page: u32) -> Vec<Customer> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let records = store.scan(after, page).await.unwrap();
        let Some(last) = records.last() else {
            return all;
        };
        after = Some(last.id);
        all.extend(records);
    }
}

async fn scan_pages_in_id_order_and_put_all_copies_exactly<S: TestStore>(
    svc: &Service<S>,
    _clock: &FixedClock,
) {
    let mut all = Vec::new();
    for i in 0..7 {
        let v = json!({"name": format!("Πελάτης {i}"), "tags": ["t"],
                       "contacts": [{"type": "phone", "value": format!("69123456{i:02}")}]});
        all.push(create(svc, v).await);
    }
    all.sort_by_key(|c| c.id.to_string());
    assert_eq!(scan_all(svc.store(), 3).await, all);
    assert!(svc.store().scan(None, 0).await.unwrap().is_empty());
    let after_last = svc.store().scan(Some(all[6].id), 10).await.unwrap();
    assert!(after_last.is_empty());

    // one record changed as another store has it, one new, the others as they are
    let changed = Customer {
        name: "Μετονομασμένος".into(),
        version: 7,
        tags: vec!["Άλλο".into()],
        contacts: Vec::new(),
        created_at: ts("2020-05-01T08:00:00.123456Z"),
        updated_at: ts("2027-01-01T00:00:00Z"),
        ..all[2].clone()
    };
    let copy = Customer {
        id: Uuid::new_v4(),
        name: "Αντίγραφο".into(),
        version: 3,
        created_at: ts("2019-01-01T00:00:00Z"),
        ..all[0].clone()
    };
    let mut records = all.clone();
    records[2] = changed.clone();
    records.push(copy.clone());
    svc.store().put_all(records.clone()).await.unwrap();
    svc.store().put_all(records.clone()).await.unwrap();
    records.sort_by_key(|c| c.id.to_string());
    assert_eq!(scan_all(svc.store(), 100).await, records);
    assert_eq!(svc.get(copy.id).await.unwrap(), copy);
    assert_eq!(svc.get(changed.id).await.unwrap(), changed);

    // search, tags and contacts follow what was put
    assert_eq!(
        names(svc, search("metonomasmenos")).await,
        vec!["Μετονομασμένος"]
    );
    let pelatis = svc.list(search("pelatis")).await.unwrap();
    assert_eq!(
        pelatis.total, 6,
        "the renamed one is no longer found by its old name"
    );
    assert!(pelatis.items.iter().all(|c| c.id != changed.id));
    let tag = |t: &str| ListQuery {
        tag: Some(t.to_owned()),
        ..ListQuery::default()
    };
    assert_eq!(names(svc, tag("άλλο")).await, vec!["Μετονομασμένος"]);
    assert_eq!(svc.list(tag("t")).await.unwrap().total, 7);
    assert_eq!(
        svc.find_by_contact(&all[2].contacts[0].value)
            .await
            .unwrap(),
        None,
        "the changed record has no contacts"
    );
    let phone = &all[0].contacts[0].value;
    assert_eq!(
        svc.find_by_contact(phone).await.unwrap().map(|c| c.id),
        Some(copy.id),
        "the copy, created earlier, owns the number first"
    );
}

// --- SQLite only ---------------------------------------------------------------------------

#[tokio::test]
async fn sqlite_contact_rows_and_index_rows_follow_updates_and_deletes() {
    let s = sqlite();
    contacts_are_rewritten_on_update(&s.svc, &s.clock).await;
    assert_eq!(
        db_count(&s.svc, "SELECT count(*) FROM customer_contacts").await,
        1
    );

    let s = sqlite();
    delete_cascades_but_references_make_it_in_use(&s.svc, &s.clock).await;
    assert_eq!(
        db_count(&s.svc, "SELECT count(*) FROM customer_contacts").await,
        0
    );
    assert_eq!(
        db_count(&s.svc, "SELECT count(*) FROM customer_tags").await,
        1
    );
    assert_eq!(
        db_count(
            &s.svc,
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH 'bibis'"
        )
        .await,
        0
    );
}

/// A database made before migration 12 (customers indexed without their location) gets
/// its customers' locations indexed: searchable and filterable at the first list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_databases_get_location_indexed_by_the_migration() {
    use crate::search;
    use crm_core::Clock as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let old = |i: u32, name: &str, city: &str| {
        crate::model::NewCustomer {
            name: name.into(),
            location: crate::model::Location {
                city: Some(city.into()),
                region: Some("Κεντρική Μακεδονία".into()),
                country: None,
            },
            ..crate::model::NewCustomer::default()
        }
        .into_customer(Uuid::from_u128(u128::from(i)), clock().now())
        .unwrap()
    };
    let customers = [
        old(1, "Αγίου Δημητρίου", "Θεσσαλονίκη"),
        old(2, "Αγίας Σοφίας", "Σέρρες"),
    ];
    {
        // the schema as migrations 01-11 left it, with rows as the store then wrote them
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        crm_core::db::migrations()
            .unwrap()
            .to_version(&mut conn, 11)
            .unwrap();
        for (doc, c) in (1_i64..).zip(&customers) {
            conn.execute(
                "INSERT INTO customers (id, doc, name, sort_key, city, region, created_at,
                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                rusqlite::params![
                    c.id.to_string(),
                    doc,
                    c.name,
                    search::fold(&c.name),
                    c.location.city,
                    c.location.region,
                    c.created_at,
                ],
            )
            .unwrap();
            let d = search::document(c);
            conn.execute(
                "INSERT INTO customers_fts (rowid, name, organization, contacts, tags, tag_ids)
                 VALUES (?1, ?2, '', '', '', '')",
                rusqlite::params![doc, d.name],
            )
            .unwrap();
        }
    }
    let db = Db::open(&path).unwrap();
    let store = SqliteCustomerStore::new(db);
    let svc = Service::new(store.clone(), Arc::new(clock()));
    let found = |page: crate::model::Page<Customer>| {
        page.items.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    assert_eq!(
        found(svc.list(search("thessaloniki")).await.unwrap()),
        vec!["Αγίου Δημητρίου"]
    );
    let city = ListQuery {
        city: Some("ΣΕΡΡΕΣ".into()),
        ..ListQuery::default()
    };
    assert_eq!(found(svc.list(city).await.unwrap()), vec!["Αγίας Σοφίας"]);
    // names stay searchable; nothing is left pending, and a reindex has nothing to do
    assert_eq!(svc.list(search("sofias")).await.unwrap().total, 1);
    assert_eq!(
        db_count(&svc, "SELECT count(*) FROM customers_fts_pending").await,
        0
    );
    assert_eq!(store.catch_up().await.unwrap(), 0);
}

#[tokio::test]
async fn sqlite_put_all_again_changes_nothing_not_even_doc_numbers() {
    let s = sqlite();
    let svc = &s.svc;
    let start = ts("2026-01-01T00:00:00Z");
    let customers = crate::seed::customers(300, 3, start).unwrap();
    svc.store().put_all(customers.clone()).await.unwrap();
    assert_doc_order(svc).await;
    let docs = |svc: &Service<SqliteCustomerStore>| {
        let db = svc.store().db().clone();
        async move {
            db.read(|c| {
                let mut stmt = c.prepare("SELECT id, doc, version FROM customers ORDER BY id")?;
                let rows = stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })?;
                Ok::<_, Error>(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
            .unwrap()
        }
    };
    let before = docs(svc).await;
    assert_eq!(before.len(), 300);
    svc.store().put_all(customers.clone()).await.unwrap();
    assert_eq!(docs(svc).await, before);
    // a renamed record moves in the order, its index entry along
    let mut renamed = customers[10].clone();
    renamed.name = "Ωμέγας Τελευταίος".into();
    svc.store().put_all(vec![renamed.clone()]).await.unwrap();
    assert_doc_order(svc).await;
    assert_eq!(svc.get(renamed.id).await.unwrap(), renamed);
    assert_eq!(
        names(svc, search("omegas teleft")).await,
        vec!["Ωμέγας Τελευταίος"]
    );
}

// --- Firestore only ------------------------------------------------------------------------

/// A customer as BellSystems' Python console writes it: no version, none of our derived
/// fields, naive ISO timestamps, no `updated_at`, no `owned_items`, contacts without
/// `primary` or `e164`, and a field of its own.
fn console_document() -> firestore::Fields {
    firestore::fields_from_json(
        json!({
            "name": "Ιερός Ναός Αγίου Σπυρίδωνος",
            "organization": null,
            "contacts": [
                {"type": "phone", "value": "210 412 3456", "label": "γραφείο"},
                {"type": "email", "value": "Naos@Spyridon.GR"}
            ],
            "notes": [{"text": "Θέλει ρολόι", "by": "console", "at": "2026-02-01T09:30:00"}],
            "location": {"city": "Πειραιάς"},
            "language": "el",
            "tags": ["Ενορία"],
            "linked_user_ids": null,
            "created_at": "2026-01-15 08:00:00",
            "console_flag": true
        })
        .as_object()
        .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firestore_reads_console_documents_lists_them_after_reindex_and_updates_them() {
    let s = firestore();
    let (svc, store) = (&s.svc, s.svc.store());
    create(svc, json!({"name": "Άλλος Πελάτης"})).await;
    let id = Uuid::new_v4();
    let path = firestore::doc_path(&store.collections().customers(), &id.to_string());
    store
        .client()
        .patch(&path, &console_document(), None, None)
        .await
        .unwrap();

    let c = svc.get(id).await.unwrap();
    assert_eq!(c.version, 1);
    assert_eq!(c.name, "Ιερός Ναός Αγίου Σπυρίδωνος");
    assert_eq!(c.created_at, ts("2026-01-15T08:00:00Z"));
    assert_eq!(c.updated_at, c.created_at, "no updated_at: created_at");
    assert_eq!(c.notes[0].at, ts("2026-02-01T09:30:00Z"));
    assert!(c.owned_items.is_empty() && c.linked_user_ids.is_empty());
    assert_eq!(c.location.city.as_deref(), Some("Πειραιάς"));
    assert_eq!(c.location.region, None);
    assert!(!c.contacts[0].primary);
    assert_eq!(c.contacts[0].label.as_deref(), Some("γραφείο"));

    // search reads the record's own fields; the list by name needs the derived sort key,
    // which a reindex writes
    assert_eq!(
        names(svc, search("spyridonos")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 1);
    assert_eq!(store.reindex().await.unwrap(), 1);
    assert_eq!(store.reindex().await.unwrap(), 0, "nothing stale any more");
    assert_eq!(
        names(svc, search("agiou spyridon")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    assert_eq!(
        names(svc, search("2104")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    let tagged = ListQuery {
        tag: Some("ΕΝΟΡΊΑ".into()),
        ..ListQuery::default()
    };
    assert_eq!(
        names(svc, tagged).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 2);
    for contact in ["+30 210 4123456", "naos@spyridon.gr"] {
        let found = svc.find_by_contact(contact).await.unwrap();
        assert_eq!(found.map(|c| c.id), Some(id), "{contact}");
    }

    // our next write completes the document and keeps the console's own field
    let updated = svc
        .update(id, patch(json!({"tags": ["Ενορία", "vip"]})), Some(1))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.notes, c.notes);
    let doc = store.client().get(&path).await.unwrap().unwrap();
    assert_eq!(doc.fields["version"], firestore::Value::Integer(2));
    assert!(matches!(
        doc.fields["created_at"],
        firestore::Value::Timestamp(_)
    ));
    assert!(matches!(
        doc.get("notes").and_then(|n| match n {
            firestore::Value::Array(a) => a.first()?.get("at"),
            _ => None,
        }),
        Some(firestore::Value::Timestamp(_))
    ));
    assert_eq!(doc.fields["owned_items"], firestore::Value::Array(vec![]));
    assert_eq!(doc.fields["console_flag"], firestore::Value::Boolean(true));
    assert_eq!(svc.get(id).await.unwrap(), updated);
}

/// Another store instance on the same collections, with a search index of its own: another
/// process as far as `store`'s index knows.
fn other_process(store: &FirestoreCustomerStore, clock: &FixedClock) -> FirestoreCustomerStore {
    FirestoreCustomerStore::new(store.client().clone(), store.collections().clone())
        .with_clock(Arc::new(clock.clone()))
}

/// Asks `q` until `names` are the answer, for at most 20 s (a background reload's pace).
async fn eventually<S: CustomerStore>(svc: &Service<S>, q: ListQuery, names_: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = names(svc, q.clone()).await;
        if found == names_ {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{q:?}: still {found:?}, expected {names_:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn total<S: CustomerStore>(svc: &Service<S>, q: ListQuery) -> u64 {
    svc.list(q).await.unwrap().total
}

fn tagged(tag: &str) -> ListQuery {
    ListQuery {
        tag: Some(tag.into()),
        ..ListQuery::default()
    }
}

/// Another CRM process creates, renames and deletes customers: a store refreshing its search
/// index every 50 ms answers each change after that interval, one refreshing every hour
/// does not (the bound the settings promise), and deletions that no page shows reach the
/// totals with the next full reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firestore_searches_see_other_processes_changes_after_the_refresh_interval() {
    const REFRESH: std::time::Duration = std::time::Duration::from_millis(50);
    let s = firestore();
    let (other, clock) = (&s.svc, &s.clock);
    let service = |store: FirestoreCustomerStore| Service::new(store, Arc::new(clock.clone()));
    let fresh = service(other_process(other.store(), clock).with_search_refresh(REFRESH));
    let hourly = service(
        other_process(other.store(), clock)
            .with_search_refresh(std::time::Duration::from_secs(3600)),
    );
    let reloading = service(
        other_process(other.store(), clock)
            .with_search_refresh(std::time::Duration::from_secs(3600))
            .with_search_reload(REFRESH),
    );
    let maria = create(other, json!({"name": "Νικολάου Μαρία", "tags": ["VIP"]})).await;
    for svc in [&fresh, &hourly, &reloading] {
        assert_eq!(names(svc, search("nikolaou")).await, vec!["Νικολάου Μαρία"]);
    }

    let giorgos = create(
        other,
        json!({"name": "Παπαδόπουλος Γιώργος", "tags": ["vip"],
               "contacts": [{"type": "phone", "value": "694 412 3456"}]}),
    )
    .await;
    tokio::time::sleep(2 * REFRESH).await;
    assert_eq!(
        names(&fresh, search("papadopoulos")).await,
        vec!["Παπαδόπουλος Γιώργος"]
    );
    assert_eq!(
        names(&fresh, search("+30 694 41")).await,
        vec!["Παπαδόπουλος Γιώργος"]
    );
    assert_eq!(
        names(&fresh, tagged("vip")).await,
        vec!["Νικολάου Μαρία", "Παπαδόπουλος Γιώργος"]
    );
    assert_eq!(
        total(&hourly, search("papadopoulos")).await,
        0,
        "not asked yet"
    );

    other
        .update(
            giorgos.id,
            patch(json!({"name": "Γεωργίου Γιώργος"})),
            Some(1),
        )
        .await
        .unwrap();
    tokio::time::sleep(2 * REFRESH).await;
    assert_eq!(total(&fresh, search("papadopoulos")).await, 0);
    assert_eq!(
        names(&fresh, search("georgiou giorgos")).await,
        vec!["Γεωργίου Γιώργος"]
    );

    // a delete leaves nothing to query for: a page that shows the customer finds it gone
    other.delete(giorgos.id, Some(2)).await.unwrap();
    let page = fresh.list(search("georgiou")).await.unwrap();
    assert_eq!((page.total, page.items.len()), (0, 0));
    assert_eq!(names(&fresh, tagged("vip")).await, vec!["Νικολάου Μαρία"]);
    // ... and a total without a page, with the next full reload
    eventually(&reloading, tagged("vip"), &["Νικολάου Μαρία"]).await;
    other.delete(maria.id, Some(1)).await.unwrap();
    let count_only = ListQuery {
        limit: Some(0),
        ..tagged("vip")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while total(&reloading, count_only.clone()).await != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the deletion never reached the total"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(reloading.store().search_index_stats().reloads >= 1);
    assert_eq!(reloading.store().search_index_stats().loads, 1);
}

/// A customer the Python console writes (none of our derived fields, string timestamps or
/// none) is found by search and the tag filter without a reindex: at once when written
/// before the index loads; after the refresh interval when it has a timestamp `updated_at`;
/// after the next full reload when it has none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firestore_finds_console_documents_without_reindex() {
    const REFRESH: std::time::Duration = std::time::Duration::from_millis(50);
    let s = firestore();
    let store = other_process(s.svc.store(), &s.clock)
        .with_search_refresh(REFRESH)
        .with_search_reload(std::time::Duration::from_millis(500));
    let svc = Service::new(store.clone(), Arc::new(s.clock.clone()));
    let write_raw = |fields: firestore::Fields| {
        let (store, id) = (store.clone(), Uuid::new_v4());
        async move {
            let path = firestore::doc_path(&store.collections().customers(), &id.to_string());
            store
                .client()
                .patch(&path, &fields, None, None)
                .await
                .unwrap();
            id
        }
    };
    let spyridon = write_raw(console_document()).await;
    assert_eq!(
        names(&svc, search("agiou spyridon")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    assert_eq!(
        names(&svc, search("+30 210 412")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"],
        "its number has no e164: normalised for the index"
    );
    assert_eq!(
        names(&svc, tagged("ΕΝΟΡΊΑ")).await,
        vec!["Ιερός Ναός Αγίου Σπυρίδωνος"]
    );
    let found = svc.list(search("spyridon")).await.unwrap();
    assert_eq!(found.items[0].id, spyridon);

    // written after the index loaded, with `updated_at` a timestamp (a Python datetime)
    let mut dated = console_document();
    dated.insert(
        "name".into(),
        firestore::Value::String("Ναός Αγίας Βαρβάρας".into()),
    );
    dated.insert(
        "updated_at".into(),
        firestore::Value::Timestamp(firestore::Timestamp::parse("2026-03-01T10:00:00Z").unwrap()),
    );
    write_raw(dated).await;
    tokio::time::sleep(2 * REFRESH).await;
    assert_eq!(
        names(&svc, search("agias varvaras")).await,
        vec!["Ναός Αγίας Βαρβάρας"]
    );

    // written after the index loaded without `updated_at`: only a full reload sees it
    let mut undated = console_document();
    undated.insert(
        "name".into(),
        firestore::Value::String("Ναός Αγίου Φανουρίου".into()),
    );
    write_raw(undated).await;
    eventually(&svc, search("fanouriou"), &["Ναός Αγίου Φανουρίου"]).await;
    assert_eq!(
        names(&svc, tagged("ενορία")).await,
        vec![
            "Ιερός Ναός Αγίου Σπυρίδωνος",
            "Ναός Αγίας Βαρβάρας",
            "Ναός Αγίου Φανουρίου"
        ]
    );
    assert_eq!(
        store.reindex().await.unwrap(),
        3,
        "no derived fields were written"
    );
}

/// Many first searches at once load the index once, and all get the same exact answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn firestore_concurrent_first_searches_load_the_index_once() {
    let s = firestore();
    for name in [
        "Παπαδάκης Νίκος",
        "Παπαδοπούλου Ελένη",
        "Παπάς Ιωάννης",
        "Λαμπράκης Δημήτρης",
    ] {
        create(&s.svc, json!({"name": name})).await;
    }
    let store = other_process(s.svc.store(), &s.clock);
    let svc = Arc::new(Service::new(store.clone(), Arc::new(s.clock.clone())));
    let searches: Vec<_> = (0..16)
        .map(|i| {
            let svc = Arc::clone(&svc);
            let q = if i % 2 == 0 {
                search("papad")
            } else {
                tagged("none")
            };
            tokio::spawn(async move { (i, svc.list(q).await.unwrap()) })
        })
        .collect();
    for search in searches {
        let (i, page) = search.await.unwrap();
        let names: Vec<String> = page.items.into_iter().map(|c| c.name).collect();
        if i % 2 == 0 {
            assert_eq!(names, vec!["Παπαδάκης Νίκος", "Παπαδοπούλου Ελένη"]);
            assert_eq!(page.total, 2);
        } else {
            assert!(names.is_empty() && page.total == 0);
        }
    }
    let stats = store.search_index_stats();
    assert_eq!((stats.loads, stats.customers), (1, 4));
}

#[derive(Debug)]
struct CommsRefer(Uuid);

impl crate::store::Referrers for CommsRefer {
    fn referring_to(
        &self,
        customer: Uuid,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = crate::Result<Option<String>>> + Send + '_>,
    > {
        Box::pin(async move { Ok((customer == self.0).then(|| "comms entries".to_owned())) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firestore_delete_asks_the_referrers_hook() {
    let s = firestore();
    let svc = &s.svc;
    let referred = create(svc, json!({"name": "Με μηνύματα"})).await;
    let free = create(svc, json!({"name": "Χωρίς"})).await;
    let svc = Service::new(
        svc.store()
            .clone()
            .with_referrers(Arc::new(CommsRefer(referred.id))),
        Arc::new(s.clock.clone()),
    );
    match svc.delete(referred.id, Some(1)).await {
        Err(Error::InUse { message }) => assert_eq!(
            message,
            format!(
                "customer {} cannot be deleted: other records (comms entries) refer to it",
                referred.id
            )
        ),
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(svc.get(referred.id).await.unwrap(), referred);
    svc.delete(free.id, Some(1)).await.unwrap();
    assert!(matches!(
        svc.get(free.id).await,
        Err(Error::NotFound { .. })
    ));
}

/// SQLite → Firestore → SQLite of 10,000 generated customers, page by page through scan and
/// put_all, gives the same API JSON, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_firestore_to_sqlite_copies_10_000_customers_exactly() {
    const N: usize = 10_000;
    const PAGE: u32 = 5_000;
    // a project of its own, emptied at the end: the emulator's queries slow down with every
    // document it holds
    let client = firestore::testing::isolated_client();
    let fs = FirestoreCustomerStore::new(client.clone(), Collections::new(""));
    let (a, b) = (sqlite(), sqlite());
    let customers = crate::seed::customers(N, 11, ts("2025-06-01T00:00:00Z")).unwrap();
    a.svc.store().import(customers).await.unwrap();

    async fn copy<F: CustomerStore, T: CustomerStore>(from: &F, to: &T, page: u32) -> f64 {
        let (mut after, mut put, mut copied) = (None, std::time::Duration::ZERO, 0usize);
        loop {
            let records = from.scan(after, page).await.unwrap();
            let Some(last) = records.last() else {
                return copied as f64 / put.as_secs_f64();
            };
            after = Some(last.id);
            copied += records.len();
            let t = std::time::Instant::now();
            to.put_all(records).await.unwrap();
            put += t.elapsed();
        }
    }
    let into_firestore = copy(a.svc.store(), &fs, PAGE).await;
    let into_sqlite = copy(&fs, b.svc.store(), PAGE).await;
    println!(
        "put_all: {into_firestore:.0} docs/s into the emulator, {into_sqlite:.0} docs/s into SQLite"
    );

    let json = |records: Vec<Customer>| -> Vec<String> {
        records
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect()
    };
    let original = json(scan_all(a.svc.store(), PAGE).await);
    assert_eq!(original.len(), N);
    let in_firestore = json(scan_all(&fs, PAGE).await);
    assert!(
        in_firestore == original,
        "Firestore differs from the original"
    );
    let back = json(scan_all(b.svc.store(), PAGE).await);
    assert!(back == original, "the copy back differs from the original");
    assert_doc_order(&b.svc).await;
    firestore::testing::clear(&client).await;
}
