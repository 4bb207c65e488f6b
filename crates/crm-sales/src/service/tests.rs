//! The service's behaviour, one story per rule, on a temporary SQLite database (leads have no
//! other store). Customers and orders are rows written with SQL: this crate does not depend on
//! theirs. The conversion ports are implemented here over those rows, as the gateway
//! implements them over the customers and orders services.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use crm_core::testing::insert_row;
use crm_core::{Db, FixedClock, Timestamp};
use time::Duration;

use super::*;
use crate::model::{ContactKind, ProspectContact, Source};
use crate::store::sqlite::{SqliteSalesStore, reassign_customer};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    clock: FixedClock,
    sales: Service<SqliteSalesStore>,
    pipeline: Pipeline,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(ts("2026-03-01T10:00:00Z"));
    let sales = Service::new(SqliteSalesStore::new(db.clone()), Arc::new(clock.clone()));
    let pipeline = sales.ensure_default_pipeline().await.unwrap();
    Fixture {
        _dir: dir,
        db,
        clock,
        sales,
        pipeline,
    }
}

/// The customers context as the tests have it: rows of `customers`, with the contact keys
/// each was created with.
struct Customers {
    db: Db,
    known: Mutex<Vec<(Uuid, Vec<ContactKey>)>>,
    created: Mutex<Vec<Prospect>>,
}

impl Customers {
    fn new(db: &Db) -> Self {
        Self {
            db: db.clone(),
            known: Mutex::new(Vec::new()),
            created: Mutex::new(Vec::new()),
        }
    }

    async fn add(&self, name: &str, keys: Vec<ContactKey>) -> Uuid {
        let id = Uuid::new_v4();
        let name = name.to_owned();
        self.db
            .write(move |c| insert_row(c, "customers", id, &name).map_err(Error::from))
            .await
            .unwrap();
        self.known.lock().unwrap().push((id, keys));
        id
    }
}

impl CustomerPort for Customers {
    async fn find_by_contacts(&self, keys: &[ContactKey]) -> Result<Option<Uuid>> {
        Ok(self
            .known
            .lock()
            .unwrap()
            .iter()
            .find(|(_, k)| k.iter().any(|k| keys.contains(k)))
            .map(|(id, _)| *id))
    }

    async fn create(&self, prospect: &Prospect) -> Result<Uuid> {
        self.created.lock().unwrap().push(prospect.clone());
        Ok(self.add(&prospect.name, prospect.contact_keys()).await)
    }
}

/// The orders context as the tests have it: draft rows of `orders`, and the lines each got.
struct Orders {
    db: Db,
    seq: AtomicI64,
    drafts: Mutex<Vec<(Uuid, Uuid, Vec<QuotedLine>)>>,
}

impl Orders {
    fn new(db: &Db) -> Self {
        Self {
            db: db.clone(),
            seq: AtomicI64::new(0),
            drafts: Mutex::new(Vec::new()),
        }
    }
}

impl DraftOrderPort for Orders {
    async fn create_draft(&self, customer_id: Uuid, lines: &[QuotedLine]) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        self.db
            .write(move |c| {
                c.execute(
                    "INSERT INTO orders (id, order_number, order_year, order_seq, customer_id, \
                     subtotal, total_price, created_at, updated_at) VALUES (?1, ?2, 2026, ?3, ?4, \
                     '0', '0', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                    rusqlite::params![
                        id.to_string(),
                        format!("ORD-2026-{seq:03}"),
                        seq,
                        customer_id.to_string()
                    ],
                )
                .map_err(Error::from)
            })
            .await?;
        self.drafts
            .lock()
            .unwrap()
            .push((id, customer_id, lines.to_vec()));
        Ok(id)
    }
}

fn contact(kind: ContactKind, value: &str) -> ProspectContact {
    ProspectContact {
        kind,
        value: value.into(),
        normalized: String::new(),
    }
}

fn prospect(name: &str) -> Prospect {
    Prospect {
        name: name.into(),
        organization: Some("Ιερά Μητρόπολη Πατρών".into()),
        contacts: vec![
            contact(ContactKind::Mobile, "691 234 5678"),
            contact(ContactKind::Email, "Pater.Nikolaos@Example.GR"),
        ],
    }
}

fn new_lead(title: &str) -> NewLead {
    NewLead {
        title: title.into(),
        customer_id: None,
        prospect: Some(prospect("π. Νικόλαος")),
        source: Source::Phone,
        estimated_value: Some(money("12000")),
        expected_close: Some(time::macros::date!(2026 - 06 - 30)),
        pipeline_id: None,
        stage_id: None,
        owner: None,
        lost_reason: None,
        tags: vec![],
        lines: vec![],
    }
}

fn line(description: &str, quantity: &str, unit_price: &str) -> QuotedLine {
    QuotedLine {
        product_id: None,
        description: description.into(),
        quantity: money(quantity),
        unit_price: money(unit_price),
    }
}

impl Fixture {
    fn stage(&self, name: &str) -> Uuid {
        self.pipeline
            .stages
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .id
    }

    async fn lead(&self, new: NewLead) -> Lead {
        self.sales.create_lead(new, "maria").await.unwrap()
    }

    async fn move_to(&self, lead: &Lead, stage: &str, reason: Option<&str>) -> Result<Lead> {
        self.sales
            .move_lead(
                lead.id,
                StageMove {
                    stage_id: self.stage(stage),
                    lost_reason: reason.map(str::to_owned),
                },
                Some(lead.version),
                "nikos",
            )
            .await
    }

