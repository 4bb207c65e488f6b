//! A standalone e-mail bridge, usable without the rest of the CRM: it knows nothing of
//! customers and never touches a database. The gateway wires it in.
//!
//! - [`parse`]: raw RFC 5322 bytes → a typed [`Message`] (Greek charsets, RFC 2047/2231,
//!   multipart trees, forwards, delivery reports). Never fails and never panics: what could
//!   not be read is flagged in [`Message::flags`].
//! - [`imap`]: one account's async IMAP session ([`ImapSession`]) over TLS, STARTTLS or — on
//!   loopback only — plain TCP: folders, UIDVALIDITY/UIDNEXT, chunked fetch, Message-ID
//!   listing, APPEND, IDLE with a polling fallback.
//! - [`sync`]: the incremental engine ([`sync_folder`], [`reconcile`]) that hands each message
//!   to a [`Sink`] the caller implements, in UID order, with a checkpoint after each chunk;
//!   after a UIDVALIDITY change the sink adopts what it holds before anything is fetched.
//! - [`smtp`]: build a MIME message and send it with lettre ([`SmtpClient`]), returning the
//!   Message-ID and the exact bytes sent (to APPEND to Sent).
//! - [`error`]: the one [`Error`] type.

pub mod error;
pub mod imap;
pub mod parse;
pub mod smtp;
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;

pub use error::{Error, Result};
pub use imap::{
    FetchStream, FetchedMessage, FolderInfo, FolderStatus, IdleOutcome, ImapConfig, ImapSession,
    Listed, Security, SpecialUse, find_sent_folder,
};
pub use parse::{
    Address, Attachment, DeliveryReport, DsnRecipient, Forwarded, Message, MessageKind, ParseFlag,
    parse,
};
pub use smtp::{OutgoingAttachment, OutgoingMail, Sent, SmtpClient, SmtpConfig, build};
pub use sync::{
    FolderState, Incoming, Progress, ReconcileReport, ServerEntry, Sink, SyncOptions, SyncReport,
    reconcile, sync_folder,
};
