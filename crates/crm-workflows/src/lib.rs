//! Workflow automation of the CRM: the office's routines (a missed call becomes a call-back
//! ticket, a delivered order gets a thank-you e-mail and a year later a maintenance reminder)
//! as versioned workflows whose runs are durable in SQLite.
//!
//! The rules of a definition — node kinds, their config, how execution moves — are in
//! [`model`], checked against [`catalogue`](mod@catalogue): the known events ([`EVENTS`]) and every node kind
//! with its fields, the one table that both validation and the console's forms read
//! ([`catalogue()`]). The expression language of conditions and templates is in [`expr`];
//! schedules (every N minutes, or a 5-field cron in a timezone, DST-correct) in [`schedule`];
//! durability, idempotency of outputs, limits and the scheduler in [`engine`]; the five
//! ready-made workflows, installed once and disabled, in [`templates`](mod@templates). **No HTTP and no other
//! context's crate**: what a workflow does to the world (send a WhatsApp message or an e-mail,
//! create a lead or a ticket, assign a user, read a ticket, call a web address, ask a language
//! model) goes through the [`Outputs`] port the gateway implements — which may also refuse a
//! kind it cannot run when a workflow is saved ([`Outputs::refuse`]) — and the gateway starts
//! runs from its intake paths ([`Engine::emit`]) after the triggering write committed.

pub mod catalogue;
pub mod engine;
pub mod error;
pub mod expr;
pub mod model;
pub mod schedule;
pub mod store;
pub mod templates;

pub use catalogue::{Catalogue, EVENTS, NODE_KINDS, catalogue};
pub use engine::{Engine, Limits, OutputCall, Outputs};
pub use error::{Error, Result};
pub use model::{Definition, Node, Run, RunStatus, Step, Trigger, Workflow};
pub use store::Store;
pub use templates::templates;
