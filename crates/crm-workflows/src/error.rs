//! What can go wrong with a workflow operation: the domain crates' one error, from crm-core.
//!
//! A definition that breaks a rule is `Error::Invalid` naming the field's JSON path
//! (`nodes[2].config.condition`, `nodes[0].next`, `trigger.name`, `trigger.cron`,
//! `nodes[1].config.headers.Authorization`; `nodes[i].kind` when the port refuses the kind);
//! an unknown workflow or run
//! is `Error::NotFound`; retrying a run that did not fail, or cancelling one that already
//! ended, is `Error::Conflict` naming its status. A node's failure while running is not an
//! error of the call: it is recorded in the run (status `failed`, the node, the message).
//! The [`crate::Outputs`] port answers this same error.

pub use crm_core::error::{Error, Result};
