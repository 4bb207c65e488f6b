//! What can go wrong with a comms or media operation: the domain crates' one error, from
//! crm-core.

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// What a comms entry is called in `Error::NotFound`.
pub(crate) const ENTRY: &str = "comms entry";
/// What a media record is called in `Error::NotFound`.
pub(crate) const MEDIA: &str = "media record";

/// `NotFound` for the comms entry `id`: "comms entry {id} not found".
pub(crate) fn entry_not_found(id: Uuid) -> Error {
    Error::not_found(ENTRY, id)
}

/// `NotFound` for the media record `id`: "media record {id} not found".
pub(crate) fn media_not_found(id: Uuid) -> Error {
    Error::not_found(MEDIA, id)
}
