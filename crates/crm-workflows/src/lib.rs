//! Workflow automation of the CRM: the office's routines (a missed call becomes a call-back
//! ticket, a delivered order gets a thank-you e-mail and a year later a maintenance reminder)
//! as versioned workflows whose runs are durable in SQLite.
//!
//! The rules of a definition — node kinds, their config, how execution moves — are in
//! [`model`]; the expression language of conditions and templates in [`expr`]; durability,
//! idempotency of outputs, limits and the scheduler in [`engine`]. **No HTTP and no other
//! context's crate**: what a workflow does to the world (send a WhatsApp message or an e-mail,
//! create a lead or a ticket, assign a user) goes through the [`Outputs`] port the gateway
//! implements, and the gateway starts runs from its intake paths ([`Engine::emit`]) after the
//! triggering write committed.

pub mod engine;
pub mod error;
pub mod expr;
pub mod model;
pub mod store;

pub use engine::{Engine, Limits, OutputCall, Outputs};
pub use error::{Error, Result};
pub use model::{Definition, Node, Run, RunStatus, Step, Trigger, Workflow};
pub use store::Store;
