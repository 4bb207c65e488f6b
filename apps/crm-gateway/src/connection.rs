//! The server's side of one TCP connection, wrapped around the socket before actix-http reads
//! it (`lib.rs` assembles the server with it), for what actix-web cannot be told to do:
//!
//! - **The head of every request has a deadline.** actix-http times the first request's head
//!   (`request_head_timeout_secs`, answered 408) but not the next ones on a kept-alive
//!   connection: once a byte of the next head arrives, the connection may trickle forever. So
//!   after each response (its body sent to the end) the next request must have arrived within
//!   `keep_alive_secs + request_head_timeout_secs`, else the connection is closed. The requests
//!   tell the connection when they begin and end through [`Conn`], which `lib.rs` puts into
//!   every request's connection data and [`crate::limits::enforce`] holds while a request runs.
//! - **actix-http's own errors carry the JSON error body.** The responses it writes itself when
//!   a request cannot be parsed or its head is late (400, 408, 431) have an empty body; as the
//!   first response of a connection they are rewritten into the API's envelope (see
//!   [`bare_error_as_json`]). Later on a kept-alive connection the same bytes could be the end
//!   of a file being downloaded, so they are left as they are.

use std::cell::Cell;
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::headers;

/// What the requests of one connection tell its socket.
#[derive(Debug, Default)]
struct State {
    /// Requests begun and not yet finished (their response body not yet sent).
    busy: Cell<u32>,
    /// When the last request finished; `None` before the first one.
    idle_since: Cell<Option<Instant>>,
}

/// A connection, as its requests see it (in their connection data).
#[derive(Debug, Clone)]
pub struct Conn(Rc<State>);

impl Conn {
    /// A request of this connection begins; it ends when the returned guard is dropped (with
    /// the response body, once the last byte of it is handed to the connection).
    pub fn begin(&self) -> Busy {
        self.0.busy.set(self.0.busy.get() + 1);
        Busy(Rc::clone(&self.0))
    }
}

/// A request in progress on its connection.
#[derive(Debug)]
pub struct Busy(Rc<State>);

impl Drop for Busy {
    fn drop(&mut self) {
        let left = self.0.busy.get().saturating_sub(1);
        self.0.busy.set(left);
        if left == 0 {
            self.0.idle_since.set(Some(Instant::now()));
        }
    }
}

/// A socket with the deadline for the heads of a connection's later requests, and the first
/// response rewritten when actix-http answers it without a body.
#[derive(Debug)]
pub struct Guarded<T> {
    io: T,
    state: Rc<State>,
    /// How long after the previous response the next request may take to arrive.
    next_request_within: Duration,
    timer: Option<Pin<Box<Sleep>>>,
    /// When bytes last went out: a slow reader still taking the previous response is no late
    /// request.
    last_write: Option<Instant>,
    /// Bytes written so far (as actix-http counts them).
    written: u64,
    /// The rewritten response and how much of it is sent.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> Guarded<T> {
    pub fn new(io: T, next_request_within: Duration) -> Self {
        Self {
            io,
            state: Rc::default(),
            next_request_within,
            timer: None,
            last_write: None,
            written: 0,
            pending: None,
        }
    }

    /// The handle its requests get.
    pub fn conn(&self) -> Conn {
        Conn(Rc::clone(&self.state))
    }

    /// When the next request's head must have arrived: only between requests, and only after a
    /// first one (actix-http times the first head itself).
    fn deadline(&self) -> Option<Instant> {
        if self.state.busy.get() > 0 {
            return None;
        }
        let idle = self.state.idle_since.get()?;
        let since = self.last_write.map_or(idle, |w| w.max(idle));
        Some(since + self.next_request_within)
    }
}

impl<T: AsyncWrite + Unpin> Guarded<T> {
    /// Sends what is left of a rewritten response.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = &mut self.pending {
            if *sent == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        Poll::Ready(Ok(()))
    }
}

