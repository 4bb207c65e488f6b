//! Call correlation, free of I/O: AMI events in, one [`CallRecord`] per finished call out.
//! Time comes from the events' `Timestamp:` field or from an injected [`Clock`].

mod correlator;
mod record;
mod rules;

pub use correlator::{Clock, Correlator, Limits};
pub use record::{CallRecord, Direction, Disposition, Number};
pub use rules::{CallRules, ChannelKind};
