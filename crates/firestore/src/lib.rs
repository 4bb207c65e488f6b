//! A standalone client of Google Cloud Firestore's REST API v1, usable without the rest of the
//! CRM (it knows nothing of customers or orders).
//!
//! - [`proto`]: pure code — the value encoding done once ([`Value`], [`to_fields`],
//!   [`from_fields`], [`mark_timestamps`], [`Timestamp`]), documents, writes with
//!   preconditions and transforms, structured queries with cursors, error statuses.
//! - [`client`]: the I/O — [`Client`] with `get`, `create`, `patch`, `delete`, `batch_get`,
//!   `run_query`, `count`, `commit`, `batch_write`, `begin_transaction`, `run_transaction`;
//!   credentials through gcp_auth, or the emulator of `FIRESTORE_EMULATOR_HOST`; retries with
//!   back-off on contention and unavailability, never on a failed precondition.
//!
//! Paths are relative to the database's documents: `crm_customers/{id}`,
//! `crm_customers/{id}/notes/{n}`.

pub mod client;
pub mod error;
pub mod proto;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{
    Client, Config, DEFAULT_DATABASE, EMULATOR_HOST_ENV, MAX_WRITES_PER_COMMIT, Transaction,
};
pub use error::{Error, Result};
pub use proto::{
    Code, CommitResponse, Cursor, Direction, Document, FieldOp, FieldTransform, Fields, Filter,
    LatLng, NAME_FIELD, Order, PathError, Precondition, Query, Timestamp, TransformKind, UnaryOp,
    Value, ValueError, Write, WriteOp, WriteResult, doc_path, field_path, fields_from_json,
    fields_to_json, from_fields, from_value, mark_timestamps, to_fields, to_value,
};
