//! The workflow engine (crate `crm-workflows`) wired into the CRM: the [`Port`] through which
//! output nodes act, and [`emit`], which starts the runs an event triggers.
//!
//! Workflows live in SQLite whatever `[store]` says. At start the gateway resumes the runs a
//! stop or a crash left running, then runs the scheduler of timers and schedules until it
//! stops (`lib.rs`).
//!
//! **Events.** Each fires after the write that causes it committed, never inside its
//! transaction, on a task of its own ([`emit`]): the caller does not wait for the runs.
//! - `call.missed`: an inbound call nobody answered was logged for the first time;
//! - `whatsapp.received`, `email.received`: an inbound WhatsApp message or e-mail was logged
//!   for the first time (a webhook retried or a folder synced again sends nothing);
//! - `ticket.created`, `lead.created`: a ticket or a lead was created, by a person or by a
//!   workflow (then its runs start one level deeper, which the engine's depth limit bounds);
//! - `order.delivered`: an order's status became `delivered` (`PUT /orders/{id}`; a later
//!   change of a delivered order is no second delivery).
//!
//! The trigger data of the messages is `{entry_id, customer_id (or null), sender, subject,
//! body}`; of `ticket.created` `{ticket_id, number, customer_id, title, priority, kind,
//! assignee}`; of `lead.created` `{lead_id, customer_id (or null), title}`; of
//! `order.delivered` `{order_id, number, customer_id}`.
//!
//! **Outputs.** Each gets its node's rendered config as input; a field that came out empty
//! counts as absent, and a refused one fails the node naming it.
//! - `create_ticket` (`title`, `customer_id`, optionally `description`, `kind` — `question`
//!   when absent —, `priority`, `assignee`) → `{ticket_id, number, assignee}` and
//!   `create_lead` (`title`, and either `customer_id` or a prospect `name` with an optional
//!   `phone`; `source`, `owner`) → `{lead_id}` go through the tickets and sales services as a
//!   person's request does, by the actor `workflow`.
//! - `assign_user` answers `{"user": …}` for later nodes (`{{ nodes.<key>.user }}`): the named
//!   user, or for a comma-separated list the next one in turn (round-robin, counted in
//!   memory). The name is taken as written, as a ticket's assignee is.
//! - `send_email` (`to` or `customer_id` — their first e-mail address —, `subject`, `body` as
//!   plain text, optionally `account`) sends through the mail channel as the console does
//!   (SMTP, logged as an outbound entry by `workflow`, copied to Sent); an address alone is
//!   logged for the customer who owns it, else for nobody. `send_whatsapp` (`to` or
//!   `customer_id` — their WhatsApp, else phone number —, and `text` or a `template` with
//!   `language`, `el` when absent, and `parameters`) sends through the WhatsApp channel. Both
//!   answer `{entry_id, message_id}`; without the channel configured they fail saying so.
//! - `get_ticket` (`ticket_id`) answers `{ticket_id, number, status, priority, assignee,
//!   customer_id, created_at, updated_at, touched}`: `touched` once anything happened to the
//!   ticket after its creation that no workflow did (a status change, a comment, a reply or
//!   an entry linked later, an assignment, a visit…). It reads: its answer is not kept, so a
//!   resumed run sees the ticket as it is then.
//! - `http_request` ([`http`]) and the AI nodes `ai_*` ([`ai`]), which the port refuses at save
//!   while no language model is configured.
//!
//! **Idempotency.** The first result of each idempotency key is kept in the table
//! `workflow_outputs` (migration 24): a call whose key is there answers that result (the ticket
//! already created) and acts no more; calls with one key are let in one at a time (a run
//! driven twice at once — a resume racing the run in progress — waits and gets the first
//! result). A ticket or a lead also carries the key as its
//! `origin_key` (migration 26), written in the transaction that creates it: a crash between the
//! creation and the record is answered, on resume, with the ticket or lead already made — no
//! second one, and no second `ticket.created`/`lead.created`. What leaves the CRM cannot share
//! a transaction: an e-mail, a WhatsApp message or an HTTP request is recorded right after it
//! went out, so only a crash between the two sends it again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use crm_core::{Error, Result};
use crm_customers::Customers as _;
use crm_sales::{ContactKind, NewLead, Prospect, ProspectContact, Source};
use crm_tickets::{NewTicket, Tickets as _};
use crm_workflows::{OutputCall, Outputs};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::state::AppState;

