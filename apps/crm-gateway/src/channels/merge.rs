//! Merging a duplicate customer into the one that stays: every context's records move, the
//! kept customer gains what the duplicate had ([`crm_customers::merge::combine`]), the
//! duplicate is deleted and the merge remembered with the duplicate's whole JSON.
//!
//! # SQLite: one transaction
//!
//! With customers and orders in SQLite every step — orders, comms entries and media, tickets
//! and their activities, leads, the kept customer, the duplicate's deletion and the merge
//! record — is one write: all of it happens or none. A dry run is the same write, rolled back
//! at its end, so what it says is exactly what the real merge does.
//!
//! # Firestore: resumable
//!
//! Customers and orders in Firestore cannot share SQLite's transaction. The merge is then
//! remembered first (`moving`) in the same SQLite write that moves the comms, tickets and
//! leads; the orders move one by one, the kept customer is written (on the condition that it
//! did not change since it was read), the duplicate deleted, and the merge marked `done`. A
//! merge that stops half-way (a crash, Firestore unavailable) is finished by asking it again:
//! each step finds its work done and moves on, the duplicate's record coming from the merge
//! record once it is gone.
//!
//! Merging again a duplicate merged before into the same customer answers what was done then
//! (`already_merged`) and changes nothing; into another customer it is a 409.

use crm_core::Timestamp;
use crm_customers::merge::{MergeOutcome, MergeRecord, MergeRequest, Moved, combine};
use crm_customers::store::sqlite::merging;
use crm_customers::{Change, Customer, CustomerStore as _, Customers as _};
use crm_orders::{OrderStore as _, Orders as _};
use uuid::Uuid;

use crate::channels::ChannelError;
use crate::config::StoreKind;
use crate::state::AppState;