    async fn won(&self, new: NewLead) -> Lead {
        let lead = self.lead(new).await;
        self.move_to(&lead, "Κερδήθηκε", None).await.unwrap()
    }

    async fn titles(&self, query: ListQuery) -> Vec<String> {
        let page = self.sales.list(query).await.unwrap();
        page.items.into_iter().map(|l| l.title).collect()
    }
}

fn invalid_field(r: Result<impl std::fmt::Debug>) -> (String, String) {
    match r {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Pipelines

#[tokio::test]
async fn the_default_pipeline_is_seeded_once() {
    let f = fixture().await;
    let again = f.sales.ensure_default_pipeline().await.unwrap();
    assert_eq!(again, f.pipeline);
    let all = f.sales.pipelines().await.unwrap();
    assert_eq!(all.len(), 1);
    let p = &all[0];
    assert!(p.is_default);
    let stages: Vec<_> = p
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.probability, s.status()))
        .collect();
    assert_eq!(
        stages,
        [
            ("Επαφή", 10, LeadStatus::Open),
            ("Αυτοψία", 25, LeadStatus::Open),
            ("Προσφορά", 50, LeadStatus::Open),
            ("Διαπραγμάτευση", 75, LeadStatus::Open),
            ("Κερδήθηκε", 100, LeadStatus::Won),
            ("Χάθηκε", 0, LeadStatus::Lost),
        ]
    );
}

fn stage_input(s: &crate::model::Stage) -> crate::model::StageInput {
    crate::model::StageInput {
        id: Some(s.id),
        name: s.name.clone(),
        probability: u16::from(s.probability),
        won: s.won,
        lost: s.lost,
    }
}

#[tokio::test]
async fn a_new_pipeline_is_validated_and_its_name_is_unique() {
    let f = fixture().await;
    let mut input = default_pipeline();
    input.name = "Συντήρηση".into();
    input.stages.retain(|s| !s.won);
    assert_eq!(
        invalid_field(f.sales.create_pipeline(input.clone()).await),
        ("stages".into(), "needs exactly one won stage".into())
    );
    let mut dup = default_pipeline();
    dup.name = "ΠΩΛΗΣΕΙΣ".into();
    match f.sales.create_pipeline(dup).await {
        Err(Error::Conflict { message }) => assert!(message.contains("ΠΩΛΗΣΕΙΣ"), "{message}"),
        other => panic!("{other:?}"),
    }
    let mut ok = default_pipeline();
    ok.name = "Συντήρηση".into();
    let p = f.sales.create_pipeline(ok).await.unwrap();
    assert!(!p.is_default);
    assert_eq!(p.stages.len(), 6);
    let names: Vec<_> = f
        .sales
        .pipelines()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Πωλήσεις", "Συντήρηση"], "the default first");
}

#[tokio::test]
async fn stages_can_be_reordered_renamed_added_and_removed_when_empty() {
    let f = fixture().await;
    let p = &f.pipeline;
    let mut stages: Vec<_> = p.stages.iter().map(stage_input).collect();
    // Αυτοψία before Επαφή, Προσφορά renamed, a new stage, Διαπραγμάτευση removed
    stages.swap(0, 1);
    stages[2].name = "Προσφορά σταλμένη".into();
    stages[2].probability = 55;
    stages.remove(3);
    stages.insert(
        3,
        crate::model::StageInput {
            id: None,
            name: "Συμβόλαιο".into(),
            probability: 90,
            won: false,
            lost: false,
        },
    );
    let input = PipelineInput {
        name: "Πωλήσεις καμπαναριών".into(),
        stages,
    };
    let edited = f
        .sales
        .update_pipeline(p.id, input.clone(), Some(p.version))
        .await
        .unwrap();
    let names: Vec<_> = edited.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Αυτοψία",
            "Επαφή",
            "Προσφορά σταλμένη",
            "Συμβόλαιο",
            "Κερδήθηκε",
            "Χάθηκε"
        ]
    );
    assert_eq!(
        edited.stages[0].id,
        f.stage("Αυτοψία"),
        "kept stages keep their ids"
    );
    assert_eq!(edited.stages[2].probability, 55);
    assert_eq!(edited.name, "Πωλήσεις καμπαναριών");
    assert_eq!(edited.version, p.version + 1);
    // the old version is stale now
    assert!(matches!(
        f.sales.update_pipeline(p.id, input, Some(p.version)).await,
        Err(Error::Stale { current_version }) if current_version == edited.version
    ));
}