pub mod ai;
pub mod http;

/// The engine the gateway runs.
pub type Workflows = crm_workflows::Engine<Port>;

/// Who a workflow's tickets and leads are created by.
pub const ACTOR: &str = "workflow";

/// The gateway's side of [`Outputs`]: reaches the services through the app state, which it
/// holds weakly (the state holds the engine, which holds this).
#[derive(Debug, Default)]
pub struct Port {
    state: OnceLock<Weak<AppState>>,
    turn: AtomicUsize,
    /// One gate per idempotency key being performed: a second call with the key (the same
    /// run driven twice at once) waits for the first and answers its recorded result.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Port {
    /// Gives the port the app state, once it is built.
    pub fn attach(&self, state: &Arc<AppState>) {
        let _ = self.state.set(Arc::downgrade(state));
    }

    fn state(&self) -> Result<Arc<AppState>> {
        self.state
            .get()
            .and_then(Weak::upgrade)
            .ok_or_else(|| Error::Unavailable {
                message: "the CRM is starting or stopping".into(),
            })
    }
}

/// Starts, on a task of its own, the runs of every enabled workflow the event `name`
/// triggers; call it after the write that caused the event committed.
pub fn emit(state: &AppState, name: &'static str, data: Value) {
    emit_at(state, name, data, 0);
}

/// [`emit`] for an event a run at `depth` caused (0: a person or a channel).
pub fn emit_at(state: &AppState, name: &'static str, data: Value, depth: u32) {
    let engine = state.workflows.clone();
    tokio::spawn(async move {
        if let Err(e) = engine.emit(name, data, depth).await {
            tracing::error!(event = name, error = %e, "workflows could not start");
        }
    });
}

/// The trigger data of a comms entry's event.
pub fn entry_data(entry: &crm_comms::Entry) -> Value {
    json!({
        "entry_id": entry.id,
        "customer_id": entry.customer_id,
        "sender": entry.sender,
        "subject": entry.subject,
        "body": entry.body,
    })
}

/// A text field of an output's input, trimmed; empty reads as absent.
fn text<'a>(input: &'a Value, field: &str) -> Option<&'a str> {
    input
        .get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn required<'a>(input: &'a Value, field: &str) -> Result<&'a str> {
    text(input, field).ok_or_else(|| Error::invalid(field, "is required (it came out empty)"))
}

fn uuid_field(input: &Value, field: &str) -> Result<Option<Uuid>> {
    text(input, field)
        .map(|s| {
            Uuid::parse_str(s).map_err(|_| Error::invalid(field, format!("`{s}` is not an id")))
        })
        .transpose()
}

/// A field read as one of a set of names (`kind`, `priority`, `source`).
fn named<T: serde::de::DeserializeOwned>(input: &Value, field: &str) -> Result<Option<T>> {
    text(input, field)
        .map(|s| {
            serde_json::from_value(Value::String(s.to_owned()))
                .map_err(|_| Error::invalid(field, format!("`{s}` is not a {field}")))
        })
        .transpose()
}

fn channel(e: super::ChannelError) -> Error {
    match e {
        super::ChannelError::Domain(e) => e,
        super::ChannelError::Invalid { field, reason } => Error::Invalid { field, reason },
        other => Error::Unavailable {
            message: other.to_string(),
        },
    }
}

/// A ticket id given to a node, or `Invalid` naming the field when there is no such ticket.
async fn ticket(state: &AppState, input: &Value, field: &str) -> Result<crm_tickets::Ticket> {
    let id = uuid_field(input, field)?
        .ok_or_else(|| Error::invalid(field, "is required (it came out empty)"))?;
    match state.tickets.get(id).await {
        Err(Error::NotFound { .. }) => Err(Error::invalid(field, format!("no ticket {id}"))),
        other => other,
    }
}

/// Whether anything happened to a ticket after it was created that a workflow did not do: a
/// status change, a comment, a reply or another entry linked later, an assignment, a priority,
/// a tag, a visit, a macro — by a person or a channel.
fn touched(t: &crm_tickets::Ticket, activities: &[crm_tickets::Activity]) -> bool {
    use crm_tickets::ActivityKind as A;
    activities.iter().any(|a| match a.what {
        A::Created => false,
        // the entry a ticket was made from is linked as it is created
        A::EntryLinked { .. } if a.at == t.created_at => false,
        _ => a.actor != ACTOR,
    })
}

