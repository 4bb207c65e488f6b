//! The channels: what arrives from outside (mail, WhatsApp, calls, files) wired into the
//! domain. `intake` is the one way an entry enters the comms log, `files` reads and stores
//! files in Nextcloud on the CRM's behalf, `documents` prints an order's quotation or
//! confirmation, `health` answers `/healthz`, and one module per channel runs its bridge in the
//! background (`mail`, `whatsapp`, `calls`).
//!
//! Routes call channels; channels never call routes, and they know nothing of HTTP: they
//! answer [`ChannelError`], which the gateway maps to a status once, in `error.rs`.

pub mod calls;
pub mod documents;
pub mod error;
pub mod files;
pub mod health;
pub mod imports;
pub mod intake;
pub mod mail;
pub mod merge;
pub mod sales;
pub mod serials;
pub mod status;
pub mod tickets;
pub mod whatsapp;
pub mod workflows;

pub use error::{ChannelError, Integration};
pub use intake::{intake, referenced_customer};
