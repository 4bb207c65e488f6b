//! Import stories on real-looking files (`tests/fixtures/import/`): each generic over the
//! store, run on SQLite and on Firestore (the emulator of `FIRESTORE_EMULATOR_HOST`) by
//! [`both!`]; the jobs are in a temporary SQLite database either way.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crm_core::firestore::Collections;
use crm_core::{Db, FixedClock, Timestamp};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::Result;
use crate::model::{ContactType, NewCustomer};
use crate::service::{Customers, Service};
use crate::store::firestore::FirestoreCustomerStore;
use crate::store::sqlite::SqliteCustomerStore;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Setup<S> {
    svc: Service<S>,
    importer: Importer<S>,
    _dir: tempfile::TempDir,
}

fn clock() -> FixedClock {
    FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
}

fn setup<S: CustomerStore + Clone>(store: impl FnOnce(&Db) -> S) -> Setup<S> {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = Arc::new(clock());
    let store = store(&db);
    Setup {
        svc: Service::new(store.clone(), clock.clone()),
        importer: Importer::new(store, db, clock),
        _dir: dir,
    }
}

fn sqlite() -> Setup<SqliteCustomerStore> {
    setup(|db| SqliteCustomerStore::new(db.clone()))
}

fn firestore() -> Setup<FirestoreCustomerStore> {
    setup(|_| {
        FirestoreCustomerStore::new(
            firestore::testing::client(),
            Collections::new(firestore::testing::collection_prefix("imports")),
        )
    })
}

/// Runs each story on both stores: `on_sqlite::story` and `on_firestore::story`.
macro_rules! both {
    ($($story:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let s = super::sqlite();
                    super::$story(&s).await;
                }
            )*
        }
        mod on_firestore {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let s = super::firestore();
                    super::$story(&s).await;
                }
            )*
        }
    };
}

both!(
    a_greek_file_gets_every_outcome_and_the_run_does_what_the_dry_run_said,
    a_second_run_of_the_same_file_changes_nothing,
);

fn options(file_name: &str) -> ImportOptions {
    ImportOptions {
        file_name: file_name.to_owned(),
        mapping: None,
        key: MatchKey::Contacts,
    }
}

