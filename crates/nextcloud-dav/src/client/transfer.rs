//! Download and upload bodies.

use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, TryStream};
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;

use crate::error::Result;
use crate::proto::{ContentRange, ETag};

/// A download in progress: the answer's headers, and the body as a stream of chunks
/// (`impl Stream<Item = Result<Bytes>>`). Memory use does not depend on the file size. A
/// broken connection or a silence longer than the timeout ends the stream with an error
/// ([`crate::Error::Interrupted`] / [`crate::Error::Timeout`]), never a hang. Not retried
/// once the body has started: resume with a range from the bytes already received.
pub struct Download {
    /// 200 for the whole file, 206 for a range. A server may ignore a range and answer 200
    /// with the whole file: check this before assuming a partial body.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Length` of this answer (the range's length for a 206).
    pub content_length: Option<u64>,
    /// `Content-Range` of a 206.
    pub content_range: Option<ContentRange>,
    /// `ETag` of the file.
    pub etag: Option<ETag>,
    /// `Last-Modified` of the file.
    pub last_modified: Option<OffsetDateTime>,
    pub(crate) body: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
}

impl Download {
    /// Whether the body is a part (206) rather than the whole file.
    pub fn is_partial(&self) -> bool {
        self.status == 206
    }

    /// The body alone.
    pub fn into_stream(self) -> Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>> {
        self.body
    }
}

impl Stream for Download {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .field("content_range", &self.content_range)
            .field("etag", &self.etag)
            .field("last_modified", &self.last_modified)
            .finish_non_exhaustive()
    }
}

/// What the server said about a finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// 201 (a new file) rather than 204/200 (replaced).
    pub created: bool,
    /// `OC-ETag` or `ETag`, when the server sends one (Nextcloud does, Apache does not).
    pub etag: Option<ETag>,
    /// `OC-FileId` (Nextcloud only).
    pub file_id: Option<String>,
}

pub(crate) enum Source {
    Bytes(Bytes),
    File(PathBuf),
    /// Taken on the first attempt: a stream cannot be replayed.
    Stream(Option<reqwest::Body>),
}

/// The content of an upload: bytes in memory, a local file (read in chunks), or a stream.
/// Bytes and files can be sent again, so their uploads are retried; a stream is sent once.
pub struct UploadBody {
    pub(crate) source: Source,
    pub(crate) length: Option<u64>,
    pub(crate) content_type: Option<String>,
    pub(crate) modified: Option<OffsetDateTime>,
}

/// Size of the chunks read from a local file.
const FILE_CHUNK: usize = 256 * 1024;

impl UploadBody {
    /// Bytes already in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let length = Some(bytes.len() as u64);
        Self::with_source(Source::Bytes(bytes), length)
    }

    /// A local file, opened and read in chunks when sent (its size is read first).
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        Self::with_source(Source::File(path.into()), None)
    }

    /// A stream of chunks (wrapped with `reqwest::Body::wrap_stream`). Sent with chunked
    /// transfer encoding unless [`UploadBody::with_length`] gives the exact size. Never
    /// retried, and its parent folders are created before it is sent.
    pub fn from_stream<S>(stream: S) -> Self
    where
        S: TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        Bytes: From<S::Ok>,
    {
        Self::with_source(
            Source::Stream(Some(reqwest::Body::wrap_stream(stream))),
            None,
        )
    }

    fn with_source(source: Source, length: Option<u64>) -> Self {
        Self {
            source,
            length,
            content_type: None,
            modified: None,
        }
    }

    /// The exact size of a stream, sent as `Content-Length` (a stream that ends early or
    /// goes on longer fails the upload).
    pub fn with_length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// The `Content-Type` to send.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The modification time Nextcloud should record (`X-OC-MTime`; Apache ignores it).
    pub fn with_modified(mut self, modified: OffsetDateTime) -> Self {
        self.modified = Some(modified);
        self
    }

    /// Whether the body can be sent again (bytes and files can, streams cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Stream(_))
    }

    /// The body for one attempt; `None` once a stream has been used.
    pub(crate) fn take_body(&mut self) -> Option<reqwest::Body> {
        match &mut self.source {
            Source::Bytes(b) => Some(reqwest::Body::from(b.clone())),
            Source::File(p) => Some(reqwest::Body::wrap_stream(file_stream(p.clone()))),
            Source::Stream(s) => s.take(),
        }
    }
}

impl fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(b) => format!("bytes({})", b.len()),
            Source::File(p) => format!("file({})", p.display()),
            Source::Stream(_) => "stream".to_owned(),
        };
        f.debug_struct("UploadBody")
            .field("source", &source)
            .field("length", &self.length)
            .field("content_type", &self.content_type)
            .field("modified", &self.modified)
            .finish()
    }
}

enum FileState {
    Closed(PathBuf),
    Open(tokio::fs::File),
    Done,
}

/// Reads a file in chunks, opening it on the first poll (so each attempt reads it afresh).
fn file_stream(path: PathBuf) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::unfold(FileState::Closed(path), |state| async move {
        let mut file = match state {
            FileState::Closed(p) => match tokio::fs::File::open(&p).await {
                Ok(f) => f,
                Err(e) => return Some((Err(e), FileState::Done)),
            },
            FileState::Open(f) => f,
            FileState::Done => return None,
        };
        let mut buf = BytesMut::with_capacity(FILE_CHUNK);
        match file.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), FileState::Open(file))),
            Err(e) => Some((Err(e), FileState::Done)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn file_stream_reads_the_whole_file_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.bin");
        let data: Vec<u8> = (0..(FILE_CHUNK * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&p, &data).unwrap();
        let chunks: Vec<Bytes> = file_stream(p).map(|c| c.unwrap()).collect().await;
        assert!(chunks.len() >= 3);
        assert_eq!(chunks.concat(), data);
        let missing: Vec<_> = file_stream(dir.path().join("nope")).collect().await;
        assert_eq!(missing.len(), 1);
        assert!(missing[0].is_err());
    }

    #[test]
    fn streams_are_single_use() {
        let s = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(b"x"))]);
        let mut body = UploadBody::from_stream(s);
        assert!(!body.is_replayable());
        assert!(body.take_body().is_some());
        assert!(body.take_body().is_none());
        let mut bytes = UploadBody::from_bytes(&b"abc"[..]);
        assert!(bytes.is_replayable());
        assert_eq!(bytes.length, Some(3));
        assert!(bytes.take_body().is_some() && bytes.take_body().is_some());
        assert!(format!("{:?}", UploadBody::from_file("/tmp/x")).contains("file(/tmp/x)"));
    }
}
