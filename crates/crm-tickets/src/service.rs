//! The public face of the service desk: the [`Tickets`] trait and its implementation
//! [`Service`], generic over the [`TicketStore`].
//!
//! Every write names its `actor` (the username the activity records); activities are never
//! written from a client's data. Writes that change a ticket take `expected_version`
//! (`If-Match`; `Error::Stale` when it is not the stored one, and nothing changes).

use std::future::Future;
use std::sync::Arc;

use crm_core::validate::{check_length, scrub_line};
use crm_core::{Clock, Timestamp};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{
    Activity, ActivityKind, ListQuery, Macro, MacroAction, NewMacro, NewNote, NewTicket, NewVisit,
    Note, Page, PartsStock, SUBJECT_MAX, Tag, Ticket, TicketEvent, TicketPatch, TicketWithVisits,
    Visit, VisitCompletion, add_tag, fill_template, remove_tag, set_assignee, set_priority,
    set_status, tag_name,
};
use crate::store::{Plan, TicketStore};

/// What the rest of the CRM can do with tickets.
pub trait Tickets: Send + Sync {
    /// One page of tickets (filters of [`ListQuery`]; overdue as of the clock's now).
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Ticket>>> + Send;

    /// The ticket, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Ticket>> + Send;

    /// Validates and stores a new ticket; the server assigns id and number and records
    /// `created`.
    fn create(&self, new: NewTicket, actor: &str) -> impl Future<Output = Result<Ticket>> + Send;

    /// [`Tickets::create`] at most once per `origin_key` (a workflow output's idempotency key,
    /// never a client's): the key is stored with the ticket in the creating transaction, and
    /// creating again with it answers the ticket it created and `false` (`true`: created now).
    fn create_once(
        &self,
        new: NewTicket,
        actor: &str,
        origin_key: &str,
    ) -> impl Future<Output = Result<(Ticket, bool)>> + Send;

