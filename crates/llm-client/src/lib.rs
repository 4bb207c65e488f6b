//! A chat-completions client for any OpenAI-compatible endpoint (Ollama, llama.cpp's
//! `llama-server`, vLLM, OpenAI itself), without CRM knowledge.
//!
//! - [`proto`]: the wire format, pure — the request body of `POST {base}/chat/completions`
//!   (`{model, messages: [{role, content}], temperature, response_format?}`) and the answer's
//!   `choices[0].message.content`, or the server's error message. No sockets.
//! - [`client`]: the [`Client`] (reqwest): one call, [`Client::chat`], with a Bearer key when
//!   one is configured, a deadline, a cap on the answer's size, and typed [`Error`]s —
//!   unreachable, timed out, an HTTP status with the server's own message, a malformed answer.
//!
//! Tests run against [`testing::ScriptedPeer`] (feature `testing`), a loopback HTTP/1.1 peer
//! that answers canned responses byte for byte and records each request, the way wa-bridge's
//! Graph API peer stands in for Meta: no real model server runs where the tests do.

pub mod client;
pub mod error;
pub mod proto;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{Client, Config};
pub use error::{Error, Result};
pub use proto::{Chat, Message, Role};