impl Port {
    async fn create_ticket(&self, input: &Value, depth: u32, key: &str) -> Result<Value> {
        let state = self.state()?;
        let customer_id = uuid_field(input, "customer_id")?.ok_or_else(|| {
            Error::invalid(
                "customer_id",
                "a ticket needs a customer (it came out empty)",
            )
        })?;
        let new = NewTicket {
            customer_id,
            subject: required(input, "title")?.to_owned(),
            description: text(input, "description").map(str::to_owned),
            kind: Some(named(input, "kind")?.unwrap_or(crm_tickets::Kind::Question)),
            priority: named(input, "priority")?,
            assignee: text(input, "assignee").map(str::to_owned),
            ..NewTicket::default()
        };
        let t = super::tickets::create_caused(&state, new, ACTOR, depth + 1, Some(key))
            .await
            .map_err(channel)?;
        Ok(json!({ "ticket_id": t.id, "number": t.number, "assignee": t.assignee }))
    }

    async fn create_lead(&self, input: &Value, depth: u32, key: &str) -> Result<Value> {
        let state = self.state()?;
        let customer_id = uuid_field(input, "customer_id")?;
        let prospect = match customer_id {
            Some(_) => None,
            None => Some(Prospect {
                name: text(input, "name")
                    .or_else(|| text(input, "phone"))
                    .ok_or_else(|| {
                        Error::invalid("name", "a lead without a customer needs a name or a phone")
                    })?
                    .to_owned(),
                organization: None,
                contacts: text(input, "phone")
                    .map(|p| ProspectContact {
                        kind: ContactKind::Phone,
                        value: p.to_owned(),
                        normalized: String::new(),
                    })
                    .into_iter()
                    .collect(),
            }),
        };
        let new = NewLead {
            title: required(input, "title")?.to_owned(),
            customer_id,
            prospect,
            source: named(input, "source")?.unwrap_or(Source::Other),
            estimated_value: None,
            expected_close: None,
            pipeline_id: None,
            stage_id: None,
            owner: text(input, "owner").map(str::to_owned),
            lost_reason: None,
            tags: Vec::new(),
            lines: Vec::new(),
        };
        let lead = super::sales::create_caused(&state, new, ACTOR, depth + 1, Some(key))
            .await
            .map_err(channel)?;
        Ok(json!({ "lead_id": lead.id }))
    }

    async fn get_ticket(&self, input: &Value) -> Result<Value> {
        let state = self.state()?;
        let t = ticket(&state, input, "ticket_id").await?;
        let activities = state.tickets.activities(t.id).await?;
        Ok(json!({
            "ticket_id": t.id,
            "number": t.number,
            "status": t.status,
            "priority": t.priority,
            "assignee": t.assignee,
            "customer_id": t.customer_id,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "touched": touched(&t, &activities),
        }))
    }

    async fn send_email(&self, input: &Value) -> Result<Value> {
        let state = self.state()?;
        let customer_id = uuid_field(input, "customer_id")?;
        let (to, customer_id) = match (text(input, "to"), customer_id) {
            (Some(to), Some(id)) => (to.to_owned(), Some(id)),
            // an address alone is logged for the customer who owns it, if any
            (Some(to), None) => {
                let owner = state.customers.find_by_contact(to).await?;
                (to.to_owned(), owner.map(|c| c.id))
            }
            (None, Some(id)) => {
                let customer = match state.customers.get(id).await {
                    Err(Error::NotFound { .. }) => {
                        return Err(Error::invalid("customer_id", format!("no customer {id}")));
                    }
                    other => other?,
                };
                let address = customer
                    .contacts
                    .iter()
                    .find(|c| c.kind == crm_customers::ContactType::Email)
                    .map(|c| c.value.clone())
                    .ok_or_else(|| {
                        Error::invalid("customer_id", "the customer has no e-mail address")
                    })?;
                (address, Some(id))
            }
            (None, None) => {
                return Err(Error::invalid(
                    "to",
                    "give `to` or `customer_id` (both came out empty)",
                ));
            }
        };
        let sent = super::mail::send_text(
            &state,
            customer_id,
            to,
            required(input, "subject")?.to_owned(),
            required(input, "body")?.to_owned(),
            text(input, "account"),
            ACTOR.to_owned(),
        )
        .await
        .map_err(channel)?;
        Ok(json!({ "entry_id": sent.entry.id, "message_id": sent.message_id }))
    }

