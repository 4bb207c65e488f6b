//! The I/O half: [`Client`] speaks WebDAV over `reqwest`.

mod config;
mod transfer;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, LAST_MODIFIED, RANGE};
use reqwest::{Method, RequestBuilder, Response};
use secrecy::{ExposeSecret, SecretString};
use tracing::{debug, warn};

pub use config::Config;
pub use transfer::{Download, UploadBody, Uploaded};

use crate::error::{Error, Result};
use crate::proto::{
    ContentRange, DavPath, DavRoot, ETag, Entry, Listing, ListingReader, PROPFIND_BODY,
    parse_http_date, range_header,
};

/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Which failures a request may be repeated after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Sent once (a stream body cannot be replayed).
    Never,
    /// Repeated only when the connection could not be opened (the server saw nothing).
    ConnectOnly,
    /// Idempotent: repeated on connect errors, dropped connections and 500/502/503/504.
    Idempotent,
}

#[derive(Debug, Clone)]
struct Methods {
    propfind: Method,
    mkcol: Method,
    move_: Method,
}

/// A WebDAV client bound to one user's base folder. Cheap to clone (connections are pooled
/// and shared between clones).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    root: DavRoot,
    user: String,
    password: SecretString,
    timeout: Duration,
    retries: u32,
    retry_backoff: Duration,
    max_listing_bytes: usize,
    methods: Methods,
}

fn method(name: &str) -> Result<Method> {
    Method::from_bytes(name.as_bytes())
        .map_err(|e| Error::InvalidConfig(format!("method {name}: {e}")))
}

/// Maps a transport error: connect failures are `Unreachable`, silences `Timeout`, the rest
/// (a connection dropped mid-way) `Interrupted`.
fn transport_error(e: reqwest::Error) -> Error {
    if e.is_connect() {
        Error::Unreachable(e)
    } else if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Interrupted(e)
    }
}

/// Maps a status that is not the operation's success to an error.
fn status_error(method: &str, status: u16, path: &DavPath) -> Error {
    let path = path.clone();
    match status {
        401 => Error::Unauthorized,
        403 => Error::Forbidden { path },
        404 => Error::NotFound { path },
        409 => Error::Conflict { path },
        412 => Error::PreconditionFailed { path },
        416 => Error::RangeNotSatisfiable { path },
        423 => Error::Locked { path },
        507 => Error::InsufficientStorage,
        500..=599 => Error::Server { status },
        300..=399 => Error::Protocol(format!(
            "{method} {path}: redirected ({status}); check the server URL"
        )),
        _ => Error::Protocol(format!("{method} {path}: unexpected status {status}")),
    }
}

fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Client {
    /// Checks the configuration and builds the HTTP client (no request is made).
    pub fn new(config: Config) -> Result<Self> {
        let url = reqwest::Url::parse(config.url.trim())
            .map_err(|e| Error::InvalidConfig(format!("url {:?}: {e}", config.url)))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.cannot_be_a_base()
            || url.host().is_none()
        {
            return Err(Error::InvalidConfig(format!(
                "url {:?} is not an http(s) server URL",
                config.url
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::InvalidConfig(
                "put credentials in user/password, not in the url".into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::InvalidConfig(
                "the url must not have a query or fragment".into(),
            ));
        }
        if config.timeout.is_zero() || config.connect_timeout.is_zero() {
            return Err(Error::InvalidConfig("timeouts must be positive".into()));
        }
        let base = DavPath::parse(&config.base_path)?;
        let root = DavRoot::new(url.as_str(), url.path(), &config.user, &base)?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("nextcloud-dav/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidConfig(format!("http client: {e}")))?;
        Ok(Self {
            http,
            root,
            user: config.user,
            password: config.password,
            timeout: config.timeout,
            retries: config.retries,
            retry_backoff: config.retry_backoff,
            max_listing_bytes: config.max_listing_bytes,
            methods: Methods {
                propfind: method("PROPFIND")?,
                mkcol: method("MKCOL")?,
                move_: method("MOVE")?,
            },
        })
    }

    /// The URL of a path (folders with a trailing slash).
    pub fn url(&self, path: &DavPath, folder: bool) -> String {
        self.root.url(path, folder)
    }

    fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http
            .request(method, url)
            .basic_auth(&self.user, Some(self.password.expose_secret()))
    }

    /// Sends what `build` makes, repeating it per `retry`. Returns the answer (any status
    /// that is not a retried 5xx) and the attempt number it came from.
    async fn execute<F>(
        &self,
        name: &str,
        path: &DavPath,
        retry: Retry,
        mut build: F,
    ) -> Result<(Response, u32)>
    where
        F: FnMut() -> Result<RequestBuilder>,
    {
        let attempts = if retry == Retry::Never {
            1
        } else {
            self.retries.saturating_add(1)
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = build()?;
            let started = Instant::now();
            let outcome = request.send().await;
            let elapsed_ms = started.elapsed().as_millis();
            let wait = backoff(self.retry_backoff, attempt);
            match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    debug!(method = name, %path, status, elapsed_ms, attempt, "webdav request");
                    let transient = matches!(status, 500 | 502 | 503 | 504);
                    if transient && retry == Retry::Idempotent && attempt < attempts {
                        warn!(method = name, %path, status, attempt, ?wait, "webdav server error, retrying");
                        drop(response);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Ok((response, attempt));
                }
                Err(e) => {
                    let again = match retry {
                        Retry::Never => false,
                        Retry::ConnectOnly => e.is_connect(),
                        Retry::Idempotent => e.is_connect() || !e.is_timeout(),
                    };
                    if again && attempt < attempts {
                        warn!(method = name, %path, error = %e, attempt, ?wait, "webdav request failed, retrying");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    debug!(method = name, %path, error = %e, elapsed_ms, attempt, "webdav request failed");
                    return Err(transport_error(e));
                }
            }
        }
    }

    async fn propfind(&self, path: &DavPath, depth: &'static str) -> Result<Listing> {
        let url = self.root.url(path, false);
        let (response, _) = self
            .execute("PROPFIND", path, Retry::Idempotent, || {
                Ok(self
                    .request(self.methods.propfind.clone(), &url)
                    .header("Depth", depth)
                    .header(CONTENT_TYPE, "application/xml; charset=utf-8")
                    .body(PROPFIND_BODY)
                    .timeout(self.timeout))
            })
            .await?;
        let status = response.status().as_u16();
        if status != 207 {
            return Err(status_error("PROPFIND", status, path));
        }
        let listing = self.read_listing(response, path).await?;
        for (href, reason) in &listing.skipped {
            warn!(%path, href = href.as_str(), reason = reason.as_str(), "webdav entry left out of the listing");
        }
        Ok(listing)
    }

    /// Parses the answer while it arrives (see [`ListingReader`]), up to the size limit.
    async fn read_listing(&self, response: Response, path: &DavPath) -> Result<Listing> {
        let limit = self.max_listing_bytes;
        let too_big = || Error::Protocol(format!("PROPFIND answer larger than {limit} bytes"));
        if response.content_length().unwrap_or(0) > limit as u64 {
            return Err(too_big());
        }
        let mut reader = ListingReader::new(self.root.clone(), path.clone());
        let mut received = 0usize;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(transport_error)?;
            received = received.saturating_add(chunk.len());
            if received > limit {
                return Err(too_big());
            }
            reader.push(&chunk)?;
        }
        reader.finish()
    }

    /// The direct children of a folder (PROPFIND Depth 1), the folder itself excluded, in the
    /// server's order. Names that [`DavPath`] would refuse are left out (and logged). A file
    /// instead of a folder is [`Error::Conflict`]; a missing one [`Error::NotFound`].
    pub async fn list(&self, folder: &DavPath) -> Result<Vec<Entry>> {
        let listing = self.propfind(folder, "1").await?;
        if let Some(this) = &listing.this
            && !this.is_dir
        {
            return Err(Error::Conflict {
                path: folder.clone(),
            });
        }
        Ok(listing.children)
    }

    /// One file or folder (PROPFIND Depth 0).
    pub async fn stat(&self, path: &DavPath) -> Result<Entry> {
        self.propfind(path, "0").await?.this.ok_or_else(|| {
            Error::Protocol(format!("PROPFIND {path}: no entry for the path itself"))
        })
    }

    /// Whether a file or folder exists.
    pub async fn exists(&self, path: &DavPath) -> Result<bool> {
        match self.stat(path).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Downloads a file, or the bytes `start..=end` of it (`end` `None` = to the end). The
    /// body streams; see [`Download`].
    pub async fn download(
        &self,
        path: &DavPath,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<Download> {
        path.require_not_root()?;
        let range = match range {
            Some((start, end)) => Some(
                range_header(start, end)
                    .ok_or_else(|| Error::RangeNotSatisfiable { path: path.clone() })?,
            ),
            None => None,
        };
        let url = self.root.url(path, false);
        let (response, _) = self
            .execute("GET", path, Retry::Idempotent, || {
                let mut request = self.request(Method::GET, &url);
                if let Some(range) = &range {
                    request = request.header(RANGE, range);
                }
                Ok(request)
            })
            .await?;
        let status = response.status().as_u16();
        if status != 200 && status != 206 {
            return Err(status_error("GET", status, path));
        }
        let headers = response.headers();
        let download = Download {
            status,
            content_type: header_str(headers, CONTENT_TYPE.as_str()),
            content_length: header_str(headers, CONTENT_LENGTH.as_str())
                .and_then(|v| v.parse().ok()),
            content_range: header_str(headers, "content-range")
                .and_then(|v| ContentRange::parse(&v)),
            etag: header_str(headers, ETAG.as_str()).and_then(|v| ETag::parse(&v)),
            last_modified: header_str(headers, LAST_MODIFIED.as_str())
                .and_then(|v| parse_http_date(&v)),
            body: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map_err(transport_error)),
            ),
        };
        Ok(download)
    }

    /// Uploads a file, replacing any file of that name and creating missing parent folders
    /// (MKCOL for the missing ones only). Bytes and files are retried like any idempotent
    /// request; a stream is sent exactly once (it cannot be replayed), so its parent folders
    /// are checked before it is sent.
    pub async fn upload(&self, path: &DavPath, mut body: UploadBody) -> Result<Uploaded> {
        path.require_not_root()?;
        if let transfer::Source::File(p) = &body.source {
            body.length = Some(tokio::fs::metadata(p).await?.len());
        }
        let parent = path.parent().unwrap_or_default();
        if !body.is_replayable() {
            self.mkdir_all(&parent).await?;
            return self.put(path, &mut body).await;
        }
        match self.put(path, &mut body).await {
            Err(Error::Conflict { .. }) if !parent.is_root() => {
                debug!(%path, "parent folder missing, creating it");
                self.mkdir_all(&parent).await?;
                self.put(path, &mut body).await
            }
            other => other,
        }
    }

    async fn put(&self, path: &DavPath, body: &mut UploadBody) -> Result<Uploaded> {
        let url = self.root.url(path, false);
        let retry = if body.is_replayable() {
            Retry::Idempotent
        } else {
            Retry::Never
        };
        let length = body.length;
        let content_type = body.content_type.clone();
        let mtime = body.modified.map(|t| t.unix_timestamp().to_string());
        let (response, _) = self
            .execute("PUT", path, retry, || {
                let mut request = self.request(Method::PUT, &url);
                if let Some(len) = length {
                    request = request.header(CONTENT_LENGTH, len);
                }
                if let Some(ct) = &content_type {
                    request = request.header(CONTENT_TYPE, ct.as_str());
                }
                if let Some(mtime) = &mtime {
                    request = request.header("X-OC-MTime", mtime.as_str());
                }
                match body.take_body() {
                    Some(b) => Ok(request.body(b)),
                    None => Err(Error::Protocol("upload stream already consumed".into())),
                }
            })
            .await?;
        let status = response.status().as_u16();
        if !matches!(status, 200 | 201 | 204) {
            return Err(status_error("PUT", status, path));
        }
        let headers = response.headers();
        Ok(Uploaded {
            created: status == 201,
            etag: header_str(headers, "oc-etag")
                .or_else(|| header_str(headers, ETAG.as_str()))
                .and_then(|v| ETag::parse(&v)),
            file_id: header_str(headers, "oc-fileid"),
        })
    }

    /// Deletes a file or a folder with its content.
    pub async fn delete(&self, path: &DavPath) -> Result<()> {
        path.require_not_root()?;
        let url = self.root.url(path, false);
        let (response, attempt) = self
            .execute("DELETE", path, Retry::Idempotent, || {
                Ok(self.request(Method::DELETE, &url).timeout(self.timeout))
            })
            .await?;
        match response.status().as_u16() {
            200 | 204 => Ok(()),
            // An earlier attempt did it, but its answer was lost.
            404 if attempt > 1 => Ok(()),
            207 => Err(Error::Protocol(format!(
                "DELETE {path}: some members could not be deleted"
            ))),
            status => Err(status_error("DELETE", status, path)),
        }
    }

    /// Moves (renames) a file or folder. Without `overwrite`, an existing destination is
    /// [`Error::PreconditionFailed`]; a missing destination folder is [`Error::Conflict`].
    pub async fn move_to(&self, from: &DavPath, to: &DavPath, overwrite: bool) -> Result<()> {
        from.require_not_root()?;
        to.require_not_root()?;
        let url = self.root.url(from, false);
        let destination = self.root.url(to, false);
        let retry = if overwrite {
            Retry::Idempotent
        } else {
            Retry::ConnectOnly
        };
        let (response, attempt) = self
            .execute("MOVE", from, retry, || {
                Ok(self
                    .request(self.methods.move_.clone(), &url)
                    .header("Destination", destination.as_str())
                    .header("Overwrite", if overwrite { "T" } else { "F" })
                    .timeout(self.timeout))
            })
            .await?;
        match response.status().as_u16() {
            201 | 204 => Ok(()),
            404 if attempt > 1 => Ok(()),
            404 => Err(Error::NotFound { path: from.clone() }),
            status @ (409 | 412 | 423 | 507) => Err(status_error("MOVE", status, to)),
            // Apache answers 500 when the destination folder is missing (Nextcloud: 409).
            500 if self.parent_missing(to).await => Err(Error::Conflict { path: to.clone() }),
            status => Err(status_error("MOVE", status, from)),
        }
    }

    /// Whether the folder holding `path` is known to be missing (errors count as "not known").
    async fn parent_missing(&self, path: &DavPath) -> bool {
        match path.parent() {
            Some(parent) if !parent.is_root() => match self.stat(&parent).await {
                Ok(entry) => !entry.is_dir,
                Err(e) => matches!(e, Error::NotFound { .. } | Error::Conflict { .. }),
            },
            _ => false,
        }
    }

    /// Creates one folder; its parent must exist ([`Error::Conflict`] otherwise). An
    /// existing folder (or file) is [`Error::AlreadyExists`].
    pub async fn mkdir(&self, path: &DavPath) -> Result<()> {
        path.require_not_root()?;
        let url = self.root.url(path, true);
        let (response, attempt) = self
            .execute("MKCOL", path, Retry::Idempotent, || {
                Ok(self
                    .request(self.methods.mkcol.clone(), &url)
                    .timeout(self.timeout))
            })
            .await?;
        match response.status().as_u16() {
            201 => Ok(()),
            405 if attempt > 1 => Ok(()),
            405 => Err(Error::AlreadyExists { path: path.clone() }),
            status => Err(status_error("MKCOL", status, path)),
        }
    }

    /// Creates a folder and whichever of its parents are missing (the base folder must
    /// exist). Looks from the deepest level up (one PROPFIND when everything exists), then
    /// creates only the missing levels; a level created meanwhile by someone else is fine.
    /// A file in the way is [`Error::Conflict`].
    pub async fn mkdir_all(&self, path: &DavPath) -> Result<()> {
        let mut missing = Vec::new();
        for level in path.ancestors_and_self() {
            match self.stat(&level).await {
                Ok(entry) if entry.is_dir => break,
                Ok(_) => return Err(Error::Conflict { path: level }),
                // Access, transport and server failures end here...
                Err(
                    e @ (Error::Unauthorized
                    | Error::Forbidden { .. }
                    | Error::Unreachable(_)
                    | Error::Timeout(_)
                    | Error::Interrupted(_)
                    | Error::Server { .. }
                    | Error::InsufficientStorage),
                ) => return Err(e),
                // ...anything else means "not there as a folder" (404, or Apache's 400 for a
                // path below a file); the MKCOL that follows reports the real reason if any.
                Err(_) => missing.push(level),
            }
        }
        for level in missing.iter().rev() {
            match self.mkdir(level).await {
                Ok(()) | Err(Error::AlreadyExists { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_typed_errors() {
        let p = DavPath::parse("a/b").unwrap();
        let check = |status: u16| status_error("PUT", status, &p);
        assert!(matches!(check(401), Error::Unauthorized));
        assert!(matches!(check(403), Error::Forbidden { .. }));
        assert!(matches!(check(404), Error::NotFound { .. }));
        assert!(matches!(check(409), Error::Conflict { .. }));
        assert!(matches!(check(412), Error::PreconditionFailed { .. }));
        assert!(matches!(check(416), Error::RangeNotSatisfiable { .. }));
        assert!(matches!(check(423), Error::Locked { .. }));
        assert!(matches!(check(507), Error::InsufficientStorage));
        assert!(matches!(check(503), Error::Server { status: 503 }));
        assert!(matches!(check(301), Error::Protocol(m) if m.contains("redirected")));
        assert!(
            matches!(check(418), Error::Protocol(m) if m.contains("418") && m.contains("/a/b"))
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(200);
        assert_eq!(backoff(base, 1), Duration::from_millis(200));
        assert_eq!(backoff(base, 2), Duration::from_millis(400));
        assert_eq!(backoff(base, 4), Duration::from_millis(1600));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }

    #[test]
    fn config_is_checked() {
        let ok =
            Config::new("http://127.0.0.1:8080/", "alice", "pw").with_base_path("/CRM/Πελάτες/");
        let c = Client::new(ok.clone()).unwrap();
        assert_eq!(
            c.url(&DavPath::parse("x y").unwrap(), false),
            "http://127.0.0.1:8080/remote.php/dav/files/alice/CRM/%CE%A0%CE%B5%CE%BB%CE%AC%CF%84%CE%B5%CF%82/x%20y"
        );
        assert!(!format!("{c:?}").contains("pw\""));
        for url in [
            "",
            "ftp://h",
            "http://u:p@h",
            "http://h/?q=1",
            "http://h/#f",
            "mailto:a@b",
            "not a url",
        ] {
            let r = Client::new(Config {
                url: url.into(),
                ..ok.clone()
            });
            assert!(matches!(r, Err(Error::InvalidConfig(_))), "{url}");
        }
        let r = Client::new(ok.clone().with_base_path("../other"));
        assert!(matches!(r, Err(Error::InvalidPath { .. })));
        let r = Client::new(Config {
            user: String::new(),
            ..ok.clone()
        });
        assert!(matches!(r, Err(Error::InvalidConfig(_))));
        let r = Client::new(Config {
            timeout: Duration::ZERO,
            ..ok
        });
        assert!(matches!(r, Err(Error::InvalidConfig(_))));
    }
}
