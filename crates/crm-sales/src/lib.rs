//! The sales pipeline of the CRM: pipelines with ordered stages (Επαφή → Αυτοψία → Προσφορά →
//! Διαπραγμάτευση → Κερδήθηκε / Χάθηκε), the leads that move through them, who owned each lead
//! when, and the conversion of a won lead into a customer and a draft order.
//!
//! The rules — what a pipeline must have, what a lead may hold, what a stage move and a
//! conversion do — are documented in [`model`] and [`service`]. **SQLite only**: leads,
//! pipelines and their histories have no Firestore store (the issue asks Firestore for
//! products, customers and orders only). A lead refers to customers and orders through the
//! shared schema's foreign keys; what needs those contexts' rules (finding a customer by its
//! contacts, creating one, opening a draft order) goes through the ports
//! [`service::CustomerPort`] and [`service::DraftOrderPort`] the gateway implements.

pub mod error;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use model::{
    Assignment, ContactKey, ContactKind, Conversion, ConvertRequest, CursorPage, Lead, LeadPatch,
    LeadStatus, ListQuery, NewLead, OwnerSummary, Pipeline, PipelineInput, PipelineView, Prospect,
    ProspectContact, QuotedLine, Source, Stage, StageInput, StageMove, StageMoveRecord,
    StageSummary,
};
pub use service::{CustomerPort, DraftOrderPort, Sales, Service};
pub use store::SalesStore;
pub use store::sqlite::SqliteSalesStore;
