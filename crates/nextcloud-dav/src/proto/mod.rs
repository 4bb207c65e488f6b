//! Pure WebDAV protocol code: paths, URL encoding, multistatus parsing, HTTP values.
//! Bytes and strings in, typed values out; no sockets, no runtime.

pub mod href;
pub mod http;
pub mod multistatus;
pub mod path;
pub mod split;

pub use href::{DavRoot, encode_path, encode_segment};
pub use http::{ContentRange, ETag, parse_http_date, range_header};
pub use multistatus::{
    Entry, Listing, ListingReader, PROPFIND_BODY, PropResponse, Props, parse_listing,
    parse_multistatus,
};
pub use path::{DavPath, MAX_PATH_BYTES, MAX_SEGMENT_BYTES, PathError, PathErrorReason};