fn late() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the next request's head did not arrive in time",
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Poll::Ready(read) = Pin::new(&mut this.io).poll_read(cx, buf) {
            return Poll::Ready(read);
        }
        let Some(deadline) = this.deadline() else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(late()));
        }
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(late())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if this.written == 0
            && let Some(json) = bare_error_as_json(buf)
        {
            // actix-http's first (and last) response: the envelope goes out instead, and the
            // original counts as written; flush and shutdown send what is left
            this.pending = Some((json, 0));
            this.written = buf.len() as u64;
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        let n = ready!(Pin::new(&mut this.io).poll_write(cx, buf))?;
        this.written += n as u64;
        this.last_write = Some(Instant::now());
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// The error code and message of a status actix-http answers by itself.
pub fn code_and_message(status: u16) -> (&'static str, &'static str) {
    match status {
        408 => ("request_timeout", "the request did not arrive in time"),
        431 => (
            "headers_too_large",
            "the request line and headers are too large",
        ),
        500..=599 => ("internal", "internal server error"),
        _ => ("bad_request", "the request is malformed"),
    }
}

/// `buf`, when it is exactly a response that actix-http writes by itself — a 4xx or 5xx status
/// line, then only `content-length: 0`, `connection` and `date`, and nothing after the head —
/// rewritten with the JSON error envelope and the security headers of the API. The app's own
/// responses never look like that: they all carry `x-request-id`.
pub fn bare_error_as_json(buf: &[u8]) -> Option<Vec<u8>> {
    // a quick no for the first write of every connection that is not one
    if buf.len() > 1024 || !buf.starts_with(b"HTTP/1.") || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(buf).ok()?.strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let rest = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    if !(400..=599).contains(&status) || !rest[3..].starts_with(' ') {
        return None;
    }
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(": ")?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value == "0" => {}
            "connection" => {}
            "date" => date = Some(value),
            _ => return None,
        }
    }
    let (code, message) = code_and_message(status);
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    let mut out = String::with_capacity(512 + body.len());
    let _ = write!(
        out,
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(date) = date {
        let _ = write!(out, "date: {date}\r\n");
    }
    let policy = (
        actix_web::http::header::CONTENT_SECURITY_POLICY,
        headers::API_CSP,
    );
    for (name, value) in headers::COMMON.into_iter().chain([policy]) {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "date: Sun, 06 Dec 2026 00:00:00 GMT";

    #[test]
    fn only_bodiless_errors_of_actix_http_are_rewritten() {
        let cases: [(String, Option<(u16, &str)>); 10] = [
            (
                format!(
                    "HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n{DATE}\r\n\r\n"
                ),
                Some((408, "request_timeout")),
            ),
            (
                format!(
                    "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n{DATE}\r\n\r\n"
                ),
                Some((431, "headers_too_large")),
            ),
            (
                format!("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n{DATE}\r\n\r\n"),
                Some((400, "bad_request")),
            ),
            (
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n".into(),
                Some((500, "internal")),
            ),
            // the app's: a request id, a body, or a success
            (
                format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: a\r\n{DATE}\r\n\r\n"
                ),
                None,
            ),
            (
                format!("HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n{DATE}\r\n\r\n{{}}"),
                None,
            ),
            (
                format!("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n{DATE}\r\n\r\n"),
                None,
            ),
            // a head cut short, or not a response at all
            (
                "HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n".into(),
                None,
            ),
            ("GET / HTTP/1.1\r\n\r\n".into(), None),
            ("\u{0}\u{ff}".into(), None),
        ];
        for (input, expected) in cases {
            let out = bare_error_as_json(input.as_bytes()).map(|b| String::from_utf8(b).unwrap());
            match (expected, out) {
                (None, None) => {}
                (Some((status, code)), Some(out)) => {
                    let (head, body) = out.split_once("\r\n\r\n").unwrap();
                    assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
                    assert!(head.contains(&format!("content-length: {}\r\n", body.len())));
                    assert!(head.contains("content-type: application/json"), "{head}");
                    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
                    assert!(head.contains("connection: close"), "{head}");
                    let body: serde_json::Value = serde_json::from_str(body).unwrap();
                    assert_eq!(body["error"]["code"], code, "{input:?}");
                }
                (expected, out) => panic!("{input:?}: expected {expected:?}, got {out:?}"),
            }
        }
    }
}