#[tokio::test]
async fn a_stage_holding_leads_cannot_be_removed_or_change_kind() {
    let f = fixture().await;
    let a = f.lead(new_lead("Καμπάνα Αγ. Νικολάου")).await;
    let b = f.lead(new_lead("Καμπάνα Αγ. Γεωργίου")).await;
    f.move_to(&a, "Προσφορά", None).await.unwrap();
    f.move_to(&b, "Προσφορά", None).await.unwrap();
    let p = f.sales.pipeline(f.pipeline.id).await.unwrap();

    let mut without: Vec<_> = p.stages.iter().map(stage_input).collect();
    without.retain(|s| s.name != "Προσφορά");
    let input = PipelineInput {
        name: p.name.clone(),
        stages: without,
    };
    match f.sales.update_pipeline(p.id, input, Some(p.version)).await {
        Err(Error::InUse { message }) => {
            assert_eq!(
                message,
                "the stage Προσφορά holds 2 leads: move them before removing it"
            );
        }
        other => panic!("{other:?}"),
    }

    let mut lost: Vec<_> = p.stages.iter().map(stage_input).collect();
    lost[2].lost = true;
    let input = PipelineInput {
        name: p.name.clone(),
        stages: lost,
    };
    assert!(matches!(
        f.sales.update_pipeline(p.id, input, Some(p.version)).await,
        Err(Error::InUse { message }) if message.contains("2 leads")
    ));
    assert_eq!(f.sales.pipeline(p.id).await.unwrap(), p, "nothing changed");

    // Επαφή held them once (their history names it) but is empty now: it can go
    let mut without: Vec<_> = p.stages.iter().map(stage_input).collect();
    without.retain(|s| s.name != "Επαφή");
    let input = PipelineInput {
        name: p.name.clone(),
        stages: without,
    };
    let edited = f.sales.update_pipeline(p.id, input, None).await.unwrap();
    assert_eq!(edited.stages.len(), 5);
    assert_eq!(f.sales.stage_moves(a.id).await.unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Leads

#[tokio::test]
async fn a_new_lead_starts_in_the_first_open_stage_with_normalised_contacts() {
    let f = fixture().await;
    let mut new = new_lead("Καμπαναριό Αγ. Τριάδας");
    new.prospect
        .as_mut()
        .unwrap()
        .contacts
        .push(contact(ContactKind::Whatsapp, "+30 691-234-5678"));
    new.tags = vec!["Ηλεκτρονική".into(), "ηλεκτρονική".into(), "Έκθεση".into()];
    let lead = f.lead(new).await;
    assert_eq!(lead.pipeline_id, f.pipeline.id);
    assert_eq!(lead.stage_id, f.stage("Επαφή"));
    assert_eq!(lead.status, LeadStatus::Open);
    assert_eq!(lead.currency, "EUR");
    assert_eq!(lead.tags, ["Ηλεκτρονική", "Έκθεση"]);
    let contacts = &lead.prospect.as_ref().unwrap().contacts;
    assert_eq!(contacts[0].value, "691 234 5678", "kept as written");
    assert_eq!(contacts[0].normalized, "+306912345678");
    assert_eq!(contacts[1].normalized, "pater.nikolaos@example.gr");
    assert_eq!(
        f.sales.contact_keys(lead.id).await.unwrap(),
        [
            ContactKey::Phone("+306912345678".into()),
            ContactKey::Email("pater.nikolaos@example.gr".into()),
        ],
        "the WhatsApp number is the same key as the mobile"
    );
    assert_eq!(f.sales.lead(lead.id).await.unwrap(), lead);
}

#[tokio::test]
async fn every_field_of_a_new_lead_is_checked_at_its_json_path() {
    let f = fixture().await;
    let other = {
        let mut input = default_pipeline();
        input.name = "Άλλη".into();
        f.sales.create_pipeline(input).await.unwrap()
    };
    type Change = Box<dyn Fn(&mut NewLead)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|n| n.title = "  ".into()),
            "title",
            "must not be empty",
        ),
        (
            Box::new(|n| n.prospect = None),
            "customer_id",
            "give either customer_id or prospect",
        ),
        (
            Box::new(|n| n.customer_id = Some(Uuid::new_v4())),
            "prospect",
            "give either customer_id or prospect, not both",
        ),
        (
            Box::new(|n| n.prospect.as_mut().unwrap().name = String::new()),
            "prospect.name",
            "must not be empty",
        ),
        (
            Box::new(|n| n.prospect.as_mut().unwrap().contacts[1].value = "pater@".into()),
            "prospect.contacts[1].value",
            "is not an e-mail address",
        ),
        (
            Box::new(|n| n.prospect.as_mut().unwrap().contacts[0].value = "12".into()),
            "prospect.contacts[0].value",
            "is not a phone number",
        ),
        (
            Box::new(|n| n.estimated_value = Some(money("-1"))),
            "estimated_value",
            "must not be negative",
        ),
        (
            Box::new(|n| n.estimated_value = Some(money("10.005"))),
            "estimated_value",
            "must have at most 2 decimal places",
        ),
        (
            Box::new(|n| n.lines = vec![line("Καμπάνα 300 kg", "0", "9000")]),
            "lines[0].quantity",
            "must be more than 0",
        ),
        (
            Box::new(|n| n.lines = vec![line("Καμπάνα", "1", "1"), line("Τοποθέτηση", "1", "-5")]),
            "lines[1].unit_price",
            "must not be negative",
        ),
        (
            Box::new(|n| n.lines = vec![line(" ", "1", "1")]),
            "lines[0].description",
            "must not be empty",
        ),
        (
            Box::new(|n| n.tags = vec!["a".into(), "".into()]),
            "tags[1]",
            "must not be empty",
        ),
        (
            Box::new(|n| n.owner = Some("a\nb".into())),
            "owner",
            "must not contain a line break (U+000A)",
        ),
        (
            Box::new(|n| n.pipeline_id = Some(Uuid::new_v4())),
            "pipeline_id",
            "no such pipeline",
        ),
        (
            Box::new(move |n| n.stage_id = Some(other.stages[0].id)),
            "stage_id",
            "is not a stage of the pipeline",
        ),
        (
            Box::new(|n| {
                n.prospect = None;
                n.customer_id = Some(Uuid::new_v4());
            }),
            "customer_id",
            "no such customer",
        ),
    ];
    for (change, field, reason) in cases {
        let mut new = new_lead("Καμπάνα");
        change(&mut new);
        assert_eq!(
            invalid_field(f.sales.create_lead(new, "maria").await),
            (field.to_owned(), reason.to_owned())
        );
    }
    let lost = f.stage("Χάθηκε");
    let mut new = new_lead("Καμπάνα");
    new.stage_id = Some(lost);
    assert_eq!(
        invalid_field(f.sales.create_lead(new.clone(), "maria").await).0,
        "lost_reason"
    );
    new.lost_reason = Some("Πήγαν σε άλλο χυτήριο".into());
    let lead = f.sales.create_lead(new, "maria").await.unwrap();
    assert_eq!(lead.status, LeadStatus::Lost);
    let all = f.sales.list(ListQuery::default()).await.unwrap();
    assert_eq!(all.total, 1, "no refused lead was stored");
}

