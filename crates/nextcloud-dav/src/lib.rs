//! A standalone WebDAV client for Nextcloud's files endpoint
//! (`{url}/remote.php/dav/files/{user}/{base_path}/…`), usable without the rest of the CRM.
//!
//! - [`proto`]: pure code — [`DavPath`] (validated paths), URL encoding, multistatus parsing.
//! - [`client`]: the I/O — [`Client`] with `list`, `stat`, `download` (streamed), `upload`
//!   (streamed), `delete`, `move_to`, `mkdir`, `mkdir_all`.

pub mod client;
pub mod error;
pub mod proto;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{Client, Config, Download, UploadBody, Uploaded};
pub use error::{Error, Result};
pub use proto::{ContentRange, DavPath, ETag, Entry, PathError, PathErrorReason};
