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
//! - `whatsapp.received`: an inbound WhatsApp message was logged for the first time;
//! - `ticket.created`, `lead.created`: a ticket or a lead was created, by a person or by a
//!   workflow (then its runs start one level deeper, which the engine's depth limit bounds).
//!
//! The trigger data of the first two is `{entry_id, customer_id (or null), sender, subject,
//! body}`; of the last two `{ticket_id | lead_id, customer_id (or null), title}`.
//!
//! **Outputs.** `create_ticket` (fields `title`, `customer_id`, and optionally `description`,
//! `kind` — `question` when absent —, `priority`, `assignee`) and `create_lead` (`title`, and either `customer_id` or a
//! prospect `name` with an optional `phone`; `source`, `owner`) go through the tickets and sales
//! services as a person's request does, by the actor `workflow`. `assign_user` answers
//! `{"user": …}` for later nodes to use (`{{ nodes.<key>.user }}`): the named user, or for a
//! comma-separated list the next one in turn (round-robin, counted in memory). The name is
//! taken as written, as a ticket's assignee is.
//!
//! `send_whatsapp` and `send_email` are **not wired yet**: they fail with that message, so the
//! run fails on that node (or takes its `on_error` branch); they never pretend to have sent.
//!
//! **Idempotency.** The first result of each idempotency key is kept in the table
//! `workflow_outputs` (migration 24): a call whose key is there answers that result (the ticket
//! already created) and acts no more. The result is recorded right after the action, so only a
//! crash between the two can repeat an action.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use crm_core::{Error, Result};
use crm_sales::{ContactKind, NewLead, Prospect, ProspectContact, Source};
use crm_tickets::NewTicket;
use crm_workflows::{OutputCall, Outputs};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::state::AppState;

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

impl Port {
    async fn create_ticket(&self, input: &Value, depth: u32) -> Result<Value> {
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
        let t = super::tickets::create_caused(&state, new, ACTOR, depth + 1)
            .await
            .map_err(channel)?;
        Ok(json!({ "ticket_id": t.id, "number": t.number, "assignee": t.assignee }))
    }

    async fn create_lead(&self, input: &Value, depth: u32) -> Result<Value> {
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
        let lead = super::sales::create_caused(&state, new, ACTOR, depth + 1)
            .await
            .map_err(channel)?;
        Ok(json!({ "lead_id": lead.id }))
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
        let store = state.workflows.store();
        if let Some(first) = store.output(call.idempotency_key.clone()).await? {
            return Ok(first);
        }
        let result = match call.kind.as_str() {
            "create_ticket" => self.create_ticket(&call.input, call.depth).await?,
            "create_lead" => self.create_lead(&call.input, call.depth).await?,
            "assign_user" => self.assign_user(&call.input)?,
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
