//! Where tickets are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation: what only the database can check (the customer,
//! the order, the comms entry and the products exist, the next number of the year, the stock
//! left) is checked inside the transaction that writes, so concurrent writers can neither
//! break those rules nor see half of an operation. A stale caller changes nothing.
//!
//! One implementation, [`sqlite::SqliteTicketStore`]: tickets live in SQLite only.

pub mod sqlite;

use std::future::Future;

use crm_core::Timestamp;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{
    Activity, ActivityKind, ListQuery, Macro, Note, Page, PartsStock, Tag, Ticket, TicketEvent,
    TicketWithVisits, Visit, VisitCompletion,
};

/// What an [`TicketStore::update`] callback decides: the ticket as it should be, the notes to
/// add and the activities to append, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The store keeps `id`, `number`, `customer_id` and `created_at`; when anything else
    /// differs from the stored ticket it saves it with `version + 1` and `updated_at` = now,
    /// adds and removes tag assignments (creating tags it does not know) and links new
    /// entries.
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    pub activities: Vec<ActivityKind>,
}

/// The parts of a comms entry a ticket made from it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySummary {
    pub customer_id: Option<Uuid>,
    /// `call`, `email`, …
    pub kind: String,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

pub trait TicketStore: Send + Sync + 'static {
    /// One page of tickets, newest first (or soonest due with `sort=due`), and the number of
    /// matches in all pages. `now` decides what is overdue.
    fn list(
        &self,
        query: ListQuery,
        now: Timestamp,
    ) -> impl Future<Output = Result<Page<Ticket>>> + Send;

    /// The ticket with its tags and linked entries, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Ticket>> + Send;

    /// Stores a new, validated ticket: takes the next number of the year of `created_at`,
    /// checks the customer (`Error::Invalid` on `customer_id`) and the order (`order_id`),
    /// links `ticket.linked_entry_ids` (`entry_id` when unknown), assigns the tags and appends
    /// `created` (and `entry_linked` for each entry) by `actor`, in one transaction.
    ///
    /// With `origin_key` (a workflow output's idempotency key) the key is stored with the
    /// ticket in that transaction, and when a ticket already has it nothing is written: the
    /// answer is that ticket and `false` (`true`: this call created it).
    fn insert(
        &self,
        ticket: Ticket,
        actor: String,
        origin_key: Option<String>,
    ) -> impl Future<Output = Result<(Ticket, bool)>> + Send;

    /// Loads the ticket (`Error::NotFound`), checks `expected_version` (`Error::Stale`), lets
    /// `change` plan the change and writes it (see [`Plan`]), all in one transaction; returns
    /// the ticket as stored. Any error leaves everything as it was.
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
        change: F,
    ) -> impl Future<Output = Result<Ticket>> + Send
    where
        F: FnOnce(&Ticket) -> Result<Plan> + Send + 'static;

    /// The comms entry, if there is one.
    fn entry(&self, id: Uuid) -> impl Future<Output = Result<Option<EntrySummary>>> + Send;

    /// The customer's tickets that are neither resolved nor closed, newest first.
    fn open_for_customer(
        &self,
        customer_id: Uuid,
    ) -> impl Future<Output = Result<Vec<Ticket>>> + Send;

    /// The ticket's notes, oldest first (`Error::NotFound` for an unknown ticket).
    fn notes(&self, ticket_id: Uuid) -> impl Future<Output = Result<Vec<Note>>> + Send;

    /// The ticket's activities in the order they happened.
    fn activities(&self, ticket_id: Uuid) -> impl Future<Output = Result<Vec<Activity>>> + Send;

    /// Stores a new visit of the ticket (not closed: `Error::Conflict`) and appends
    /// `visit_scheduled`.
    fn insert_visit(
        &self,
        visit: Visit,
        actor: String,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// The ticket's visits by start.
    fn visits(&self, ticket_id: Uuid) -> impl Future<Output = Result<Vec<Visit>>> + Send;

    /// One visit, or `Error::NotFound`.
    fn visit(&self, id: Uuid) -> impl Future<Output = Result<Visit>> + Send;

    /// Completes a scheduled visit and — with [`PartsStock::Here`] — takes its parts from
    /// stock, in one transaction; see [`sqlite`] for the stock rule.
    fn complete_visit(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        completion: VisitCompletion,
        stock: PartsStock,
        actor: String,
        now: Timestamp,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// Calls off a scheduled visit.
    fn cancel_visit(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// Tickets about the owned item `serial`, oldest first, each with its visits.
    fn for_serial(
        &self,
        serial: String,
    ) -> impl Future<Output = Result<Vec<TicketWithVisits>>> + Send;

    /// Creations, status changes and visits of the customer's tickets strictly after `before`
    /// (`(at, seq)`), newest first, at most `limit`.
    fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<TicketEvent>>> + Send;

    /// Every tag with how many tickets carry it, by name ignoring case.
    fn tags(&self) -> impl Future<Output = Result<Vec<Tag>>> + Send;

    /// Stores a new macro; a name taken ignoring case is `Error::Conflict`.
    fn insert_macro(&self, m: Macro) -> impl Future<Output = Result<Macro>> + Send;

    /// Every macro by name.
    fn macros(&self) -> impl Future<Output = Result<Vec<Macro>>> + Send;

    fn get_macro(&self, id: Uuid) -> impl Future<Output = Result<Macro>> + Send;

    /// Gives the stored macro `m.id` the name and actions of `m` (validated), at `expected_version`
    /// (`Error::Stale` otherwise): a change takes `m.updated_at` and the next version, the
    /// same name and actions change nothing. A name another macro has is `Error::Conflict`.
    fn update_macro(
        &self,
        m: Macro,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Macro>> + Send;

    fn delete_macro(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;
}