#[tokio::test]
async fn stage_moves_are_recorded_and_set_the_status() {
    let f = fixture().await;
    let lead = f.lead(new_lead("Ηλεκτρονικό σύστημα κρούσης")).await;
    f.clock.advance(Duration::hours(1));
    let lead = f.move_to(&lead, "Προσφορά", None).await.unwrap();
    assert_eq!(lead.status, LeadStatus::Open);
    assert_eq!(lead.version, 2);
    assert_eq!(lead.updated_at, ts("2026-03-01T11:00:00Z"));
    // the stage it is in: nothing changes, nothing is recorded
    let same = f.move_to(&lead, "Προσφορά", None).await.unwrap();
    assert_eq!(same, lead);
    f.clock.advance(Duration::hours(1));
    let lead = f.move_to(&lead, "Κερδήθηκε", None).await.unwrap();
    assert_eq!(lead.status, LeadStatus::Won);

    let moves = f.sales.stage_moves(lead.id).await.unwrap();
    let seen: Vec<_> = moves
        .iter()
        .map(|m| (m.from_stage_id, m.to_stage_id, m.actor.as_str(), m.at))
        .collect();
    assert_eq!(
        seen,
        [
            (None, f.stage("Επαφή"), "maria", ts("2026-03-01T10:00:00Z")),
            (
                Some(f.stage("Επαφή")),
                f.stage("Προσφορά"),
                "nikos",
                ts("2026-03-01T11:00:00Z")
            ),
            (
                Some(f.stage("Προσφορά")),
                f.stage("Κερδήθηκε"),
                "nikos",
                ts("2026-03-01T12:00:00Z")
            ),
        ]
    );

    let other = {
        let mut input = default_pipeline();
        input.name = "Άλλη".into();
        f.sales.create_pipeline(input).await.unwrap()
    };
    let to_other = f
        .sales
        .move_lead(
            lead.id,
            StageMove {
                stage_id: other.stages[1].id,
                lost_reason: None,
            },
            None,
            "nikos",
        )
        .await;
    assert_eq!(invalid_field(to_other).0, "stage_id");
    assert!(matches!(
        f.sales.stage_moves(Uuid::new_v4()).await,
        Err(Error::NotFound { what: "lead", .. })
    ));
}

#[tokio::test]
async fn a_lost_lead_needs_a_reason_which_leaves_with_it() {
    let f = fixture().await;
    let lead = f.lead(new_lead("Καμπάνα 500 kg")).await;
    assert_eq!(
        invalid_field(f.move_to(&lead, "Χάθηκε", None).await),
        ("lost_reason".into(), "is required in a lost stage".into())
    );
    assert_eq!(
        invalid_field(f.move_to(&lead, "Χάθηκε", Some("  ")).await).0,
        "lost_reason"
    );
    assert_eq!(
        f.sales.lead(lead.id).await.unwrap(),
        lead,
        "nothing changed"
    );
    let patch = LeadPatch {
        lost_reason: Some("τιμή".into()),
        ..LeadPatch::default()
    };
    assert_eq!(
        invalid_field(f.sales.update_lead(lead.id, patch, None, "maria").await).0,
        "lost_reason",
        "an open lead has no lost reason"
    );

    let lost = f
        .move_to(&lead, "Χάθηκε", Some("Ακριβή προσφορά"))
        .await
        .unwrap();
    assert_eq!(lost.status, LeadStatus::Lost);
    assert_eq!(lost.lost_reason.as_deref(), Some("Ακριβή προσφορά"));
    let patch = LeadPatch {
        lost_reason: Some("Επέλεξαν άλλο χυτήριο".into()),
        ..LeadPatch::default()
    };
    let lost = f
        .sales
        .update_lead(lost.id, patch, Some(lost.version), "maria")
        .await
        .unwrap();
    assert_eq!(lost.lost_reason.as_deref(), Some("Επέλεξαν άλλο χυτήριο"));

    let reopened = f.move_to(&lost, "Διαπραγμάτευση", None).await.unwrap();
    assert_eq!(reopened.status, LeadStatus::Open);
    assert_eq!(reopened.lost_reason, None);
}

#[tokio::test]
async fn a_stale_version_changes_nothing() {
    let f = fixture().await;
    let lead = f.lead(new_lead("Ρολόι καμπαναριού")).await;
    let patch = LeadPatch {
        title: Some("Ρολόι και καμπάνες".into()),
        estimated_value: Some(Some(money("15000.50"))),
        ..LeadPatch::default()
    };
    let updated = f
        .sales
        .update_lead(lead.id, patch.clone(), Some(1), "maria")
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.estimated_value, Some(money("15000.50")));

    assert!(matches!(
        f.sales.update_lead(lead.id, patch, Some(1), "maria").await,
        Err(Error::Stale { current_version: 2 })
    ));
    assert!(matches!(
        f.move_to(&lead, "Αυτοψία", None).await,
        Err(Error::Stale { current_version: 2 })
    ));
    assert_eq!(f.sales.lead(lead.id).await.unwrap(), updated);
    assert_eq!(f.sales.stage_moves(lead.id).await.unwrap().len(), 1);
    assert!(matches!(
        f.sales
            .update_lead(Uuid::new_v4(), LeadPatch::default(), None, "maria")
            .await,
        Err(Error::NotFound { what: "lead", .. })
    ));
}

