//! The AMI wire format, free of I/O: an incremental frame decoder, the [`Message`] type and
//! action encoding. Bytes in, typed values out; no sockets, no runtime.

mod action;
mod decoder;
mod message;

pub use action::Action;
pub use decoder::{Banner, DEFAULT_MAX_FRAME, Decoded, Decoder, Frame};
pub use message::{Message, MessageKind};
