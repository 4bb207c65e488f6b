//! The service's behaviour, one story per rule, on a temporary SQLite database (tickets have
//! no other store). Customers, orders, products and comms entries are rows written with SQL:
//! this crate does not depend on theirs.

use crm_core::testing::insert_row;
use crm_core::{Db, FixedClock, Timestamp};
use time::Duration;

use super::*;
use crate::model::{Kind, Part, Priority, Sort, Status, Visibility, VisitStatus};
use crate::store::sqlite::SqliteTicketStore;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    clock: FixedClock,
    tickets: Service<SqliteTicketStore>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let clock = FixedClock::new(ts("2026-03-01T10:00:00Z"));
    let tickets = Service::new(SqliteTicketStore::new(db.clone()), Arc::new(clock.clone()));
    Fixture {
        _dir: dir,
        db,
        clock,
        tickets,
    }
}

impl Fixture {
    async fn sql<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> T {
        self.db
            .write(move |c| f(c).map_err(Error::from))
            .await
            .unwrap()
    }

    async fn customer(&self, name: &str) -> Uuid {
        let id = Uuid::new_v4();
        let name = name.to_owned();
        self.sql(move |c| insert_row(c, "customers", id, &name))
            .await;
        id
    }

    /// A product with `on_hand` units, `reserved` of them for orders.
    async fn product(&self, name: &str, on_hand: i64, reserved: i64) -> Uuid {
        let id = Uuid::new_v4();
        let name = name.to_owned();
        self.sql(move |c| {
            c.execute(
                "INSERT INTO products (id, name, name_key, sku, sku_key, category, \
                 stock_on_hand, stock_reserved, created_at, updated_at) \
                 VALUES (?1, ?2, lower(?2), ?1, ?1, 'part', ?3, ?4, \
                 '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                rusqlite::params![id.to_string(), name, on_hand, reserved],
            )
        })
        .await;
        id
    }

