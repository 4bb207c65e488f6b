//! Asterisk Manager Interface (AMI) bridge: follows call events of an Asterisk/FreePBX server
//! and reports each finished call once, and places click-to-call `Originate`s.
//!
//! - [`proto`]: the wire format, free of I/O (incremental decoder, messages, actions).
//! - [`correlate`]: channels grouped by `Linkedid` into one [`CallRecord`] per call, free of
//!   I/O.
//! - [`client`]: the tokio client (login, keep-alive, reconnect, actions, events).

pub mod client;
pub mod correlate;
mod error;
pub mod proto;

pub use client::{AmiEvent, Client, Config, OriginateOptions, Response};
pub use correlate::{CallRecord, CallRules, Clock, Correlator, Direction, Disposition, Number};
pub use error::{Error, Result};
