//! Pure code, no I/O: the value encoding ([`Value`], [`to_fields`], [`from_fields`],
//! [`mark_timestamps`]), timestamps, paths, documents and writes, queries, request bodies and
//! error statuses — everything the [`client`](crate::client) sends or reads, as types.

pub mod document;
pub mod path;
pub mod query;
pub mod request;
mod ser;
pub mod status;
pub mod timestamp;
pub mod value;
mod value_error;

pub use document::{
    CommitResponse, Document, FieldTransform, Precondition, TransformKind, Write, WriteOp,
    WriteResult,
};
pub use path::{PathError, check_path, doc_path, field_path};
pub use query::{Cursor, Direction, FieldOp, Filter, NAME_FIELD, Order, Query, UnaryOp};
pub use ser::{to_fields, to_value};
pub use status::Code;
pub use timestamp::Timestamp;
pub use value::{
    Fields, LatLng, Value, ValueError, fields_from_json, fields_to_json, from_fields, from_value,
    mark_timestamps,
};