    async fn stock(&self, product: Uuid) -> (i64, i64, i64) {
        self.sql(move |c| {
            c.query_row(
                "SELECT stock_on_hand, stock_reserved, version FROM products WHERE id = ?1",
                [product.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
        })
        .await
    }

    /// A comms entry of `customer` (none: an unassigned one from a number).
    async fn entry(
        &self,
        customer: Option<Uuid>,
        kind: &str,
        subject: Option<&str>,
        body: &str,
    ) -> Uuid {
        let id = Uuid::new_v4();
        let kind = kind.to_owned();
        let subject = subject.map(str::to_owned);
        let body = body.to_owned();
        self.sql(move |c| {
            c.execute(
                "INSERT INTO comms_entries (id, customer_id, sender, type, direction, subject, \
                 body, occurred_at, created_at, updated_at) \
                 VALUES (?1, ?2, '+302101234567', ?3, 'inbound', ?4, ?5, \
                 '2026-02-28T09:00:00.000000Z', '2026-02-28T09:00:00.000000Z', \
                 '2026-02-28T09:00:00.000000Z')",
                rusqlite::params![
                    id.to_string(),
                    customer.map(|c| c.to_string()),
                    kind,
                    subject,
                    body
                ],
            )
        })
        .await;
        id
    }

    async fn create(&self, customer: Uuid, subject: &str) -> Ticket {
        self.tickets
            .create(new_ticket(customer, subject), "maria")
            .await
            .unwrap()
    }

    async fn move_to(&self, t: &Ticket, status: Status) -> Result<Ticket> {
        let patch = TicketPatch {
            status: Some(status),
            ..TicketPatch::default()
        };
        self.tickets.update(t.id, patch, None, "maria").await
    }

    async fn kinds(&self, t: Uuid) -> Vec<&'static str> {
        self.tickets
            .activities(t)
            .await
            .unwrap()
            .iter()
            .map(|a| a.what.as_str())
            .collect()
    }
}

fn new_ticket(customer: Uuid, subject: &str) -> NewTicket {
    NewTicket {
        customer_id: customer,
        subject: subject.into(),
        kind: Some(Kind::Repair),
        ..NewTicket::default()
    }
}

fn visit(f: &Fixture) -> NewVisit {
    let start = f.clock.now().into_inner() + Duration::days(2);
    NewVisit {
        starts_at: start.into(),
        ends_at: (start + Duration::hours(3)).into(),
        technician: "nikos".into(),
        address: Some("Πλατεία Αγίου Νικολάου 1, Πάτρα".into()),
    }
}

fn invalid_field(e: Error) -> String {
    match e {
        Error::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn conflict_message(e: Error) -> String {
    match e {
        Error::Conflict { message } => message,
        other => panic!("expected Conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_assigns_yearly_gapless_numbers_and_records_created() {
    let f = fixture();
    let c = f.customer("Ι.Ν. Αγίου Νικολάου").await;
    let a = f.create(c, "The bell strikes 13 at noon").await;
    let b = f.create(c, "Striker worn").await;
    assert_eq!(a.number, "TCK-2026-0001");
    assert_eq!(b.number, "TCK-2026-0002");
    assert_eq!(a.status, Status::New);
    assert_eq!(a.priority, Priority::Normal);
    assert_eq!(a.version, 1);
    assert_eq!(f.tickets.get(a.id).await.unwrap(), a);
    assert_eq!(f.kinds(a.id).await, ["created"]);
    let created = &f.tickets.activities(a.id).await.unwrap()[0];
    assert_eq!(
        (created.actor.as_str(), created.at),
        ("maria", a.created_at)
    );

    f.clock.set(ts("2027-01-01T00:00:01Z"));
    assert_eq!(f.create(c, "New year").await.number, "TCK-2027-0001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_get_fifty_gapless_numbers() {
    let f = Arc::new(fixture());
    let c = f.customer("Ενορία").await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let f = Arc::clone(&f);
        tasks.push(tokio::spawn(async move {
            f.create(c, &format!("call {i}")).await.number
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    let expected: Vec<_> = (1..=50).map(|i| format!("TCK-2026-{i:04}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_create_uses_no_number() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let e = f
        .tickets
        .create(new_ticket(Uuid::new_v4(), "nobody's"), "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "customer_id");
    let e = f
        .tickets
        .create(
            NewTicket {
                order_id: Some(Uuid::new_v4()),
                ..new_ticket(c, "which order?")
            },
            "maria",
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "order_id");
    assert_eq!(f.create(c, "first").await.number, "TCK-2026-0001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_workflow_creating_again_with_its_key_gets_the_first_ticket() {
    let f = fixture();
    let c = f.customer("Ι.Ν. Αγίου Δημητρίου").await;
    let key = "0190a1b2-run:ticket";
    let (first, created) = f
        .tickets
        .create_once(new_ticket(c, "Call back"), "workflow", key)
        .await
        .unwrap();
    assert!(created);
    // a resumed run asks again, even with other fields: the first ticket, nothing written
    let (again, created) = f
        .tickets
        .create_once(new_ticket(c, "Call back (resumed)"), "workflow", key)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert_eq!(f.kinds(first.id).await, ["created"]);
    // another key, or a person's ticket, is a ticket of its own
    let (other, created) = f
        .tickets
        .create_once(
            new_ticket(c, "Call back"),
            "workflow",
            "0190a1b2-run:ticket:1",
        )
        .await
        .unwrap();
    assert!(created);
    assert_ne!(other.id, first.id);
    f.create(c, "by hand").await;
    let page = f.tickets.list(ListQuery::default()).await.unwrap();
    assert_eq!(page.total, 3);
    let numbers: Vec<_> = page.items.iter().map(|t| t.number.as_str()).collect();
    assert!(
        numbers.contains(&"TCK-2026-0003"),
        "no number used twice: {numbers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn validation_names_the_field() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let cases: Vec<(NewTicket, &str)> = vec![
        (new_ticket(c, "  "), "subject"),
        (new_ticket(c, &"x".repeat(301)), "subject"),
        (new_ticket(c, "two\nlines"), "subject"),
        (
            NewTicket {
                kind: None,
                ..new_ticket(c, "ok")
            },
            "kind",
        ),
        (
            NewTicket {
                description: Some("y".repeat(20_001)),
                ..new_ticket(c, "ok")
            },
            "description",
        ),
        (
            NewTicket {
                tags: vec!["ok".into(), "bad\ttag".into()],
                ..new_ticket(c, "ok")
            },
            "tags[1]",
        ),
        (
            NewTicket {
                status: Some(Status::Resolved),
                ..new_ticket(c, "ok")
            },
            "status",
        ),
    ];
    for (new, field) in cases {
        let e = f.tickets.create(new, "maria").await.unwrap_err();
        assert_eq!(invalid_field(e), field);
    }
    let t = f.create(c, "ok").await;
    let patch = TicketPatch {
        subject: Some(String::new()),
        ..TicketPatch::default()
    };
    let e = f
        .tickets
        .update(t.id, patch, None, "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "subject");
}

/// A way from `new` to each status.
fn path_to(status: Status) -> &'static [Status] {
    use Status::*;
    match status {
        New => &[],
        Open => &[Open],
        Scheduled => &[Open, Scheduled],
        InProgress => &[Open, InProgress],
        WaitingCustomer => &[Open, InProgress, WaitingCustomer],
        Resolved => &[Open, Resolved],
        Closed => &[Closed],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_allowed_transition_is_made_and_recorded() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    for &from in Status::ALL {
        for &to in from.next() {
            let mut t = f.create(c, &format!("{from} → {to}")).await;
            for &step in path_to(from) {
                t = f.move_to(&t, step).await.unwrap();
            }
            assert_eq!(t.status, from);
            let moved = f.move_to(&t, to).await.unwrap();
            assert_eq!(moved.status, to, "{from} → {to}");
            assert_eq!(moved.version, t.version + 1);
            let last = f.tickets.activities(t.id).await.unwrap().pop().unwrap();
            assert_eq!(last.what, ActivityKind::StatusChanged { from, to });
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_refused_transition_is_a_conflict_naming_the_status_and_changes_nothing() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    for &from in Status::ALL {
        let mut t = f.create(c, &format!("from {from}")).await;
        for &step in path_to(from) {
            t = f.move_to(&t, step).await.unwrap();
        }
        let before = f.tickets.activities(t.id).await.unwrap();
        for &to in Status::ALL {
            if to == from || from.can_become(to) {
                continue;
            }
            let message = conflict_message(f.move_to(&t, to).await.unwrap_err());
            assert!(
                message.contains(&format!("is {from}")),
                "{from} → {to}: {message}"
            );
            assert_eq!(f.tickets.get(t.id).await.unwrap(), t);
        }
        assert_eq!(f.tickets.activities(t.id).await.unwrap(), before);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_version_changes_nothing_and_the_same_value_is_no_new_version() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Clock slow").await;
    let patch = TicketPatch {
        priority: Some(Priority::High),
        ..TicketPatch::default()
    };
    let e = f
        .tickets
        .update(t.id, patch.clone(), Some(7), "maria")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Stale { current_version: 1 }));
    assert_eq!(f.tickets.get(t.id).await.unwrap(), t);
    let high = f
        .tickets
        .update(t.id, patch.clone(), Some(1), "maria")
        .await
        .unwrap();
    assert_eq!((high.priority, high.version), (Priority::High, 2));
    let again = f
        .tickets
        .update(t.id, patch, Some(2), "maria")
        .await
        .unwrap();
    assert_eq!(again, high);
    assert_eq!(f.kinds(t.id).await, ["created", "priority_changed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn assignee_and_priority_changes_are_recorded_with_from_and_to() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Motor noise").await;
    f.clock.advance(Duration::minutes(5));
    let patch = TicketPatch {
        assignee: Some(Some("nikos".into())),
        priority: Some(Priority::Urgent),
        ..TicketPatch::default()
    };
    let t2 = f.tickets.update(t.id, patch, None, "eleni").await.unwrap();
    assert_eq!(t2.assignee.as_deref(), Some("nikos"));
    assert_eq!(t2.updated_at, f.clock.now());
    let unassign = TicketPatch {
        assignee: Some(None),
        ..TicketPatch::default()
    };
    f.tickets
        .update(t.id, unassign, None, "eleni")
        .await
        .unwrap();
    let acts = f.tickets.activities(t.id).await.unwrap();
    let what: Vec<_> = acts.iter().skip(1).map(|a| a.what.clone()).collect();
    assert_eq!(
        what,
        vec![
            ActivityKind::PriorityChanged {
                from: Priority::Normal,
                to: Priority::Urgent
            },
            ActivityKind::Assigned {
                from: None,
                to: Some("nikos".into())
            },
            ActivityKind::Assigned {
                from: Some("nikos".into()),
                to: None
            },
        ]
    );
    assert!(acts.iter().skip(1).all(|a| a.actor == "eleni"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notes_are_internal_or_for_the_customer_and_recorded() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Noise").await;
    let internal = f
        .tickets
        .add_note(
            t.id,
            NewNote {
                visibility: Visibility::Internal,
                text: "Likely the hammer spring".into(),
            },
            "nikos",
        )
        .await
        .unwrap();
    let reply = f
        .tickets
        .add_note(
            t.id,
            NewNote {
                visibility: Visibility::Customer,
                text: "Πάτερ, θα έρθουμε την Τρίτη.".into(),
            },
            "maria",
        )
        .await
        .unwrap();
    assert_eq!(
        f.tickets.notes(t.id).await.unwrap(),
        vec![internal, reply.clone()]
    );
    let last = f.tickets.activities(t.id).await.unwrap().pop().unwrap();
    assert_eq!(
        last.what,
        ActivityKind::CommentAdded {
            note_id: reply.id,
            visibility: Visibility::Customer
        }
    );
    // a note is not a change of the ticket's fields
    assert_eq!(f.tickets.get(t.id).await.unwrap().version, 1);
    let e = f
        .tickets
        .add_note(t.id, NewNote::default(), "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "text");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn completing_a_visit_takes_its_parts_from_stock_in_the_same_write() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let striker = f.product("Striker", 5, 2).await;
    let spring = f.product("Spring", 10, 0).await;
    let t = f.create(c, "Striker broken").await;
    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    assert_eq!((v.status, v.version), (VisitStatus::Scheduled, 1));
    assert_eq!(f.tickets.visits(t.id).await.unwrap(), vec![v.clone()]);

    f.clock.advance(Duration::days(2));
    let done = f
        .tickets
        .complete_visit(
            v.id,
            VisitCompletion {
                outcome: Some("Replaced striker".into()),
                parts: vec![
                    Part {
                        product_id: striker,
                        quantity: 2,
                    },
                    Part {
                        product_id: spring,
                        quantity: 1,
                    },
                    Part {
                        product_id: spring,
                        quantity: 2,
                    },
                ],
                allow_negative_stock: false,
            },
            Some(1),
            "nikos",
        )
        .await
        .unwrap();
    assert_eq!(done.status, VisitStatus::Completed);
    assert_eq!(done.version, 2);
    assert_eq!(
        done.parts[1],
        Part {
            product_id: spring,
            quantity: 3
        }
    );
    assert_eq!(f.stock(striker).await, (3, 2, 2));
    assert_eq!(f.stock(spring).await, (7, 0, 2));
    let updated: String = f
        .sql(move |c| {
            c.query_row(
                "SELECT updated_at FROM products WHERE id = ?1",
                [striker.to_string()],
                |r| r.get(0),
            )
        })
        .await;
    assert_eq!(updated, f.clock.now().to_string());
    assert_eq!(
        f.kinds(t.id).await,
        ["created", "visit_scheduled", "visit_completed"]
    );
    // a completed visit is done
    let again = f
        .tickets
        .complete_visit(v.id, VisitCompletion::default(), None, "nikos")
        .await
        .unwrap_err();
    assert!(conflict_message(again).contains("completed"));
    assert_eq!(f.stock(striker).await, (3, 2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn not_enough_free_stock_is_a_conflict_naming_the_product_and_changes_nothing() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let striker = f.product("Striker VESPER", 3, 2).await;
    let spring = f.product("Spring", 10, 0).await;
    let t = f.create(c, "Striker broken").await;
    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let use_ = |allow| VisitCompletion {
        outcome: None,
        parts: vec![
            Part {
                product_id: spring,
                quantity: 1,
            },
            Part {
                product_id: striker,
                quantity: 2,
            },
        ],
        allow_negative_stock: allow,
    };
    let message = conflict_message(
        f.tickets
            .complete_visit(v.id, use_(false), None, "nikos")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("Striker VESPER"), "{message}");
    assert!(message.contains(&striker.to_string()), "{message}");
    // the spring taken before the striker was refused is back
    assert_eq!(f.stock(spring).await, (10, 0, 1));
    assert_eq!(f.stock(striker).await, (3, 2, 1));
    let still = f.tickets.visits(t.id).await.unwrap();
    assert_eq!(still[0].status, VisitStatus::Scheduled);

    // with the override, the part may use units reserved for orders
    let done = f
        .tickets
        .complete_visit(v.id, use_(true), None, "nikos")
        .await
        .unwrap();
    assert_eq!(done.status, VisitStatus::Completed);
    assert_eq!(f.stock(striker).await, (1, 1, 2));

    // but never more than are on hand
    let v2 = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let too_many = VisitCompletion {
        parts: vec![Part {
            product_id: striker,
            quantity: 2,
        }],
        allow_negative_stock: true,
        ..VisitCompletion::default()
    };
    let message = conflict_message(
        f.tickets
            .complete_visit(v2.id, too_many, None, "nikos")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("1 on hand"), "{message}");

    let unknown = VisitCompletion {
        parts: vec![Part {
            product_id: Uuid::new_v4(),
            quantity: 1,
        }],
        ..VisitCompletion::default()
    };
    let e = f
        .tickets
        .complete_visit(v2.id, unknown, None, "nikos")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "parts[0].product_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_completions_for_the_last_unit_one_wins_the_other_is_a_conflict() {
    let f = Arc::new(fixture());
    let c = f.customer("Ενορία").await;
    let last = f.product("Controller", 1, 0).await;
    let t = f.create(c, "Controller dead").await;
    let a = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let b = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let tasks: Vec<_> = [a.id, b.id]
        .into_iter()
        .map(|v| {
            let f = Arc::clone(&f);
            tokio::spawn(async move {
                let c = VisitCompletion {
                    parts: vec![Part {
                        product_id: last,
                        quantity: 1,
                    }],
                    ..VisitCompletion::default()
                };
                f.tickets.complete_visit(v, c, None, "nikos").await
            })
        })
        .collect();
    let mut won = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => {
                assert_eq!(v.status, VisitStatus::Completed);
                won += 1;
            }
            Err(e) => {
                assert!(conflict_message(e).contains("Controller"));
                refused += 1;
            }
        }
    }
    assert_eq!((won, refused), (1, 1));
    assert_eq!(f.stock(last).await, (0, 0, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn visits_validate_cancel_and_are_refused_on_closed_tickets() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Check-up").await;
    let mut bad = visit(&f);
    bad.ends_at = bad.starts_at;
    let e = f
        .tickets
        .schedule_visit(t.id, bad, "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "ends_at");
    let mut bad = visit(&f);
    bad.technician = " ".into();
    let e = f
        .tickets
        .schedule_visit(t.id, bad, "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "technician");
    let e = f
        .tickets
        .schedule_visit(Uuid::new_v4(), visit(&f), "maria")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "ticket", .. }));

    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let e = f
        .tickets
        .cancel_visit(v.id, Some(9), "maria")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Stale { current_version: 1 }));
    let cancelled = f
        .tickets
        .cancel_visit(v.id, Some(1), "maria")
        .await
        .unwrap();
    assert_eq!(cancelled.status, VisitStatus::Cancelled);
    let e = f
        .tickets
        .complete_visit(v.id, VisitCompletion::default(), None, "nikos")
        .await
        .unwrap_err();
    assert!(conflict_message(e).contains("cancelled"));

    let closed = f.move_to(&t, Status::Closed).await.unwrap();
    let e = f
        .tickets
        .schedule_visit(closed.id, visit(&f), "maria")
        .await
        .unwrap_err();
    assert!(conflict_message(e).contains("closed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn activities_cannot_be_changed_or_deleted_with_sql() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Noise").await;
    let id = t.id.to_string();
    for sql in [
        "UPDATE ticket_activities SET actor = 'mallory' WHERE ticket_id = ?1",
        "DELETE FROM ticket_activities WHERE ticket_id = ?1",
    ] {
        let id = id.clone();
        let e =
            f.db.write(move |c| c.execute(sql, [id]).map_err(Error::from))
                .await
                .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    let acts = f.tickets.activities(t.id).await.unwrap();
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].actor, "maria");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tags_are_unique_ignoring_case_and_keep_their_first_spelling() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let a = f
        .tickets
        .create(
            NewTicket {
                tags: vec!["Warranty".into()],
                ..new_ticket(c, "a")
            },
            "maria",
        )
        .await
        .unwrap();
    assert_eq!(a.tags, ["Warranty"]);
    let b = f.create(c, "b").await;
    let b = f
        .tickets
        .add_tag(b.id, " warranty ", Some(1), "maria")
        .await
        .unwrap();
    assert_eq!(b.tags, ["Warranty"]);
    assert_eq!(b.version, 2);
    let b = f
        .tickets
        .add_tag(b.id, "ΚΑΜΠΑΝΟΣΤΑΣΙΟ", None, "maria")
        .await
        .unwrap();
    let same = f
        .tickets
        .add_tag(b.id, "καμπανοστασιο", None, "maria")
        .await
        .unwrap();
    assert_eq!(same, b);
    assert_eq!(
        f.tickets.tags().await.unwrap(),
        vec![
            Tag {
                name: "Warranty".into(),
                tickets: 2
            },
            Tag {
                name: "ΚΑΜΠΑΝΟΣΤΑΣΙΟ".into(),
                tickets: 1
            },
        ]
    );
    let b = f
        .tickets
        .remove_tag(b.id, "WARRANTY", None, "maria")
        .await
        .unwrap();
    assert_eq!(b.tags, ["ΚΑΜΠΑΝΟΣΤΑΣΙΟ"]);
    assert_eq!(
        f.kinds(b.id).await,
        ["created", "tag_added", "tag_added", "tag_removed"]
    );
    let e = f
        .tickets
        .add_tag(b.id, "", None, "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "tag");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_macro_applies_all_its_actions_and_records_each() {
    let f = fixture();
    let c = f.customer("Ι.Ν. Αγίου Νικολάου").await;
    let t = f.create(c, "Bell silent").await;
    let m = f
        .tickets
        .create_macro(NewMacro {
            name: "Send technician".into(),
            actions: vec![
                MacroAction::SetStatus {
                    status: Status::Open,
                },
                MacroAction::SetPriority {
                    priority: Priority::High,
                },
                MacroAction::SetAssignee {
                    assignee: Some("nikos".into()),
                },
                MacroAction::AddTag {
                    tag: "on-site".into(),
                },
                MacroAction::AddNote {
                    template: "Dear {customer}, {ticket} is with our technician.".into(),
                    visibility: Visibility::Customer,
                },
            ],
        })
        .await
        .unwrap();
    assert_eq!(f.tickets.macros().await.unwrap(), vec![m.clone()]);
    let e = f
        .tickets
        .create_macro(NewMacro {
            name: "SEND TECHNICIAN".into(),
            actions: vec![MacroAction::SetPriority {
                priority: Priority::Low,
            }],
        })
        .await
        .unwrap_err();
    assert!(conflict_message(e).contains("SEND TECHNICIAN"));

    let after = f
        .tickets
        .apply_macro(t.id, m.id, "Ι.Ν. Αγίου Νικολάου", Some(1), "maria")
        .await
        .unwrap();
    assert_eq!(after.status, Status::Open);
    assert_eq!(after.priority, Priority::High);
    assert_eq!(after.assignee.as_deref(), Some("nikos"));
    assert_eq!(after.tags, ["on-site"]);
    assert_eq!(after.version, 2);
    let notes = f.tickets.notes(t.id).await.unwrap();
    assert_eq!(
        notes[0].text,
        "Dear Ι.Ν. Αγίου Νικολάου, TCK-2026-0001 is with our technician."
    );
    assert_eq!(notes[0].visibility, Visibility::Customer);
    assert_eq!(
        f.kinds(t.id).await,
        [
            "created",
            "status_changed",
            "priority_changed",
            "assigned",
            "tag_added",
            "comment_added",
            "macro_applied"
        ]
    );
    f.tickets.delete_macro(m.id, Some(1)).await.unwrap();
    assert!(f.tickets.macros().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_macro_is_edited_in_place_under_its_version() {
    let f = fixture();
    let priority = |priority| NewMacro {
        name: "Urgent".into(),
        actions: vec![MacroAction::SetPriority { priority }],
    };
    let m = f
        .tickets
        .create_macro(priority(Priority::High))
        .await
        .unwrap();
    let other = f
        .tickets
        .create_macro(NewMacro {
            name: "Close".into(),
            actions: vec![MacroAction::SetStatus {
                status: Status::Closed,
            }],
        })
        .await
        .unwrap();

    f.clock.advance(Duration::minutes(5));
    let edited = f
        .tickets
        .update_macro(
            m.id,
            NewMacro {
                name: "  Very urgent ".into(),
                actions: vec![
                    MacroAction::SetPriority {
                        priority: Priority::Urgent,
                    },
                    MacroAction::AddTag {
                        tag: "callback".into(),
                    },
                ],
            },
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(edited.id, m.id);
    assert_eq!(edited.name, "Very urgent");
    assert_eq!(edited.actions.len(), 2);
    assert_eq!(edited.version, 2);
    assert_eq!(edited.created_at, m.created_at);
    assert_eq!(edited.updated_at, ts("2026-03-01T10:05:00Z"));
    assert_eq!(
        f.tickets.macros().await.unwrap(),
        vec![other.clone(), edited.clone()]
    );

    // the same name and actions again: nothing changes, not even the version
    f.clock.advance(Duration::minutes(5));
    let same = NewMacro {
        name: edited.name.clone(),
        actions: edited.actions.clone(),
    };
    assert_eq!(
        f.tickets.update_macro(m.id, same, None).await.unwrap(),
        edited
    );
    // only the case of its own name changes: not a clash with itself
    let renamed = f
        .tickets
        .update_macro(
            m.id,
            NewMacro {
                name: "VERY URGENT".into(),
                actions: edited.actions.clone(),
            },
            Some(2),
        )
        .await
        .unwrap();
    assert_eq!((renamed.name.as_str(), renamed.version), ("VERY URGENT", 3));

    let e = f
        .tickets
        .update_macro(m.id, priority(Priority::Low), Some(2))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Stale { current_version: 3 }));
    let e = f
        .tickets
        .update_macro(
            m.id,
            NewMacro {
                name: "close".into(),
                actions: edited.actions.clone(),
            },
            Some(3),
        )
        .await
        .unwrap_err();
    assert!(conflict_message(e).contains("close"));
    let e = f
        .tickets
        .update_macro(
            m.id,
            NewMacro {
                name: "Urgent".into(),
                actions: vec![MacroAction::AddTag { tag: " ".into() }],
            },
            Some(3),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "actions[0].tag");
    let e = f
        .tickets
        .update_macro(Uuid::new_v4(), priority(Priority::Low), None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "macro", .. }));
    assert_eq!(f.tickets.macros().await.unwrap(), vec![other, renamed]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_macro_with_one_refused_step_changes_nothing() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Bell silent").await;
    let m = f
        .tickets
        .create_macro(NewMacro {
            name: "Resolve".into(),
            actions: vec![
                MacroAction::AddTag { tag: "done".into() },
                MacroAction::AddNote {
                    template: "Fixed".into(),
                    visibility: Visibility::Internal,
                },
                // new → resolved is not a move
                MacroAction::SetStatus {
                    status: Status::Resolved,
                },
            ],
        })
        .await
        .unwrap();
    let e = f
        .tickets
        .apply_macro(t.id, m.id, "Ενορία", None, "maria")
        .await
        .unwrap_err();
    assert!(conflict_message(e).contains("is new"));
    assert_eq!(f.tickets.get(t.id).await.unwrap(), t);
    assert!(f.tickets.notes(t.id).await.unwrap().is_empty());
    assert!(f.tickets.tags().await.unwrap().is_empty());
    assert_eq!(f.kinds(t.id).await, ["created"]);
    let e = f
        .tickets
        .apply_macro(t.id, Uuid::new_v4(), "Ενορία", None, "maria")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { what: "macro", .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_list_filters_by_each_field_and_pages() {
    let f = fixture();
    let c1 = f.customer("Ενορία Α").await;
    let c2 = f.customer("Ενορία Β").await;
    let mut made = Vec::new();
    for i in 0..6 {
        f.clock.advance(Duration::minutes(1));
        let new = NewTicket {
            priority: Some(if i % 2 == 0 {
                Priority::High
            } else {
                Priority::Low
            }),
            assignee: (i < 3).then(|| "nikos".to_owned()),
            tags: if i == 4 {
                vec!["Warranty".into()]
            } else {
                Vec::new()
            },
            due_at: Some(ts("2026-03-01T12:00:00Z")).filter(|_| i == 1 || i == 2),
            ..new_ticket(if i == 5 { c2 } else { c1 }, &format!("t{i}"))
        };
        made.push(f.tickets.create(new, "maria").await.unwrap());
    }
    f.move_to(&made[2], Status::Closed).await.unwrap();
    f.move_to(&made[3], Status::Open).await.unwrap();
    let list = |q: ListQuery| async {
        let page = f.tickets.list(q).await.unwrap();
        let subjects: Vec<_> = page.items.iter().map(|t| t.subject.clone()).collect();
        (subjects, page.total)
    };
    assert_eq!(
        list(ListQuery::default()).await,
        (
            vec!["t5", "t4", "t3", "t2", "t1", "t0"]
                .into_iter()
                .map(String::from)
                .collect(),
            6
        )
    );
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let q = |f: fn(&mut ListQuery)| {
        let mut q = ListQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        list(q(|q| q.status = vec![Status::New])).await.0,
        names(&["t5", "t4", "t1", "t0"])
    );
    assert_eq!(
        list(q(|q| q.status = vec![Status::Open, Status::Closed]))
            .await
            .0,
        names(&["t3", "t2"])
    );
    assert_eq!(
        list(q(|q| q.assignee = Some("nikos".into()))).await.0,
        names(&["t2", "t1", "t0"])
    );
    assert_eq!(
        list(q(|q| {
            q.assignee = Some("nikos".into());
            q.status = vec![Status::New];
        }))
        .await
        .0,
        names(&["t1", "t0"])
    );
    assert_eq!(
        list(q(|q| q.priority = Some(Priority::Low))).await.0,
        names(&["t5", "t3", "t1"])
    );
    assert_eq!(
        list(q(|q| q.tag = Some("WARRANTY".into()))).await,
        (names(&["t4"]), 1)
    );
    assert_eq!(list(q(|q| q.customer_id = None)).await.1, 6);
    let by_customer = ListQuery {
        customer_id: Some(c2),
        ..ListQuery::default()
    };
    assert_eq!(list(by_customer).await.0, names(&["t5"]));
    // both due at noon; t2 is closed, so only t1 is overdue after noon
    assert!(list(q(|q| q.overdue = true)).await.0.is_empty());
    f.clock.set(ts("2026-03-01T12:00:01Z"));
    assert_eq!(list(q(|q| q.overdue = true)).await.0, names(&["t1"]));
    assert_eq!(
        list(q(|q| q.sort = Sort::Due)).await.0,
        names(&["t2", "t1", "t5", "t4", "t3", "t0"])
    );
    let page = list(q(|q| {
        q.limit = Some(2);
        q.offset = Some(2);
    }))
    .await;
    assert_eq!(page, (names(&["t3", "t2"]), 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_from_a_missed_call_links_the_entry_and_says_so() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let call = f.entry(Some(c), "call", None, "").await;
    let t = f
        .tickets
        .create_from_entry(call, c, None, new_ticket(c, ""), "maria")
        .await
        .unwrap();
    assert_eq!(t.subject, "call from +302101234567");
    assert_eq!(t.linked_entry_ids, vec![call]);
    let acts = f.tickets.activities(t.id).await.unwrap();
    assert_eq!(acts[1].what, ActivityKind::EntryLinked { entry_id: call });

    let mail = f
        .entry(Some(c), "email", Some("Η καμπάνα δεν χτυπά"), "Καλημέρα…")
        .await;
    let t2 = f
        .tickets
        .create_from_entry(mail, c, None, new_ticket(c, ""), "maria")
        .await
        .unwrap();
    assert_eq!(t2.subject, "Η καμπάνα δεν χτυπά");
    let wa = f
        .entry(None, "whatsapp", None, "\nThe clock is\nslow")
        .await;
    let t3 = f
        .tickets
        .create_from_entry(wa, c, Some("Clock slow".into()), new_ticket(c, ""), "maria")
        .await
        .unwrap();
    assert_eq!(t3.subject, "Clock slow");

    // a later message of the same customer, linked to the open ticket
    let open = f.tickets.open_for_customer(c).await.unwrap();
    assert_eq!(
        open.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![t3.id, t2.id, t.id]
    );
    let later = f.entry(Some(c), "whatsapp", None, "Any news?").await;
    f.clock.advance(Duration::minutes(30));
    let linked = f
        .tickets
        .link_entry(t.id, later, Some(1), "maria")
        .await
        .unwrap();
    assert_eq!(linked.linked_entry_ids, vec![call, later]);
    assert_eq!(linked.version, 2);
    let again = f
        .tickets
        .link_entry(t.id, later, None, "maria")
        .await
        .unwrap();
    assert_eq!(again, linked);
    assert_eq!(
        f.kinds(t.id).await,
        ["created", "entry_linked", "entry_linked"]
    );

    let other = f.customer("Άλλη ενορία").await;
    let theirs = f.entry(Some(other), "email", Some("x"), "y").await;
    let e = f
        .tickets
        .link_entry(t.id, theirs, None, "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "entry_id");
    let e = f
        .tickets
        .create_from_entry(Uuid::new_v4(), c, None, new_ticket(c, ""), "maria")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "entry_id");
    f.move_to(&t2, Status::Closed).await.unwrap();
    assert_eq!(f.tickets.open_for_customer(c).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_serial_shows_its_tickets_and_visits() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f
        .tickets
        .create(
            NewTicket {
                owned_item_serial: Some("VSP-2024-0042".into()),
                ..new_ticket(c, "Controller resets")
            },
            "maria",
        )
        .await
        .unwrap();
    f.create(c, "Unrelated").await;
    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let history = f.tickets.for_serial(" VSP-2024-0042 ").await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].ticket.id, t.id);
    assert_eq!(history[0].visits, vec![v]);
    assert!(f.tickets.for_serial("nothing").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customer_events_are_newest_first_with_a_cursor() {
    let f = fixture();
    let c = f.customer("Ενορία").await;
    let t = f.create(c, "Noise").await;
    f.clock.advance(Duration::minutes(1));
    f.move_to(&t, Status::Open).await.unwrap();
    f.clock.advance(Duration::minutes(1));
    f.tickets
        .add_tag(t.id, "hidden from the timeline", None, "maria")
        .await
        .unwrap();
    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    let events = f.tickets.events_for_customer(c, None, 10).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.what.as_str()).collect();
    assert_eq!(kinds, ["visit_scheduled", "status_changed", "created"]);
    assert_eq!(
        events[0].what,
        ActivityKind::VisitScheduled { visit_id: v.id }
    );
    assert_eq!(events[0].number, "TCK-2026-0001");
    let first = f.tickets.events_for_customer(c, None, 1).await.unwrap();
    let cursor = (first[0].at, first[0].seq);
    let rest = f
        .tickets
        .events_for_customer(c, Some(cursor), 10)
        .await
        .unwrap();
    assert_eq!(rest, events[1..].to_vec());
    let other = f.customer("Άλλη").await;
    assert!(
        f.tickets
            .events_for_customer(other, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_ticket_or_visit_is_not_found() {
    let f = fixture();
    let nobody = Uuid::new_v4();
    let what = |e: Error| match e {
        Error::NotFound { what, id } => {
            assert_eq!(id, nobody);
            what
        }
        other => panic!("expected NotFound, got {other:?}"),
    };
    assert_eq!(what(f.tickets.get(nobody).await.unwrap_err()), "ticket");
    assert_eq!(
        what(f.tickets.activities(nobody).await.unwrap_err()),
        "ticket"
    );
    assert_eq!(what(f.tickets.notes(nobody).await.unwrap_err()), "ticket");
    assert_eq!(what(f.tickets.visits(nobody).await.unwrap_err()), "ticket");
    let e = f
        .tickets
        .update(nobody, TicketPatch::default(), None, "maria")
        .await
        .unwrap_err();
    assert_eq!(what(e), "ticket");
    let e = f
        .tickets
        .add_note(
            nobody,
            NewNote {
                visibility: Visibility::Internal,
                text: "x".into(),
            },
            "maria",
        )
        .await
        .unwrap_err();
    assert_eq!(what(e), "ticket");
    let e = f
        .tickets
        .complete_visit(nobody, VisitCompletion::default(), None, "nikos")
        .await
        .unwrap_err();
    assert_eq!(what(e), "visit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_visit_whose_parts_were_taken_elsewhere_records_them_and_leaves_stock_alone() {
    let f = fixture();
    let c = f.customer("Ενορία Αγίας Ειρήνης").await;
    let relay = f.product("Relay", 1, 0).await;
    let t = f.create(c, "Clock stops").await;
    let v = f
        .tickets
        .schedule_visit(t.id, visit(&f), "maria")
        .await
        .unwrap();
    assert_eq!(
        f.tickets.visit(v.id).await.unwrap().status,
        VisitStatus::Scheduled
    );
    let done = VisitCompletion {
        outcome: Some("relay replaced".into()),
        parts: vec![Part {
            product_id: relay,
            quantity: 3,
        }],
        allow_negative_stock: false,
    };
    // three relays were taken from the Firestore products: this database has one and keeps it
    let v = f
        .tickets
        .complete_visit_with_parts_taken(v.id, done, Some(v.version), "nikos")
        .await
        .unwrap();
    assert_eq!(v.status, VisitStatus::Completed);
    assert_eq!(v.parts[0].quantity, 3);
    assert_eq!(f.stock(relay).await, (1, 0, 1));
    let kinds: Vec<_> = f.tickets.activities(t.id).await.unwrap();
    assert!(
        kinds.iter().any(
            |a| matches!(a.what, ActivityKind::VisitCompleted { visit_id } if visit_id == v.id)
        )
    );
    assert!(matches!(
        f.tickets.visit(Uuid::new_v4()).await,
        Err(Error::NotFound { .. })
    ));
}