#[tokio::test]
async fn a_patch_checks_what_it_changes_and_keeps_the_rest() {
    let f = fixture().await;
    let customers = Customers::new(&f.db);
    let parish = customers.add("Ναός", vec![]).await;
    let mut new = new_lead("Καμπάνα");
    new.tags = vec!["χυτή".into()];
    new.lines = vec![line("Καμπάνα 200 kg", "1", "7000")];
    let lead = f.lead(new).await;
    let bad: Vec<(LeadPatch, &str)> = vec![
        (
            LeadPatch {
                customer_id: Some(Uuid::new_v4()),
                ..LeadPatch::default()
            },
            "customer_id",
        ),
        (
            LeadPatch {
                customer_id: Some(parish),
                prospect: Some(prospect("x")),
                ..LeadPatch::default()
            },
            "prospect",
        ),
        (
            LeadPatch {
                prospect: Some(Prospect {
                    contacts: vec![contact(ContactKind::Email, "όχι διεύθυνση")],
                    ..prospect("x")
                }),
                ..LeadPatch::default()
            },
            "prospect.contacts[0].value",
        ),
        (
            LeadPatch {
                title: Some(String::new()),
                ..LeadPatch::default()
            },
            "title",
        ),
        (
            LeadPatch {
                lines: Some(vec![line("x", "1.0001", "1")]),
                ..LeadPatch::default()
            },
            "lines[0].quantity",
        ),
    ];
    for (patch, field) in bad {
        assert_eq!(
            invalid_field(f.sales.update_lead(lead.id, patch, None, "maria").await).0,
            field
        );
    }
    assert_eq!(
        f.sales.lead(lead.id).await.unwrap(),
        lead,
        "nothing changed"
    );

    let patch = LeadPatch {
        customer_id: Some(parish),
        estimated_value: Some(None),
        expected_close: Some(None),
        source: Some(Source::Referral),
        ..LeadPatch::default()
    };
    let changed = f
        .sales
        .update_lead(lead.id, patch, Some(lead.version), "maria")
        .await
        .unwrap();
    assert_eq!(changed.customer_id, Some(parish));
    assert_eq!(changed.prospect, None, "the customer replaces the prospect");
    assert_eq!(changed.estimated_value, None);
    assert_eq!(changed.expected_close, None);
    assert_eq!(changed.source, Source::Referral);
    assert_eq!(
        (changed.title.as_str(), &changed.tags),
        ("Καμπάνα", &lead.tags)
    );
    assert_eq!(changed.lines, lead.lines);
    assert!(f.sales.contact_keys(lead.id).await.unwrap().is_empty());
    // an empty patch changes nothing, not even the version
    let same = f
        .sales
        .update_lead(
            lead.id,
            LeadPatch::default(),
            Some(changed.version),
            "maria",
        )
        .await
        .unwrap();
    assert_eq!(same, changed);
}

#[tokio::test]
async fn a_workflow_creating_again_with_its_key_gets_the_first_lead() {
    let f = fixture().await;
    let key = "0190a1b2-run:lead";
    let mut new = new_lead("WhatsApp: νέα καμπάνα");
    new.owner = Some("maria".into());
    let (first, created) = f
        .sales
        .create_lead_once(new.clone(), "workflow", key)
        .await
        .unwrap();
    assert!(created);
    // a resumed run asks again: the first lead, and no second stage move or assignment
    new.title = "WhatsApp: νέα καμπάνα (resumed)".into();
    let (again, created) = f
        .sales
        .create_lead_once(new.clone(), "workflow", key)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert_eq!(f.sales.stage_moves(first.id).await.unwrap().len(), 1);
    assert_eq!(f.sales.assignments(first.id).await.unwrap().len(), 1);
    // another key, or a person's lead, is a lead of its own
    let (other, created) = f
        .sales
        .create_lead_once(new.clone(), "workflow", "0190a1b2-run:lead:1")
        .await
        .unwrap();
    assert!(created);
    assert_ne!(other.id, first.id);
    f.lead(new).await;
    assert_eq!(f.sales.list(ListQuery::default()).await.unwrap().total, 3);
}