/// Merges `request.duplicate_id` into `kept_id`; see the module doc.
pub async fn merge(
    state: &AppState,
    kept_id: Uuid,
    request: MergeRequest,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<MergeOutcome, ChannelError> {
    if request.duplicate_id == kept_id {
        return Err(ChannelError::invalid(
            "duplicate_id",
            "a customer cannot be merged into itself",
        ));
    }
    let now = state.clock.now();
    if state.records.kind() == StoreKind::Sqlite {
        in_sqlite(state, kept_id, request, expected_version, actor, now).await
    } else {
        across_stores(state, kept_id, request, expected_version, actor, now).await
    }
}

/// Why a merge's write stops: a refusal, or a dry run's outcome (rolled back).
enum Stop {
    Refused(crm_core::Error),
    DryRun(Box<MergeOutcome>),
}

impl From<crm_core::Error> for Stop {
    fn from(e: crm_core::Error) -> Self {
        Self::Refused(e)
    }
}

impl From<crm_core::DbError> for Stop {
    fn from(e: crm_core::DbError) -> Self {
        Self::Refused(e.into())
    }
}

/// A merge done before: what it did, when it was into `kept_id`; a conflict otherwise.
fn earlier(record: &MergeRecord, kept_id: Uuid) -> Result<(), crm_core::Error> {
    if record.kept_id == kept_id {
        return Ok(());
    }
    Err(crm_core::Error::Conflict {
        message: format!(
            "customer {} was merged into customer {} already",
            record.duplicate_id, record.kept_id
        ),
    })
}

/// The duplicate, or 422 on `duplicate_id` when there is none.
fn no_duplicate(e: crm_core::Error) -> crm_core::Error {
    match e {
        crm_core::Error::NotFound { .. } => {
            crm_core::Error::invalid("duplicate_id", "no such customer")
        }
        e => e,
    }
}

/// Moves what SQLite keeps of the duplicate's — comms entries and media records, tickets and
/// their activities, leads — to the kept customer, counting into `moved`.
fn move_sqlite_records(
    conn: &crm_core::Connection,
    from: Uuid,
    to: Uuid,
    now: Timestamp,
    moved: &mut Moved,
) -> Result<(), crm_core::Error> {
    let (entries, media) = crm_comms::store::sqlite::reassign_customer(conn, from, to, now)?;
    moved.comms_entries = entries;
    moved.media_records = media;
    moved.tickets = crm_tickets::store::sqlite::reassign_customer(conn, from, to, now)?;
    moved.leads = crm_sales::store::sqlite::reassign_customer(conn, from, to, now)?;
    Ok(())
}

async fn in_sqlite(
    state: &AppState,
    kept_id: Uuid,
    request: MergeRequest,
    expected_version: Option<i64>,
    actor: &str,
    now: Timestamp,
) -> Result<MergeOutcome, ChannelError> {
    let actor = actor.to_owned();
    let written = state
        .db
        .write(move |conn| -> Result<MergeOutcome, Stop> {
            let dup_id = request.duplicate_id;
            if let Some((record, _)) = merging::record_of(conn, dup_id)? {
                earlier(&record, kept_id)?;
                return Ok(MergeOutcome {
                    customer: merging::customer(conn, kept_id)?,
                    record,
                    dry_run: request.dry_run,
                    already_merged: true,
                });
            }
            let kept = merging::customer(conn, kept_id)?;
            crm_core::store::check_version(kept.version, expected_version)?;
            let duplicate = merging::customer(conn, dup_id).map_err(no_duplicate)?;
            let (mut next, mut moved) = combine(&kept, &duplicate, &request.choices, now)?;
            next.version = kept.version + 1;
            moved.orders =
                crm_orders::store::sqlite::reassign_customer(conn, dup_id, kept_id, now)?;
            move_sqlite_records(conn, dup_id, kept_id, now, &mut moved)?;
            merging::replace(conn, &next, dup_id)?;
            let record = MergeRecord {
                id: Uuid::new_v4(),
                kept_id,
                duplicate_id: dup_id,
                duplicate,
                choices: request.choices,
                moved,
                merged_by: actor,
                merged_at: now,
            };
            merging::remember(conn, &record, false)?;
            let outcome = MergeOutcome {
                customer: next,
                record,
                dry_run: request.dry_run,
                already_merged: false,
            };
            if request.dry_run {
                return Err(Stop::DryRun(Box::new(outcome)));
            }
            Ok(outcome)
        })
        .await;
    match written {
        Ok(outcome) => Ok(outcome),
        Err(Stop::DryRun(outcome)) => Ok(*outcome),
        Err(Stop::Refused(e)) => Err(e.into()),
    }
}

async fn across_stores(
    state: &AppState,
    kept_id: Uuid,
    request: MergeRequest,
    expected_version: Option<i64>,
    actor: &str,
    now: Timestamp,
) -> Result<MergeOutcome, ChannelError> {
    let dup_id = request.duplicate_id;
    let before = state
        .db
        .read(move |conn| merging::record_of(conn, dup_id))
        .await?;
    let (duplicate, resumed) = match before {
        Some((record, moving)) => {
            earlier(&record, kept_id)?;
            if !moving {
                return Ok(MergeOutcome {
                    customer: state.customers.get(kept_id).await?,
                    record,
                    dry_run: request.dry_run,
                    already_merged: true,
                });
            }
            (record.duplicate.clone(), Some(record))
        }
        None => {
            let duplicate = state.customers.get(dup_id).await.map_err(no_duplicate)?;
            (duplicate, None)
        }
    };
    let kept = state.customers.get(kept_id).await?;
    if resumed.is_none() {
        crm_core::store::check_version(kept.version, expected_version)?;
    }
    let (next, mut moved) = combine(&kept, &duplicate, &request.choices, now)?;
    let orders = orders_of(state, dup_id).await?;
    moved.orders = u64::try_from(orders.len()).unwrap_or(u64::MAX);
    let record = MergeRecord {
        id: resumed.as_ref().map_or_else(Uuid::new_v4, |r| r.id),
        kept_id,
        duplicate_id: dup_id,
        duplicate,
        choices: request.choices,
        moved,
        merged_by: resumed
            .as_ref()
            .map_or_else(|| actor.to_owned(), |r| r.merged_by.clone()),
        merged_at: resumed.as_ref().map_or(now, |r| r.merged_at),
    };

    // SQLite's part, remembered as moving (a dry run rolls it back)
    let dry_run = request.dry_run;
    let mut sqlite_part = record.clone();
    let preview = next.clone();
    let written = state
        .db
        .write(move |conn| -> Result<MergeRecord, Stop> {
            let orders = sqlite_part.moved.orders;
            move_sqlite_records(conn, dup_id, kept_id, now, &mut sqlite_part.moved)?;
            sqlite_part.moved.orders = orders;
            merging::remember(conn, &sqlite_part, true)?;
            if dry_run {
                let outcome = MergeOutcome {
                    customer: Customer {
                        version: preview.version + 1,
                        ..preview
                    },
                    record: sqlite_part,
                    dry_run,
                    already_merged: false,
                };
                return Err(Stop::DryRun(Box::new(outcome)));
            }
            Ok(sqlite_part)
        })
        .await;
    let mut record = match written {
        Ok(record) => record,
        Err(Stop::DryRun(outcome)) => return Ok(*outcome),
        Err(Stop::Refused(e)) => return Err(e.into()),
    };
    if let Some(earlier) = &resumed {
        // what moved on the first attempt is not found to move again
        let m = &mut record.moved;
        m.comms_entries += earlier.moved.comms_entries;
        m.media_records += earlier.moved.media_records;
        m.tickets += earlier.moved.tickets;
        m.leads += earlier.moved.leads;
        m.orders = m.orders.max(earlier.moved.orders);
    }

    // Firestore's part: the orders, the kept customer, the duplicate
    for order in orders {
        state
            .orders
            .store()
            .update(order, None, move |o| {
                Ok(if o.customer_id == dup_id {
                    let mut moved = o.clone();
                    moved.customer_id = kept_id;
                    moved.updated_at = now;
                    crm_orders::Change::Save(Box::new(moved))
                } else {
                    crm_orders::Change::Unchanged
                })
            })
            .await?;
    }
    let kept_version = kept.version;
    let merged = state
        .customers
        .store()
        .update(kept_id, Some(kept_version), move |_| {
            Ok(Change::Save(Box::new(next.clone())))
        })
        .await?;
    match state.customers.store().delete(dup_id, None).await {
        Ok(()) | Err(crm_core::Error::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let done = record.clone();
    state
        .db
        .write(move |conn| merging::remember(conn, &done, false))
        .await?;
    Ok(MergeOutcome {
        customer: merged,
        record,
        dry_run: false,
        already_merged: false,
    })
}

/// The ids of every order of the customer `id`.
async fn orders_of(state: &AppState, id: Uuid) -> Result<Vec<Uuid>, ChannelError> {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let query = crm_orders::ListQuery {
            customer_id: Some(id),
            limit: Some(ORDERS_PAGE),
            offset: Some(offset),
            ..Default::default()
        };
        let page = state.orders.list(query).await?;
        let n = page.items.len();
        ids.extend(page.items.into_iter().map(|o| o.id));
        if n < ORDERS_PAGE as usize {
            return Ok(ids);
        }
        offset += ORDERS_PAGE;
    }
}

/// Orders read per page while a merge collects them.
const ORDERS_PAGE: u32 = 200;

/// The merges into the customer `id` (404 when there is no such customer), newest first.
pub async fn history(state: &AppState, id: Uuid) -> Result<Vec<MergeRecord>, ChannelError> {
    state.customers.get(id).await?;
    Ok(state
        .db
        .read(move |conn| merging::records_into(conn, id))
        .await?)
}
