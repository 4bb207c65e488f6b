//! The service desk of the CRM: tickets (a parish calls, the bell strikes wrong), the on-site
//! visits of a technician and the parts they used, internal notes and replies, the activity
//! stream of each ticket, tags and macros.
//!
//! The rules — ticket numbers, the status workflow, validation, what a visit does to stock —
//! are documented in [`model`] and [`store::sqlite`]. **SQLite only**: tickets have no
//! Firestore store. They refer to customers, orders and comms entries only through the shared
//! database (foreign keys and reads inside the same transaction), never through those crates;
//! a visit's parts leave stock through crm-products' own rule and SQL
//! (`crm_products::store::sqlite::take_parts_in`) inside the visit's transaction.

pub mod error;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use model::{
    Activity, ActivityKind, Kind, ListQuery, Macro, MacroAction, NewMacro, NewNote, NewTicket,
    NewVisit, Note, Page, Part, PartsStock, Priority, Sort, Status, Tag, Ticket, TicketEvent,
    TicketPatch, TicketWithVisits, Visibility, Visit, VisitCompletion, VisitStatus,
};
pub use service::{Service, Tickets};
pub use store::TicketStore;
pub use store::sqlite::SqliteTicketStore;