    async fn send_whatsapp(&self, input: &Value) -> Result<Value> {
        let state = self.state()?;
        let template = text(input, "template").map(|name| super::whatsapp::Template {
            name: name.to_owned(),
            language: text(input, "language").unwrap_or("el").to_owned(),
            parameters: input
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        });
        let req = super::whatsapp::SendRequest {
            customer_id: uuid_field(input, "customer_id")?,
            to: text(input, "to").map(str::to_owned),
            text: text(input, "text").map(str::to_owned),
            template,
            media: None,
        };
        if req.text.is_none() && req.template.is_none() {
            return Err(Error::invalid(
                "text",
                "give `text` or `template` (both came out empty)",
            ));
        }
        let entry = super::whatsapp::send(&state, req, ACTOR.to_owned())
            .await
            .map_err(channel)?;
        Ok(json!({ "entry_id": entry.id, "message_id": entry.ext_message_id }))
    }

    fn assign_user(&self, input: &Value) -> Result<Value> {
        let users: Vec<&str> = required(input, "user")?
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let i = self.turn.fetch_add(1, Ordering::Relaxed) % users.len().max(1);
        let user = users
            .get(i)
            .ok_or_else(|| Error::invalid("user", "is required"))?;
        Ok(json!({ "user": user }))
    }
}

impl Outputs for Port {
    async fn perform(&self, call: OutputCall) -> Result<Value> {
        let state = self.state()?;
        if call.kind == "get_ticket" {
            // a read acts on nothing: it answers the ticket as it is now, every time
            return self.get_ticket(&call.input).await;
        }
        let key = call.idempotency_key.clone();
        let gate = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let result = {
            let _one_at_a_time = gate.lock().await;
            self.perform_once(&state, call).await
        };
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // the map's and ours: nobody else waits at this gate
        if Arc::strong_count(&gate) <= 2 {
            in_flight.remove(&key);
        }
        result
    }

    fn refuse(&self, kind: &str) -> Option<String> {
        ai::refuse(&*self.state().ok()?, kind)
    }
}

impl Port {
    /// Performs `call` unless its key has a result already (then answers that), and records
    /// the result; [`Outputs::perform`] lets one call per key in at a time.
    async fn perform_once(&self, state: &AppState, call: OutputCall) -> Result<Value> {
        let store = state.workflows.store();
        if let Some(first) = store.output(call.idempotency_key.clone()).await? {
            return Ok(first);
        }
        let key = call.idempotency_key.as_str();
        let result = match call.kind.as_str() {
            "create_ticket" => self.create_ticket(&call.input, call.depth, key).await?,
            "create_lead" => self.create_lead(&call.input, call.depth, key).await?,
            "assign_user" => self.assign_user(&call.input)?,
            "send_email" => self.send_email(&call.input).await?,
            "send_whatsapp" => self.send_whatsapp(&call.input).await?,
            "http_request" => http::perform(state, &call.input).await?,
            k if k.starts_with("ai_") => ai::perform(state, k, &call.input).await?,
            kind => {
                return Err(Error::Conflict {
                    message: format!("{kind} is not wired yet on this server: nothing was sent"),
                });
            }
        };
        store
            .record_output(call.idempotency_key, call.kind, result, state.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_users_is_assigned_in_turn_and_a_named_user_always() {
        let port = Port::default();
        let on_duty = json!({"user": "maria, nikos"});
        let picked: Vec<Value> = (0..3)
            .map(|_| port.assign_user(&on_duty).unwrap()["user"].clone())
            .collect();
        assert_eq!(picked, [json!("maria"), json!("nikos"), json!("maria")]);
        let named = json!({"user": " eleni "});
        assert_eq!(port.assign_user(&named).unwrap(), json!({"user": "eleni"}));
        let empty = json!({"user": " , "});
        assert!(matches!(
            port.assign_user(&empty),
            Err(Error::Invalid { .. })
        ));
    }
}