async fn all<S: CustomerStore>(store: &S) -> Vec<Customer> {
    let mut out: Vec<Customer> = Vec::new();
    loop {
        let page = store.scan(out.last().map(|c| c.id), 500).await.unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

async fn report<S: CustomerStore>(imp: &Importer<S>, id: Uuid) -> Vec<RowReport> {
    imp.rows(id, None, 0, 100_000).await.unwrap()
}

/// The customer the parishes file meets already: matched by e-mail (other case) by row 11,
/// and by phone by row 12.
async fn kifisia<S: CustomerStore>(svc: &Service<S>) -> Customer {
    svc.create(
        serde_json::from_value::<NewCustomer>(json!({
            "name": "Ι.Ν. Αγίου Γεωργίου Κηφισιάς",
            "contacts": [
                {"type": "email", "value": "Grafeio@AgiosGeorgios.gr"},
                {"type": "phone", "value": "+302108011234"},
            ],
            "tags": ["Ενορία"],
        }))
        .unwrap(),
    )
    .await
    .unwrap()
}

fn outcomes(rows: &[RowReport]) -> Vec<(u32, Outcome)> {
    rows.iter().map(|r| (r.row, r.outcome.clone())).collect()
}

async fn a_greek_file_gets_every_outcome_and_the_run_does_what_the_dry_run_said<
    S: CustomerStore + Clone,
>(
    s: &Setup<S>,
) {
    let existing = kifisia(&s.svc).await;
    let imp = &s.importer;
    let job = imp
        .plan(
            &fixture("parishes-utf8-bom.csv"),
            options("ενορίες.csv"),
            "maria",
        )
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::Planned);
    assert_eq!(
        (job.encoding, job.delimiter),
        (Encoding::Utf8Bom, Delimiter::Comma)
    );
    let error = |column: &str, reason: &str| Outcome::Error {
        column: column.into(),
        reason: reason.into(),
    };
    let want = vec![
        (2, Outcome::Create),
        (3, Outcome::Create),
        (4, Outcome::Create),
        (5, Outcome::Skip { duplicate_of: 2 }),
        (6, error("Email", "is not an e-mail address (name@domain)")),
        (8, Outcome::Create),
        (
            9,
            error(
                "Επωνυμία",
                "is empty: a row needs a name or an organization",
            ),
        ),
        (
            10,
            error(
                "Τηλέφωνο",
                "is not a phone number (Greek, or international with +)",
            ),
        ),
        (
            11,
            Outcome::Update {
                customer_id: existing.id,
                fields: vec!["location.city".into(), "tags".into()],
            },
        ),
        (12, Outcome::Skip { duplicate_of: 11 }),
    ];
    let planned = report(imp, job.id).await;
    assert_eq!(outcomes(&planned), want);
    assert!(
        planned
            .iter()
            .all(|r| !r.written && r.customer_id.is_none())
    );
    assert_eq!(
        job.totals,
        Totals {
            rows: 10,
            create: 4,
            update: 1,
            unchanged: 0,
            skip: 2,
            error: 3
        }
    );
    assert_eq!(
        all(s.svc.store()).await,
        vec![existing.clone()],
        "dry run wrote"
    );

    let seen = Arc::new(AtomicU64::new(0));
    let control = RunControl::new().on_progress({
        let seen = seen.clone();
        move |p| seen.store(p.done * 1000 + p.total, Ordering::SeqCst)
    });
    let done = imp.run(job.id, &control).await.unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!((done.written, done.totals), (10, job.totals));
    assert_eq!(seen.load(Ordering::SeqCst), 10_010, "progress 10 of 10");
    let ran = report(imp, job.id).await;
    assert_eq!(outcomes(&ran), want, "the run did what the dry run said");
    assert!(ran.iter().all(|r| r.written));

    let customers = all(s.svc.store()).await;
    assert_eq!(customers.len(), 5);
    let by_name = |name: &str| {
        customers
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} not imported"))
    };
    let created = |row: u32| ran.iter().find(|r| r.row == row).unwrap().customer_id;
    let papas = by_name("Π. Γεώργιος Παπαδόπουλος");
    assert_eq!(created(2), Some(papas.id));
    assert_eq!(papas.organization.as_deref(), Some("Ι.Ν. Αγίου Νικολάου"));
    let e164: Vec<(ContactType, Option<&str>, Option<&str>)> = papas
        .contacts
        .iter()
        .map(|c| (c.kind, c.e164.as_deref(), c.label.as_deref()))
        .collect();
    assert_eq!(
        e164,
        [
            (ContactType::Phone, Some("+302101234567"), None),
            (ContactType::Phone, Some("+306912345678"), Some("κινητό")),
            (ContactType::Email, None, None),
        ]
    );
    assert_eq!(papas.tags, ["ενορία", "vip"]);
    assert_eq!(
        papas.notes[0].text,
        "Καμπάνες: 3\nΗλεκτρομηχανικό σύστημα, 2019"
    );
    assert_eq!(papas.notes[0].by, "maria");
    assert_eq!(
        (
            papas.location.city.as_deref(),
            papas.location.region.as_deref()
        ),
        (Some("Αθήνα"), Some("Αττικής"))
    );
    for (name, number) in [
        ("Ι.Ν. Αγίας Τριάδας", "+302310123456"),
        ("Μητρόπολη Πατρών", "+302610222333"),
        ("Άγιος Δημήτριος", "+306944000111"),
    ] {
        assert_eq!(
            by_name(name).contacts[0].e164.as_deref(),
            Some(number),
            "{name}"
        );
    }
    let updated = s.svc.get(existing.id).await.unwrap();
    assert_eq!(updated.version, existing.version + 1);
    assert_eq!(updated.name, existing.name, "never renamed");
    assert_eq!(updated.contacts, existing.contacts, "nothing new");
    assert_eq!(updated.tags, ["Ενορία", "Κηφισιά"]);
    assert_eq!(updated.location.city.as_deref(), Some("Κηφισιά"));
    // found by contact like any customer
    let found = s.svc.find_by_contact("0030 210 123 4567").await.unwrap();
    assert_eq!(found.map(|c| c.id), Some(papas.id));
}