#[tokio::test]
async fn owners_are_kept_as_a_history() {
    let f = fixture().await;
    let mut new = new_lead("Καμπάνες Μονής");
    new.owner = Some("maria".into());
    let lead = f.sales.create_lead(new, "admin").await.unwrap();
    f.clock.advance(Duration::days(2));
    let owner = |o: Option<&str>| LeadPatch {
        owner: Some(o.map(str::to_owned)),
        ..LeadPatch::default()
    };
    let lead = f
        .sales
        .update_lead(lead.id, owner(Some("nikos")), Some(lead.version), "maria")
        .await
        .unwrap();
    assert_eq!(lead.owner.as_deref(), Some("nikos"));
    // the same owner again: no new assignment
    let lead = f
        .sales
        .update_lead(lead.id, owner(Some("nikos")), Some(lead.version), "maria")
        .await
        .unwrap();
    f.clock.advance(Duration::days(1));
    let lead = f
        .sales
        .update_lead(lead.id, owner(None), Some(lead.version), "nikos")
        .await
        .unwrap();
    assert_eq!(lead.owner, None);

    let history = f.sales.assignments(lead.id).await.unwrap();
    let seen: Vec<_> = history
        .iter()
        .map(|a| (a.owner.as_deref(), a.assigned_by.as_str(), a.from, a.until))
        .collect();
    assert_eq!(
        seen,
        [
            (
                Some("maria"),
                "admin",
                ts("2026-03-01T10:00:00Z"),
                Some(ts("2026-03-03T10:00:00Z"))
            ),
            (
                Some("nikos"),
                "maria",
                ts("2026-03-03T10:00:00Z"),
                Some(ts("2026-03-04T10:00:00Z"))
            ),
            (None, "nikos", ts("2026-03-04T10:00:00Z"), None),
        ]
    );
}

