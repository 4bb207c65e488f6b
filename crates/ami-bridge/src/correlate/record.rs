//! The finished call, as the bridge reports it.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A party's number in its normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Number {
    /// A public number in E.164 (`+306912345678`), also when the phone metadata does not
    /// list its range (a newly assigned one).
    E164(String),
    /// An internal extension (`201`).
    Extension(String),
    /// The caller hid the number (`anonymous`, `restricted`, …).
    Withheld,
    /// No number was given.
    Unknown,
    /// Something that is neither a number nor an extension, kept as received.
    Other(String),
}

impl Number {
    /// The E.164 form when the number is a public number.
    pub fn e164(&self) -> Option<&str> {
        match self {
            Self::E164(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::E164(n) | Self::Extension(n) | Self::Other(n) => f.write_str(n),
            Self::Withheld => f.write_str("withheld"),
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

/// Which way the call went, decided by the trunk patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The first channel of the call came in over a trunk.
    Inbound,
    /// An extension (or an `Originate`) started the call and a trunk channel was dialled.
    Outbound,
    /// No trunk took part.
    Internal,
}

/// How the call ended, in the spirit of the CDR disposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Answered by a person (an extension, or the remote party of an outbound call).
    Answered,
    /// Rang out, or the caller gave up (`NOANSWER`, `CANCEL`), or never reached a phone.
    NoAnswer,
    /// Every dialled party was busy.
    Busy,
    /// The call could not be placed (`CHANUNAVAIL`, `CONGESTION`).
    Failed,
}

/// One finished call: everything the channels sharing one `Linkedid` said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The `Linkedid` shared by the call's channels (the CRM deduplicates on it).
    pub linkedid: String,
    /// Inbound, outbound or internal.
    pub direction: Direction,
    /// Who called: the remote number for inbound calls, the extension for outbound and
    /// internal ones.
    pub caller: Number,
    /// Who was called: the dialled DID for inbound calls (or the extension when the DID is
    /// unknown), the dialled number for outbound calls, the extension for internal ones.
    pub callee: Number,
    /// Whether a person answered.
    pub answered: bool,
    /// Answered, no answer, busy or failed.
    pub disposition: Disposition,
    /// The extension that answered (inbound and internal) or that placed the call (outbound).
    pub extension: Option<String>,
    /// Extensions that were rung, in order (queue and ring-group members included).
    pub rang: Vec<String>,
    /// Where the call was passed on after the first answer (blind or attended transfer), in
    /// order: extensions, or E.164 numbers for transfers to the outside.
    pub transfers: Vec<String>,
    /// The trunk endpoint used (`trunk-acme`), if any.
    pub trunk: Option<String>,
    /// When the first channel appeared.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// When a person answered.
    #[serde(with = "time::serde::rfc3339::option")]
    pub answer: Option<OffsetDateTime>,
    /// When the last channel hung up (for an incomplete call: its last event seen).
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// Whole seconds from start to end.
    pub duration_secs: u64,
    /// Whole seconds from answer to end (0 when unanswered).
    pub billable_secs: u64,
    /// The call was closed without seeing its end (connection lost, or memory limit reached);
    /// `end` is the time of its last event, on the same clock as `start`.
    pub incomplete: bool,
}
