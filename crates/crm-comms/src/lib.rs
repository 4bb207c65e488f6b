//! The communications log: every e-mail, WhatsApp message, call, SMS, note and visit with a
//! customer, and the media records of the files kept for them in Nextcloud.
//!
//! The bridges (mail, WhatsApp, calls) and the HTTP API write through [`Comms::ingest`]:
//! validated, stored durably, once per `(type, ext_message_id)`. An entry whose sender matched
//! no customer is kept in the unassigned inbox until someone assigns it ([`Comms::assign`]).
//! Search ([`search`]) uses the same Greek-aware keys as customer search. [`Service`]
//! implements [`Comms`] over any [`CommsStore`]; [`SqliteCommsStore`] keeps everything in the
//! shared SQLite database.

pub mod error;
pub mod mail;
pub mod model;
pub mod queue;
pub mod search;
#[cfg(feature = "seed")]
pub mod seed;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use mail::MailLedger;
pub use model::{
    Assignment, Attachment, BadCursor, Before, CommsType, Counts, CursorPage, Direction, Entry,
    EntryPatch, Ingested, JsonPage, ListQuery, MediaDirection, MediaQuery, MediaRecord, NewEntry,
    NewMedia, SearchQuery,
};
pub use queue::{AttachmentJob, ChannelQueue, FailedJob, Inbound, JobKind, QueueOverview, Queues};
pub use service::{Comms, Service};
pub use store::CommsStore;
pub use store::sqlite::{BoxFuture, Referents, SqliteCommsStore};