#[tokio::test]
async fn stage_moves_and_assignments_cannot_be_changed_or_deleted() {
    let f = fixture().await;
    let mut new = new_lead("Καμπάνα");
    new.owner = Some("maria".into());
    let lead = f.lead(new).await;
    for sql in [
        "UPDATE lead_stage_moves SET actor = 'x'",
        "DELETE FROM lead_stage_moves",
        "UPDATE lead_assignments SET owner = 'x'",
        "DELETE FROM lead_assignments",
    ] {
        let e =
            f.db.write(move |c| c.execute(sql, []).map_err(Error::from))
                .await
                .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(f.sales.stage_moves(lead.id).await.unwrap().len(), 1);
    assert_eq!(f.sales.assignments(lead.id).await.unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Conversion

#[tokio::test]
async fn only_a_won_lead_converts() {
    let f = fixture().await;
    let (customers, orders) = (Customers::new(&f.db), Orders::new(&f.db));
    let lead = f.lead(new_lead("Καμπάνα")).await;
    match f
        .sales
        .convert(lead.id, ConvertRequest::default(), &customers, &orders)
        .await
    {
        Err(Error::Conflict { message }) => {
            assert_eq!(
                message,
                "the lead is open: only a won lead can be converted"
            );
        }
        other => panic!("{other:?}"),
    }
    let lost = f.move_to(&lead, "Χάθηκε", Some("τιμή")).await.unwrap();
    assert!(matches!(
        f.sales.convert(lost.id, ConvertRequest::default(), &customers, &orders).await,
        Err(Error::Conflict { message }) if message.starts_with("the lead is lost")
    ));
    assert!(customers.created.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_won_prospect_becomes_a_new_customer_once() {
    let f = fixture().await;
    let (customers, orders) = (Customers::new(&f.db), Orders::new(&f.db));
    customers
        .add("Άλλος", vec![ContactKey::Phone("+302101234567".into())])
        .await;
    let lead = f.won(new_lead("Καμπάνα Αγ. Νικολάου")).await;
    f.clock.advance(Duration::minutes(5));
    let done = f
        .sales
        .convert(lead.id, ConvertRequest::default(), &customers, &orders)
        .await
        .unwrap();
    assert!(done.customer_created);
    assert_eq!(done.order_id, None);
    assert_eq!(done.lead.converted_customer_id, Some(done.customer_id));
    assert_eq!(done.lead.version, lead.version + 1);
    assert_eq!(done.lead.updated_at, ts("2026-03-01T10:05:00Z"));
    let created = customers.created.lock().unwrap().clone();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].name, "π. Νικόλαος");
    assert_eq!(created[0].contacts[0].normalized, "+306912345678");

    let again = f
        .sales
        .convert(lead.id, ConvertRequest::default(), &customers, &orders)
        .await
        .unwrap();
    assert_eq!(again.customer_id, done.customer_id);
    assert!(!again.customer_created);
    assert_eq!(again.lead, done.lead, "a second conversion changes nothing");
    assert_eq!(customers.created.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_won_prospect_attaches_to_the_customer_its_contacts_match() {
    let f = fixture().await;
    let (customers, orders) = (Customers::new(&f.db), Orders::new(&f.db));
    let parish = customers
        .add(
            "Ιερός Ναός Αγίου Νικολάου",
            vec![ContactKey::Phone("+306912345678".into())],
        )
        .await;
    // the prospect wrote the same mobile in another form
    let mut new = new_lead("Καμπάνα");
    new.prospect.as_mut().unwrap().contacts = vec![contact(ContactKind::Phone, "0030 6912345678")];
    let lead = f.won(new).await;
    let done = f
        .sales
        .convert(lead.id, ConvertRequest::default(), &customers, &orders)
        .await
        .unwrap();
    assert_eq!(done.customer_id, parish);
    assert!(!done.customer_created);
    assert!(customers.created.lock().unwrap().is_empty());

    // a lead about an existing customer converts to that customer
    let mut new = new_lead("Δεύτερη καμπάνα");
    new.prospect = None;
    new.customer_id = Some(parish);
    let lead = f.won(new).await;
    let done = f
        .sales
        .convert(lead.id, ConvertRequest::default(), &customers, &orders)
        .await
        .unwrap();
    assert_eq!(done.customer_id, parish);
    let page = f
        .sales
        .list(ListQuery {
            customer_id: Some(parish),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 2, "both leads are the parish's now");
}

#[tokio::test]
async fn a_conversion_may_open_a_draft_order_from_the_quoted_lines() {
    let f = fixture().await;
    let (customers, orders) = (Customers::new(&f.db), Orders::new(&f.db));
    let bare = f.won(new_lead("Χωρίς γραμμές")).await;
    let with_order = ConvertRequest {
        create_draft_order: true,
    };
    assert_eq!(
        invalid_field(
            f.sales
                .convert(bare.id, with_order.clone(), &customers, &orders)
                .await
        )
        .0,
        "lines"
    );

    let mut new = new_lead("Καμπάνα με τοποθέτηση");
    new.lines = vec![
        line("Καμπάνα 300 kg", "1", "9500"),
        line("Τοποθέτηση", "1.5", "120.50"),
    ];
    let lead = f.won(new).await;
    let done = f
        .sales
        .convert(lead.id, with_order.clone(), &customers, &orders)
        .await
        .unwrap();
    let order = done.order_id.unwrap();
    assert_eq!(done.lead.converted_order_id, Some(order));
    {
        let drafts = orders.drafts.lock().unwrap();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].0, order);
        assert_eq!(drafts[0].1, done.customer_id);
        assert_eq!(drafts[0].2, lead.lines);
    }

    let again = f
        .sales
        .convert(lead.id, with_order, &customers, &orders)
        .await
        .unwrap();
    assert_eq!(
        (again.customer_id, again.order_id),
        (done.customer_id, Some(order))
    );
    assert_eq!(orders.drafts.lock().unwrap().len(), 1, "no second order");
    assert_eq!(
        customers.created.lock().unwrap().len(),
        1,
        "no second customer"
    );
}

// ---------------------------------------------------------------------------------------------
// Pipeline view

#[tokio::test]
async fn the_pipeline_view_sums_values_per_stage_and_per_owner() {
    let f = fixture().await;
    let add = |title: &str, value: Option<&str>, owner: Option<&str>| {
        let mut new = new_lead(title);
        new.estimated_value = value.map(money);
        new.owner = owner.map(str::to_owned);
        new
    };
    let a = f.lead(add("a", Some("1000.10"), Some("maria"))).await;
    let b = f.lead(add("b", Some("333.33"), Some("maria"))).await;
    let c = f.lead(add("c", None, None)).await;
    let d = f.lead(add("d", Some("2000"), Some("nikos"))).await;
    let e = f.lead(add("e", Some("500"), Some("maria"))).await;
    f.move_to(&b, "Προσφορά", None).await.unwrap();
    f.move_to(&c, "Προσφορά", None).await.unwrap();
    f.move_to(&d, "Κερδήθηκε", None).await.unwrap();
    f.move_to(&e, "Χάθηκε", Some("τιμή")).await.unwrap();
    let _ = a;

    let view = f.sales.pipeline_view(f.pipeline.id).await.unwrap();
    let stages: Vec<_> = view
        .stages
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.count,
                s.value.to_string(),
                s.weighted_value.to_string(),
            )
        })
        .collect();
    let row = |n: &'static str, c: u64, v: &str, w: &str| (n, c, v.to_owned(), w.to_owned());
    assert_eq!(
        stages,
        [
            row("Επαφή", 1, "1000.1", "100.01"),
            row("Αυτοψία", 0, "0", "0"),
            row("Προσφορά", 2, "333.33", "166.665"),
            row("Διαπραγμάτευση", 0, "0", "0"),
            row("Κερδήθηκε", 1, "2000", "2000"),
            row("Χάθηκε", 1, "500", "0"),
        ]
    );
    let owners: Vec<_> = view
        .owners
        .iter()
        .map(|o| {
            (
                o.owner.as_deref(),
                o.count,
                o.value.to_string(),
                o.weighted_value.to_string(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            (Some("maria"), 2, "1333.43".to_owned(), "266.675".to_owned()),
            (None, 1, "0".to_owned(), "0".to_owned()),
        ],
        "open leads only: nikos's is won, maria's third is lost"
    );
    assert!(matches!(
        f.sales.pipeline_view(Uuid::new_v4()).await,
        Err(Error::NotFound {
            what: "pipeline",
            ..
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Lists

#[tokio::test]
async fn the_list_filters_and_pages_newest_first() {
    let f = fixture().await;
    let customers = Customers::new(&f.db);
    let parish = customers.add("Ναός", vec![]).await;
    let mut leads = Vec::new();
    for (i, (title, source, owner, tags)) in [
        (
            "Καμπάνα Αγίου Νικολάου",
            Source::Phone,
            Some("maria"),
            vec!["Χυτή"],
        ),
        (
            "ΠΡΟΣΦΟΡΆ ρολογιού",
            Source::Email,
            Some("nikos"),
            vec!["ρολόι"],
        ),
        (
            "Ηλεκτρονική κρούση",
            Source::Fair,
            None,
            vec!["χυτή", "Έκθεση"],
        ),
        ("Συντήρηση 50%_off", Source::Web, Some("maria"), vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let mut new = new_lead(title);
        new.source = source;
        new.owner = owner.map(str::to_owned);
        new.tags = tags.into_iter().map(str::to_owned).collect();
        if i == 2 {
            new.prospect = None;
            new.customer_id = Some(parish);
        }
        leads.push(f.lead(new).await);
        f.clock.advance(Duration::minutes(1));
    }
    f.move_to(&leads[1], "Κερδήθηκε", None).await.unwrap();
    let other = {
        let mut input = default_pipeline();
        input.name = "Άλλη".into();
        f.sales.create_pipeline(input).await.unwrap()
    };
    let mut elsewhere = new_lead("Σε άλλη γραμμή");
    elsewhere.pipeline_id = Some(other.id);
    f.lead(elsewhere).await;

    let q = |f: fn(&mut ListQuery)| {
        let mut q = ListQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        f.titles(ListQuery::default()).await,
        [
            "Σε άλλη γραμμή",
            "Συντήρηση 50%_off",
            "Ηλεκτρονική κρούση",
            "ΠΡΟΣΦΟΡΆ ρολογιού",
            "Καμπάνα Αγίου Νικολάου"
        ]
    );
    let pipeline = f.pipeline.id;
    let by_pipeline = ListQuery {
        pipeline_id: Some(pipeline),
        ..ListQuery::default()
    };
    assert_eq!(f.titles(by_pipeline).await.len(), 4);
    let by_stage = ListQuery {
        stage_id: Some(f.stage("Κερδήθηκε")),
        ..ListQuery::default()
    };
    assert_eq!(f.titles(by_stage).await, ["ΠΡΟΣΦΟΡΆ ρολογιού"]);
    assert_eq!(
        f.titles(q(|q| q.owner = Some("maria".into()))).await,
        ["Συντήρηση 50%_off", "Καμπάνα Αγίου Νικολάου"]
    );
    assert_eq!(
        f.titles(q(|q| q.status = Some(LeadStatus::Won))).await,
        ["ΠΡΟΣΦΟΡΆ ρολογιού"]
    );
    assert_eq!(
        f.titles(q(|q| q.source = Some(Source::Fair))).await,
        ["Ηλεκτρονική κρούση"]
    );
    assert_eq!(
        f.titles(q(|q| q.tag = Some("ΧΥΤΗ".into()))).await,
        ["Ηλεκτρονική κρούση", "Καμπάνα Αγίου Νικολάου"],
        "tags ignore case and accents"
    );
    let by_customer = ListQuery {
        customer_id: Some(parish),
        ..ListQuery::default()
    };
    assert_eq!(f.titles(by_customer).await, ["Ηλεκτρονική κρούση"]);
    assert_eq!(
        f.titles(q(|q| q.q = Some("προσφορα".into()))).await,
        ["ΠΡΟΣΦΟΡΆ ρολογιού"],
        "case and accents are folded"
    );
    assert_eq!(
        f.titles(q(|q| q.q = Some("νικολαος".into()))).await.len(),
        4,
        "the prospect's name is searched too"
    );
    assert_eq!(
        f.titles(q(|q| q.q = Some("αγιου καμπανα".into()))).await,
        ["Καμπάνα Αγίου Νικολάου"],
        "every word must match"
    );
    assert_eq!(
        f.titles(q(|q| q.q = Some("0%_".into()))).await,
        ["Συντήρηση 50%_off"],
        "% and _ are plain characters"
    );
    assert!(f.titles(q(|q| q.q = Some("5_%".into()))).await.is_empty());

    // pages of two, newest first, with the total on each
    let mut seen = Vec::new();
    let mut query = ListQuery {
        limit: Some(2),
        ..ListQuery::default()
    };
    loop {
        let page = f.sales.list(query.clone()).await.unwrap();
        assert_eq!(page.total, 5);
        seen.extend(page.items.into_iter().map(|l| l.title));
        match page.next_cursor {
            Some(c) => query.before = Some(c.parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, f.titles(ListQuery::default()).await);
}

#[tokio::test]
async fn leads_of_a_merged_customer_move_to_the_kept_one_in_the_callers_transaction() {
    let f = fixture().await;
    let (customers, orders) = (Customers::new(&f.db), Orders::new(&f.db));
    let kept = customers.add("Ναός Αγ. Νικολάου", vec![]).await;
    let duplicate = customers
        .add(
            "Ι.Ν. Αγίου Νικολάου",
            vec![ContactKey::Phone("+306912345678".into())],
        )
        .await;
    let mut about = new_lead("Για τον διπλό");
    about.prospect = None;
    about.customer_id = Some(duplicate);
    let about = f.lead(about).await;
    let converted = f.won(new_lead("Μετατράπηκε στον διπλό")).await;
    f.sales
        .convert(converted.id, ConvertRequest::default(), &customers, &orders)
        .await
        .unwrap();
    let unrelated = f.lead(new_lead("Άσχετο")).await;

    f.clock.advance(Duration::hours(1));
    let now = ts("2026-03-01T11:00:00Z");
    let moved =
        f.db.write(move |c| reassign_customer(c, duplicate, kept, now))
            .await
            .unwrap();
    assert_eq!(moved, 2);
    let about_now = f.sales.lead(about.id).await.unwrap();
    assert_eq!(about_now.customer_id, Some(kept));
    assert_eq!(about_now.version, about.version + 1);
    assert_eq!(about_now.updated_at, now);
    let converted_now = f.sales.lead(converted.id).await.unwrap();
    assert_eq!(converted_now.converted_customer_id, Some(kept));
    assert_eq!(f.sales.lead(unrelated.id).await.unwrap(), unrelated);
    let itself =
        f.db.write(move |c| reassign_customer(c, kept, kept, now))
            .await
            .unwrap();
    assert_eq!(itself, 0);
    assert_eq!(f.sales.lead(about.id).await.unwrap(), about_now);

    // a failing caller takes the move back with everything else
    let failed: Result<()> =
        f.db.write(move |c| {
            reassign_customer(c, kept, duplicate, now)?;
            Err(conflict("the merge failed later"))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(
        f.sales.lead(about.id).await.unwrap().customer_id,
        Some(kept)
    );
}