async fn a_second_run_of_the_same_file_changes_nothing<S: CustomerStore + Clone>(s: &Setup<S>) {
    kifisia(&s.svc).await;
    let imp = &s.importer;
    let file = fixture("parishes-utf8-bom.csv");
    let first = imp.plan(&file, options("a.csv"), "maria").await.unwrap();
    imp.run(first.id, &RunControl::new()).await.unwrap();
    let before = all(s.svc.store()).await;

    let again = imp.plan(&file, options("a.csv"), "maria").await.unwrap();
    assert_eq!(
        again.totals,
        Totals {
            rows: 10,
            create: 0,
            update: 0,
            unchanged: 5,
            skip: 2,
            error: 3
        }
    );
    let done = imp.run(again.id, &RunControl::new()).await.unwrap();
    assert_eq!(done.totals, again.totals);
    assert_eq!(all(s.svc.store()).await, before, "nothing changed");
    let rows = report(imp, again.id).await;
    for r in rows {
        if let Outcome::Unchanged { customer_id } = r.outcome {
            assert_eq!(r.customer_id, Some(customer_id));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_excel_files_in_windows_1253_with_semicolons_are_read() {
    let s = sqlite();
    let p = s
        .importer
        .preview(&fixture("excel-windows-1253.csv"), None, 10)
        .unwrap();
    assert_eq!(
        (p.encoding, p.delimiter),
        (Encoding::Windows1253, Delimiter::Semicolon)
    );
    assert_eq!(
        p.suggested,
        [
            Field::Name,
            Field::Organization,
            Field::Phone,
            Field::Mobile,
            Field::Email,
            Field::City,
            Field::Region,
            Field::Notes
        ]
    );
    assert_eq!(p.total_rows, 3);
    let c: Vec<&Customer> = p
        .rows
        .iter()
        .map(|r| r.customer.as_ref().unwrap())
        .collect();
    assert_eq!(c[0].name, "Άννα Αθανασίου");
    assert_eq!(c[0].contacts[0].e164.as_deref(), Some("+302610333444"));
    assert_eq!(c[0].contacts[1].e164.as_deref(), Some("+306970001111"));
    assert_eq!(c[0].notes[0].text, "Ώρα λειτουργίας 08:00");
    assert_eq!(c[1].name, "Ώριμος Έλληνας");
    assert_eq!(c[1].notes[0].text, "Ύψος καμπαναριού; 12 μ.");
    assert_eq!(c[2].organization.as_deref(), Some("Ι.Ν. Όσιου Λουκά"));
    assert_eq!(c[2].location.city.as_deref(), Some("Άμφισσα"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iso_8859_7_and_english_tab_separated_files_are_read() {
    let s = sqlite();
    let p = s
        .importer
        .preview(&fixture("unix-iso-8859-7.csv"), None, 10)
        .unwrap();
    assert_eq!(
        (p.encoding, p.delimiter),
        (Encoding::Iso8859_7, Delimiter::Comma)
    );
    let c = p.rows[0].customer.as_ref().unwrap();
    assert_eq!(c.name, "Άγιος Αθανάσιος");
    assert_eq!(c.organization.as_deref(), Some("Ι.Ν. Αγίου Αθανασίου"));
    assert_eq!(c.contacts[0].e164.as_deref(), Some("+302107654321"));
    let c = p.rows[1].customer.as_ref().unwrap();
    assert_eq!(
        (c.name.as_str(), c.location.city.as_deref()),
        ("Όσιος Ευθύμιος", Some("Λαμία"))
    );

    let p = s
        .importer
        .preview(&fixture("english-utf8.tsv"), None, 10)
        .unwrap();
    assert_eq!((p.encoding, p.delimiter), (Encoding::Utf8, Delimiter::Tab));
    let c = p.rows[0].customer.as_ref().unwrap();
    assert_eq!(c.name, "Fr. John Smith");
    assert_eq!(c.language, "en");
    assert_eq!(c.contacts[0].e164.as_deref(), Some("+442079460958"));
    assert_eq!(c.contacts[1].value, "john@stnicholas.org.uk");
    assert_eq!(c.tags, ["abroad"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_download_as_a_csv_with_an_error_column_for_excel() {
    let s = sqlite();
    let job = s
        .importer
        .plan(&fixture("parishes-utf8-bom.csv"), options("x.csv"), "maria")
        .await
        .unwrap();
    let csv = s.importer.error_csv(job.id).await.unwrap();
    let text = std::str::from_utf8(csv.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
    assert_eq!(
        text,
        "Επωνυμία,Ενορία,Τηλέφωνο,Κινητό,Email,Πόλη,Νομός,Ετικέτες,Παρατηρήσεις,error\r\n\
         Κοιμήσεως Θεοτόκου,,,693 123 4567,not-an-email,Λάρισα,,,,\
         Email: is not an e-mail address (name@domain)\r\n\
         ,,2221012345,,,,,,,Επωνυμία: is empty: a row needs a name or an organization\r\n\
         Παρεκκλήσι Αγίου Φανουρίου,,12ab,,,,,,,\
         \"Τηλέφωνο: is not a phone number (Greek, or international with +)\"\r\n"
    );
    // the fixed file imports like any other
    let fixed = s.importer.preview(&csv, None, 5).unwrap();
    assert_eq!(fixed.mapping.last(), Some(&Field::Ignore));
}

fn generated(rows: usize) -> Vec<u8> {
    let mut out = String::from("Επωνυμία;Κινητό;Πόλη\r\n");
    for i in 0..rows {
        out.push_str(&format!("Ενορία {i};69{:08};Αθήνα\r\n", 10_000_000 + i));
    }
    out.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_after_whole_batches() {
    let s = sqlite();
    let job = s
        .importer
        .plan(&generated(5_000), options("big.csv"), "maria")
        .await
        .unwrap();
    assert_eq!(job.totals.create, 5_000);
    let control = RunControl::new();
    let control = control.clone().on_progress({
        let control = control.clone();
        move |_| control.cancel()
    });
    let done = s.importer.run(job.id, &control).await.unwrap();
    assert_eq!(done.status, JobStatus::Cancelled);
    let written = usize::try_from(done.written).unwrap();
    assert!(written > 0 && written < 5_000, "{written}");
    assert_eq!(written % BATCH_ROWS, 0, "whole batches");
    assert!(done.finished_at.is_some());
    let rows = report(&s.importer, job.id).await;
    let mut ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.written)
        .map(|r| r.customer_id.unwrap())
        .collect();
    assert_eq!(ids.len(), written);
    assert!(
        rows.iter()
            .filter(|r| !r.written)
            .all(|r| r.customer_id.is_none())
    );
    let mut stored: Vec<Uuid> = all(s.svc.store()).await.iter().map(|c| c.id).collect();
    ids.sort();
    stored.sort();
    assert_eq!(stored, ids, "the report says exactly what was written");
    // a job runs once; a new import of the file writes the rest
    match s.importer.run(job.id, &RunControl::new()).await {
        Err(Error::Conflict { message }) => assert!(message.contains("cancelled"), "{message}"),
        other => panic!("{other:?}"),
    }
    let rest = s
        .importer
        .plan(&generated(5_000), options("big.csv"), "maria")
        .await
        .unwrap();
    assert_eq!(
        (rest.totals.create, rest.totals.unchanged),
        (5_000 - done.written, done.written)
    );
    s.importer.run(rest.id, &RunControl::new()).await.unwrap();
    assert_eq!(all(s.svc.store()).await.len(), 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_key_column_matches_by_that_column_alone() {
    let s = sqlite();
    let existing = s
        .svc
        .create(serde_json::from_value(json!({"name": "Ιερός Ναός Αγίας Μαρίνας"})).unwrap())
        .await
        .unwrap();
    let file = "Όνομα,Τηλέφωνο\nΙΕΡΟΣ ΝΑΟΣ ΑΓΙΑΣ ΜΑΡΙΝΑΣ,2101112223\nΝέα Ενορία,2101112223\n";
    let job = s
        .importer
        .plan(
            file.as_bytes(),
            ImportOptions {
                key: MatchKey::Column { column: 0 },
                ..options("k.csv")
            },
            "maria",
        )
        .await
        .unwrap();
    assert_eq!(
        outcomes(&report(&s.importer, job.id).await),
        [
            (
                2,
                Outcome::Update {
                    customer_id: existing.id,
                    fields: vec!["contacts".into()]
                }
            ),
            (3, Outcome::Create),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mappings_that_cannot_work_are_refused_naming_the_field() {
    let s = sqlite();
    let file = b"Name,Phone\nA,2101234567\n";
    let cases = [
        (Some(vec![Field::Name]), MatchKey::Contacts, "mapping"),
        (
            Some(vec![Field::Name, Field::Name]),
            MatchKey::Contacts,
            "mapping[1]",
        ),
        (
            Some(vec![Field::Phone, Field::Ignore]),
            MatchKey::Contacts,
            "mapping",
        ),
        (None, MatchKey::Column { column: 5 }, "key.column"),
        (
            Some(vec![Field::Name, Field::Ignore]),
            MatchKey::Column { column: 1 },
            "key.column",
        ),
    ];
    for (mapping, key, field) in cases {
        let r = s
            .importer
            .plan(
                file,
                ImportOptions {
                    file_name: "f.csv".into(),
                    mapping: mapping.clone(),
                    key,
                },
                "maria",
            )
            .await;
        match r {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{mapping:?}"),
            other => panic!("{mapping:?}: {other:?}"),
        }
    }
    assert!(s.importer.jobs(10).await.unwrap().is_empty());
    match s.importer.plan(b"", options("empty.csv"), "maria").await {
        Err(Error::Invalid { field, .. }) => assert_eq!(field, "file"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_plans_again_so_a_customer_added_meanwhile_is_not_duplicated() {
    let s = sqlite();
    let file = "Όνομα;Κινητό\r\nΙ.Ν. Αγίου Σπυρίδωνα;6977123456\r\n";
    let job = s
        .importer
        .plan(file.as_bytes(), options("s.csv"), "maria")
        .await
        .unwrap();
    assert_eq!(job.totals.create, 1);
    let meanwhile = s
        .svc
        .create(
            serde_json::from_value(json!({"name": "Άγιος Σπυρίδων",
                "contacts": [{"type": "whatsapp", "value": "+30 697 712 3456"}]}))
            .unwrap(),
        )
        .await
        .unwrap();
    let done = s.importer.run(job.id, &RunControl::new()).await.unwrap();
    assert_eq!((done.totals.create, done.totals.unchanged), (0, 1));
    assert_eq!(
        outcomes(&report(&s.importer, job.id).await),
        [(
            2,
            Outcome::Unchanged {
                customer_id: meanwhile.id
            }
        )]
    );
    assert_eq!(all(s.svc.store()).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_shows_rows_with_the_chosen_mapping_and_their_errors() {
    let s = sqlite();
    let file =
        "Α/Α,Ονομα,Τηλ.\n1,Ι.Ν. Αγίου Παύλου,210 3456789\n2,Ι.Ν. Αγίου Πέτρου,ΟΧΙ\n3,Τρίτη,\n";
    let p = s.importer.preview(file.as_bytes(), None, 2).unwrap();
    assert_eq!(p.suggested, [Field::Ignore, Field::Name, Field::Phone]);
    assert_eq!(p.total_rows, 3);
    assert_eq!(p.rows.len(), 2);
    let c = p.rows[0].customer.as_ref().unwrap();
    assert_eq!(c.contacts[0].e164.as_deref(), Some("+302103456789"));
    assert_eq!(
        p.rows[1].error,
        Some(RowError {
            column: "Τηλ.".into(),
            reason: "is not a phone number (Greek, or international with +)".into()
        })
    );
    // headers nobody recognises: everything to map by hand
    let p = s.importer.preview(b"X,Y\nA,B\n", None, 5).unwrap();
    assert_eq!(p.suggested, [Field::Ignore, Field::Ignore]);
    assert_eq!(p.rows[0].error.as_ref().unwrap().column, "name");
    // the phone column read as notes instead
    let mapping = vec![Field::Ignore, Field::Name, Field::Notes];
    let p = s
        .importer
        .preview(file.as_bytes(), Some(mapping.clone()), 5)
        .unwrap();
    assert_eq!(p.mapping, mapping);
    assert_eq!(p.rows[1].customer.as_ref().unwrap().notes[0].text, "ΟΧΙ");
}

#[test]
fn a_row_report_reads_as_the_api_shows_it() {
    let r = RowReport {
        row: 5,
        outcome: Outcome::Skip { duplicate_of: 2 },
        customer_id: None,
        written: true,
    };
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v,
        json!({"row": 5, "outcome": "skip", "duplicate_of": 2, "customer_id": null, "written": true})
    );
    assert_eq!(serde_json::from_value::<RowReport>(v).unwrap(), r);
    let key: MatchKey = serde_json::from_value(json!({"by": "column", "column": 3})).unwrap();
    assert_eq!(key, MatchKey::Column { column: 3 });
    let options: ImportOptions =
        serde_json::from_value(json!({"file_name": "a.csv", "mapping": ["name", "mobile"]}))
            .unwrap();
    assert_eq!(options.key, MatchKey::Contacts);
    assert_eq!(options.mapping, Some(vec![Field::Name, Field::Mobile]));
    let schema = serde_json::to_value(<Job as utoipa::PartialSchema>::schema()).unwrap();
    assert!(schema["properties"]["totals"].is_object(), "{schema}");
}

/// A store that lets someone edit a customer right after the run has read the customers.
#[derive(Debug, Clone)]
struct EditedMeanwhile {
    inner: SqliteCustomerStore,
    victim: Arc<std::sync::Mutex<Option<Uuid>>>,
}

impl CustomerStore for EditedMeanwhile {
    async fn list(&self, query: crate::model::ListQuery) -> Result<crate::model::Page<Customer>> {
        self.inner.list(query).await
    }
    async fn get(&self, id: Uuid) -> Result<Customer> {
        self.inner.get(id).await
    }
    async fn insert(&self, customer: Customer) -> Result<()> {
        self.inner.insert(customer).await
    }
    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> Result<Customer>
    where
        F: FnMut(&Customer) -> Result<Change> + Send + 'static,
    {
        self.inner.update(id, expected_version, change).await
    }
    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.inner.delete(id, expected_version).await
    }
    async fn find_by_contact(&self, key: crate::store::ContactKey) -> Result<Option<Customer>> {
        self.inner.find_by_contact(key).await
    }
    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Customer>> {
        let page = self.inner.scan(after, limit).await?;
        let victim = self.victim.lock().unwrap().take();
        if let Some(id) = victim {
            self.inner
                .update(id, None, |c| {
                    let mut c = c.clone();
                    c.location.city = Some("Βόλος".into());
                    Ok(Change::Save(Box::new(c)))
                })
                .await?;
        }
        Ok(page)
    }
    async fn put_all(&self, records: Vec<Customer>) -> Result<()> {
        self.inner.put_all(records).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_edited_during_the_run_keeps_the_edit_and_its_row_is_an_error() {
    let victim = Arc::new(std::sync::Mutex::new(None));
    let s = setup(|db| EditedMeanwhile {
        inner: SqliteCustomerStore::new(db.clone()),
        victim: victim.clone(),
    });
    let existing = s
        .svc
        .create(
            serde_json::from_value(json!({"name": "Ι.Ν. Αγίου Νικολάου Βόλου",
                "contacts": [{"type": "phone", "value": "24210 12345"}]}))
            .unwrap(),
        )
        .await
        .unwrap();
    let file = "Όνομα;Τηλέφωνο;Ετικέτες\r\nΆγιος Νικόλαος;2421012345;Βόλος\r\nΝέα;2421099999;\r\n";
    let job = s
        .importer
        .plan(file.as_bytes(), options("v.csv"), "maria")
        .await
        .unwrap();
    assert_eq!((job.totals.update, job.totals.create), (1, 1));
    *victim.lock().unwrap() = Some(existing.id);
    let done = s.importer.run(job.id, &RunControl::new()).await.unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(
        (done.totals.update, done.totals.create, done.totals.error),
        (0, 1, 1)
    );
    let rows = report(&s.importer, job.id).await;
    assert!(
        matches!(&rows[0].outcome, Outcome::Error { column, .. } if column == "row"),
        "{rows:?}"
    );
    let kept = s.svc.get(existing.id).await.unwrap();
    assert_eq!(
        kept.location.city.as_deref(),
        Some("Βόλος"),
        "the edit stays"
    );
    assert!(kept.tags.is_empty(), "the stale merge was not written");
}
