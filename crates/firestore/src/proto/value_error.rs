//! What can go wrong encoding or decoding a value: the error of [`value`](super::value),
//! [`timestamp`](super::timestamp) and the serializer alike, apart so that none of them
//! imports another for it.

/// A value that cannot be encoded or decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// An integer outside `i64` (Firestore integers are 64-bit signed).
    #[error("integer {0} does not fit Firestore's 64-bit integers")]
    IntegerOutOfRange(String),
    /// A timestamp that is not RFC 3339 or outside years 1..=9999.
    #[error("timestamp: {0}")]
    Timestamp(String),
    /// [`to_fields`](crate::to_fields) was given something that is not a map or a struct.
    #[error("a document's fields must come from a map or a struct, not {0}")]
    NotAMap(&'static str),
    /// A map key that is neither a string nor an integer.
    #[error("map keys must be strings or integers, not {0}")]
    KeyNotAString(&'static str),
    /// A field named by [`mark_timestamps`](crate::mark_timestamps) holds something other than a string, a timestamp
    /// or null.
    #[error("{path}: expected an RFC 3339 string for a timestamp, found {found}")]
    NotATimestamp {
        /// The field path.
        path: String,
        /// What the field holds.
        found: &'static str,
    },
    /// The fields do not decode into the type asked for (the path names the field).
    #[error("{path}: {message}")]
    Decode {
        /// Where in the document (`contacts[0].value`; `.` for the document itself).
        path: String,
        /// What serde said.
        message: String,
    },
    /// Any other refusal from a `Serialize` impl.
    #[error("{0}")]
    Custom(String),
}
