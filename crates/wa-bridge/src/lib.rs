//! The WhatsApp Business Cloud API, without CRM knowledge.
//!
//! - [`signature`]: `X-Hub-Signature-256` checked over the raw body before anything is parsed,
//!   and Meta's subscription handshake.
//! - [`webhook`]: the `whatsapp_business_account` payload turned into typed events: inbound
//!   [`Message`]s of every kind (unknown kinds kept raw) and delivery [`Status`]es.
//! - [`graph`]: a Graph API [`Client`] that resolves and downloads media and sends text,
//!   template and media messages, with Meta's errors typed and transient ones retried.

pub mod error;
pub mod graph;
pub mod signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

pub use error::{Error, GraphError, Result};
pub use graph::{Client, Config, Download, MediaInfo, Outbound, Sent};
pub use signature::{verify_handshake, verify_signature};
pub use webhook::{
    Context, Event, Media, Message, MessageKind, Status, StatusError, StatusKind, parse,
};