    /// A ticket from a comms entry (a missed call, a message, an e-mail): the entry is linked
    /// and `entry_linked` recorded. `subject` defaults to the entry's subject, else the first
    /// line of its text, else "`<type> from <sender>`". Other fields as in `new`, whose
    /// `customer_id` and `subject` are replaced.
    fn create_from_entry(
        &self,
        entry_id: Uuid,
        customer_id: Uuid,
        subject: Option<String>,
        new: NewTicket,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;

    /// Changes fields; status moves are checked ([`crate::model::Status::next`], else
    /// `Error::Conflict` naming the current status). Records status, assignee and priority
    /// changes.
    fn update(
        &self,
        id: Uuid,
        patch: TicketPatch,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;

    /// Links one more comms entry (of the same customer, or of none) and records
    /// `entry_linked`; linking it again changes nothing.
    fn link_entry(
        &self,
        id: Uuid,
        entry_id: Uuid,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;

    /// The customer's tickets that are neither resolved nor closed (to offer linking a new
    /// entry to one of them).
    fn open_for_customer(
        &self,
        customer_id: Uuid,
    ) -> impl Future<Output = Result<Vec<Ticket>>> + Send;

    /// Adds a tag (an existing one ignoring case keeps its spelling); records `tag_added`.
    fn add_tag(
        &self,
        id: Uuid,
        tag: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;

    /// Removes a tag (ignoring case); records `tag_removed`. Absent: nothing changes.
    fn remove_tag(
        &self,
        id: Uuid,
        tag: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;

    /// Every tag with its number of tickets.
    fn tags(&self) -> impl Future<Output = Result<Vec<Tag>>> + Send;

    /// Adds a note by `actor` and records `comment_added`.
    fn add_note(
        &self,
        id: Uuid,
        note: NewNote,
        actor: &str,
    ) -> impl Future<Output = Result<Note>> + Send;

    fn notes(&self, id: Uuid) -> impl Future<Output = Result<Vec<Note>>> + Send;

    fn activities(&self, id: Uuid) -> impl Future<Output = Result<Vec<Activity>>> + Send;

    /// Schedules a visit; records `visit_scheduled`.
    fn schedule_visit(
        &self,
        ticket_id: Uuid,
        visit: NewVisit,
        actor: &str,
    ) -> impl Future<Output = Result<Visit>> + Send;

    fn visits(&self, ticket_id: Uuid) -> impl Future<Output = Result<Vec<Visit>>> + Send;

    /// Completes a scheduled visit, taking its parts from stock in the same transaction
    /// (`Error::Conflict` naming the product when there are not enough); records
    /// `visit_completed`.
    fn complete_visit(
        &self,
        visit_id: Uuid,
        completion: VisitCompletion,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// Completes a scheduled visit whose parts the caller has already taken from a stock kept
    /// elsewhere (products in Firestore): as [`Tickets::complete_visit`], leaving this
    /// database's products alone.
    fn complete_visit_with_parts_taken(
        &self,
        visit_id: Uuid,
        completion: VisitCompletion,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// One visit, or `Error::NotFound`.
    fn visit(&self, visit_id: Uuid) -> impl Future<Output = Result<Visit>> + Send;

    /// Calls off a scheduled visit; records `visit_cancelled`.
    fn cancel_visit(
        &self,
        visit_id: Uuid,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Visit>> + Send;

    /// Tickets about an owned item's serial, oldest first, with their visits.
    fn for_serial(
        &self,
        serial: &str,
    ) -> impl Future<Output = Result<Vec<TicketWithVisits>>> + Send;

    /// Ticket creations, status changes and visits of the customer strictly after `before`
    /// (`(at, seq)`), newest first, at most `limit` (for the customer's timeline).
    fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<TicketEvent>>> + Send;

    fn create_macro(&self, new: NewMacro) -> impl Future<Output = Result<Macro>> + Send;

    fn macros(&self) -> impl Future<Output = Result<Vec<Macro>>> + Send;

    /// Replaces the macro's name and actions in place, validated as on create: its id and
    /// `created_at` stay; a name another macro has (ignoring case) is `Error::Conflict`; a
    /// stale `expected_version` is `Error::Stale`. A change bumps `version` and `updated_at`;
    /// the same name and actions leave the macro as it was.
    fn update_macro(
        &self,
        id: Uuid,
        new: NewMacro,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Macro>> + Send;

    fn delete_macro(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Applies every action of the macro to the ticket in one transaction — all or nothing:
    /// one refused step (a status move not allowed) changes nothing. Each effect is recorded
    /// as its own activity, then `macro_applied`. `customer_name` fills `{customer}` in note
    /// templates.
    fn apply_macro(
        &self,
        id: Uuid,
        macro_id: Uuid,
        customer_name: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> impl Future<Output = Result<Ticket>> + Send;
}

/// [`Tickets`] over a store, with the time taken from a clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: TicketStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Validates the completion and completes the visit, its parts taken as `stock` says.
    async fn complete(
        &self,
        visit_id: Uuid,
        completion: VisitCompletion,
        stock: PartsStock,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Visit> {
        let completion = completion.validate()?;
        let now = self.clock.now();
        self.store
            .complete_visit(
                visit_id,
                expected_version,
                completion,
                stock,
                actor.to_owned(),
                now,
            )
            .await
    }

    async fn plan<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: &str,
        f: F,
    ) -> Result<Ticket>
    where
        F: FnOnce(&Ticket, Timestamp) -> Result<Plan> + Send + 'static,
    {
        let now = self.clock.now();
        self.store
            .update(id, expected_version, actor.to_owned(), now, move |t| {
                f(t, now)
            })
            .await
    }
}

/// The subject a ticket made from an entry gets when none is given.
fn subject_of(entry: &crate::store::EntrySummary) -> String {
    let pick = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(scrub_line)
            .filter(|s| !s.trim().is_empty())
    };
    let subject = pick(&entry.subject)
        .or_else(|| pick(&entry.body))
        .unwrap_or_else(|| match &entry.sender {
            Some(s) => format!("{} from {}", entry.kind, scrub_line(s)),
            None => entry.kind.clone(),
        });
    subject.trim().chars().take(SUBJECT_MAX).collect()
}

impl<S: TicketStore> Tickets for Service<S> {
    async fn list(&self, query: ListQuery) -> Result<Page<Ticket>> {
        self.store.list(query, self.clock.now()).await
    }

    async fn get(&self, id: Uuid) -> Result<Ticket> {
        self.store.get(id).await
    }

    async fn create(&self, new: NewTicket, actor: &str) -> Result<Ticket> {
        let ticket = new.into_ticket(Uuid::new_v4(), self.clock.now())?;
        let (ticket, _) = self.store.insert(ticket, actor.to_owned(), None).await?;
        Ok(ticket)
    }

    async fn create_once(
        &self,
        new: NewTicket,
        actor: &str,
        origin_key: &str,
    ) -> Result<(Ticket, bool)> {
        let ticket = new.into_ticket(Uuid::new_v4(), self.clock.now())?;
        self.store
            .insert(ticket, actor.to_owned(), Some(origin_key.to_owned()))
            .await
    }

    async fn create_from_entry(
        &self,
        entry_id: Uuid,
        customer_id: Uuid,
        subject: Option<String>,
        new: NewTicket,
        actor: &str,
    ) -> Result<Ticket> {
        let entry = self
            .store
            .entry(entry_id)
            .await?
            .ok_or_else(|| Error::invalid("entry_id", "no such comms entry"))?;
        let subject = match subject.filter(|s| !s.trim().is_empty()) {
            Some(s) => s,
            None => subject_of(&entry),
        };
        let mut ticket = NewTicket {
            customer_id,
            subject,
            ..new
        }
        .into_ticket(Uuid::new_v4(), self.clock.now())?;
        ticket.linked_entry_ids = vec![entry_id];
        let (ticket, _) = self.store.insert(ticket, actor.to_owned(), None).await?;
        Ok(ticket)
    }

    async fn update(
        &self,
        id: Uuid,
        patch: TicketPatch,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Ticket> {
        self.plan(id, expected_version, actor, move |current, _| {
            let mut ticket = current.clone();
            let activities = patch.apply(&mut ticket)?;
            Ok(Plan {
                ticket,
                notes: Vec::new(),
                activities,
            })
        })
        .await
    }

    async fn link_entry(
        &self,
        id: Uuid,
        entry_id: Uuid,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Ticket> {
        self.plan(id, expected_version, actor, move |current, _| {
            let mut ticket = current.clone();
            let mut activities = Vec::new();
            if !ticket.linked_entry_ids.contains(&entry_id) {
                ticket.linked_entry_ids.push(entry_id);
                activities.push(ActivityKind::EntryLinked { entry_id });
            }
            Ok(Plan {
                ticket,
                notes: Vec::new(),
                activities,
            })
        })
        .await
    }

    async fn open_for_customer(&self, customer_id: Uuid) -> Result<Vec<Ticket>> {
        self.store.open_for_customer(customer_id).await
    }

    async fn add_tag(
        &self,
        id: Uuid,
        tag: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Ticket> {
        let tag = tag_name("tag", tag)?;
        self.plan(id, expected_version, actor, move |current, _| {
            let mut ticket = current.clone();
            let mut activities = Vec::new();
            if add_tag(&mut ticket.tags, tag.clone()) {
                activities.push(ActivityKind::TagAdded { tag });
            }
            Ok(Plan {
                ticket,
                notes: Vec::new(),
                activities,
            })
        })
        .await
    }

    async fn remove_tag(
        &self,
        id: Uuid,
        tag: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Ticket> {
        let tag = tag_name("tag", tag)?;
        self.plan(id, expected_version, actor, move |current, _| {
            let mut ticket = current.clone();
            let activities = remove_tag(&mut ticket.tags, &tag)
                .map(|tag| ActivityKind::TagRemoved { tag })
                .into_iter()
                .collect();
            Ok(Plan {
                ticket,
                notes: Vec::new(),
                activities,
            })
        })
        .await
    }

    async fn tags(&self) -> Result<Vec<Tag>> {
        self.store.tags().await
    }

    async fn add_note(&self, id: Uuid, note: NewNote, actor: &str) -> Result<Note> {
        let note = note.into_note(Uuid::new_v4(), id, actor, self.clock.now())?;
        let added = note.clone();
        self.plan(id, None, actor, move |current, _| {
            Ok(Plan {
                ticket: current.clone(),
                activities: vec![ActivityKind::CommentAdded {
                    note_id: note.id,
                    visibility: note.visibility,
                }],
                notes: vec![note],
            })
        })
        .await?;
        Ok(added)
    }

    async fn notes(&self, id: Uuid) -> Result<Vec<Note>> {
        self.store.notes(id).await
    }

    async fn activities(&self, id: Uuid) -> Result<Vec<Activity>> {
        self.store.activities(id).await
    }

    async fn schedule_visit(&self, ticket_id: Uuid, visit: NewVisit, actor: &str) -> Result<Visit> {
        let visit = visit.into_visit(Uuid::new_v4(), ticket_id, self.clock.now())?;
        self.store.insert_visit(visit, actor.to_owned()).await
    }

    async fn visits(&self, ticket_id: Uuid) -> Result<Vec<Visit>> {
        self.store.visits(ticket_id).await
    }

    async fn complete_visit(
        &self,
        visit_id: Uuid,
        completion: VisitCompletion,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Visit> {
        self.complete(
            visit_id,
            completion,
            PartsStock::Here,
            expected_version,
            actor,
        )
        .await
    }

    async fn complete_visit_with_parts_taken(
        &self,
        visit_id: Uuid,
        completion: VisitCompletion,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Visit> {
        let stock = PartsStock::TakenElsewhere;
        self.complete(visit_id, completion, stock, expected_version, actor)
            .await
    }

    async fn visit(&self, visit_id: Uuid) -> Result<Visit> {
        self.store.visit(visit_id).await
    }

    async fn cancel_visit(
        &self,
        visit_id: Uuid,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Visit> {
        self.store
            .cancel_visit(
                visit_id,
                expected_version,
                actor.to_owned(),
                self.clock.now(),
            )
            .await
    }

    async fn for_serial(&self, serial: &str) -> Result<Vec<TicketWithVisits>> {
        check_length("serial", serial.trim(), crate::model::SERIAL_MAX)?;
        self.store.for_serial(serial.trim().to_owned()).await
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<TicketEvent>> {
        self.store
            .events_for_customer(customer_id, before, limit)
            .await
    }

    async fn create_macro(&self, new: NewMacro) -> Result<Macro> {
        let m = new.into_macro(Uuid::new_v4(), self.clock.now())?;
        self.store.insert_macro(m).await
    }

    async fn macros(&self) -> Result<Vec<Macro>> {
        self.store.macros().await
    }

    async fn update_macro(
        &self,
        id: Uuid,
        new: NewMacro,
        expected_version: Option<i64>,
    ) -> Result<Macro> {
        let m = new.into_macro(id, self.clock.now())?;
        self.store.update_macro(m, expected_version).await
    }

    async fn delete_macro(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete_macro(id, expected_version).await
    }

    async fn apply_macro(
        &self,
        id: Uuid,
        macro_id: Uuid,
        customer_name: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Ticket> {
        let m = self.store.get_macro(macro_id).await?;
        let customer = customer_name.to_owned();
        let author = actor.to_owned();
        self.plan(id, expected_version, actor, move |current, now| {
            let mut ticket = current.clone();
            let mut notes = Vec::new();
            let mut activities = Vec::new();
            for action in m.actions {
                match action {
                    MacroAction::SetStatus { status } => {
                        activities.extend(set_status(&mut ticket, status)?);
                    }
                    MacroAction::SetPriority { priority } => {
                        activities.extend(set_priority(&mut ticket, priority));
                    }
                    MacroAction::SetAssignee { assignee } => {
                        activities.extend(set_assignee(&mut ticket, assignee)?);
                    }
                    MacroAction::AddTag { tag } => {
                        if add_tag(&mut ticket.tags, tag.clone()) {
                            activities.push(ActivityKind::TagAdded { tag });
                        }
                    }
                    MacroAction::RemoveTag { tag } => {
                        if let Some(tag) = remove_tag(&mut ticket.tags, &tag) {
                            activities.push(ActivityKind::TagRemoved { tag });
                        }
                    }
                    MacroAction::AddNote {
                        template,
                        visibility,
                    } => {
                        let text = fill_template(&template, &customer, &ticket.number);
                        let note = NewNote { visibility, text }.into_note(
                            Uuid::new_v4(),
                            ticket.id,
                            &author,
                            now,
                        )?;
                        activities.push(ActivityKind::CommentAdded {
                            note_id: note.id,
                            visibility,
                        });
                        notes.push(note);
                    }
                }
            }
            activities.push(ActivityKind::MacroApplied {
                macro_id: m.id,
                name: m.name,
            });
            Ok(Plan {
                ticket,
                notes,
                activities,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests;
