//! What a client may hold of the server, and for how long: deadlines for a request's head and
//! body, the most connections open at once, and the open-file limit they need.
//!
//! Every value comes from the configuration (the README's table). Heads are timed by
//! actix-http and [`crate::connection`]; bodies here, by [`enforce`]: a body must arrive
//! within `body_timeout_secs`, extended by one second for every `body_min_rate` bytes received
//! (Apache's `mod_reqtimeout` rule), counting only the time the server waits for the client —
//! a handler busy elsewhere (an upload waiting for Nextcloud) costs the client nothing. A body
//! that falls behind ends the request with 408 and closes the connection.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage as _;
use actix_web::ResponseError;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use bytes::Bytes;
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use crate::config::Config;
use crate::connection::{Busy, Conn};
use crate::error::ApiError;

/// Open files kept for everything but connections: the database (its file, WAL and shared
/// memory on each of ten connections), the log, clients of Nextcloud, mail and the PBX.
const RESERVED_FILES: u64 = 256;

/// How long a connection whose request was answered early (its body unread) may go on sending
/// before it is closed.
pub const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The deadlines of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub head_timeout: Duration,
    /// `ZERO`: no keep-alive.
    pub keep_alive: Duration,
    pub body_timeout: Duration,
    /// Bytes per second; 0: no extension.
    pub body_min_rate: u64,
}

impl Limits {
    pub fn new(config: &Config) -> Self {
        Self {
            head_timeout: Duration::from_secs(config.request_head_timeout_secs),
            keep_alive: Duration::from_secs(config.keep_alive_secs),
            body_timeout: Duration::from_secs(config.body_timeout_secs),
            body_min_rate: config.body_min_rate,
        }
    }

    /// How long the body may have kept the server waiting once `received` bytes arrived.
    fn body_allowance(&self, received: u64) -> Duration {
        let extension = match self.body_min_rate {
            0 => Duration::ZERO,
            rate => Duration::from_millis(received.saturating_mul(1000) / rate),
        };
        self.body_timeout.saturating_add(extension)
    }
}

/// Raises the soft open-file limit to the hard one (each connection is a file) and returns
/// the limit in force, `None` for unlimited.
pub fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let (Some(current), Some(maximum)) = (limit.current, limit.maximum) else {
        return limit.current;
    };
    if current >= maximum {
        return Some(current);
    }
    let raised = Rlimit {
        current: Some(maximum),
        maximum: Some(maximum),
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => {
            tracing::info!(from = current, to = maximum, "raised the open-file limit");
            Some(maximum)
        }
        Err(e) => {
            tracing::warn!(limit = current, error = %e, "cannot raise the open-file limit");
            Some(current)
        }
    }
}

/// Connections each worker may hold: `max_connections` shared out, lowered so that all of
/// them together leave [`RESERVED_FILES`] of the open-file limit; and whether it was lowered.
pub fn connections_per_worker(
    max_connections: usize,
    workers: usize,
    open_files: Option<u64>,
) -> (usize, bool) {
    let allowed = open_files.map_or(usize::MAX, |n| {
        usize::try_from(n.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(usize::MAX)
    });
    let total = max_connections.min(allowed);
    ((total / workers.max(1)).max(1), total < max_connections)
}

/// Sets the listen backlog of an already listening socket (Linux takes a second `listen`).
pub fn set_backlog(listener: &TcpListener, backlog: u32) -> io::Result<()> {
    let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
    rustix::net::listen(listener, backlog).map_err(io::Error::from)
}

/// The middleware of every request: the body deadline, and the request's part in its
/// connection's head deadline (see [`crate::connection`]).
pub async fn enforce(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<Tracked>, actix_web::Error> {
    let busy = req.conn_data::<Conn>().map(Conn::begin);
    let limits = req.app_data::<Limits>().copied();
    let mut late = None;
    if let Some(limits) = limits {
        match req.take_payload() {
            Payload::None => {}
            payload => {
                let flag = Rc::new(Cell::new(false));
                let timed = BodyDeadline::new(payload, limits, Rc::clone(&flag));
                req.set_payload(Payload::Stream {
                    payload: Box::pin(timed),
                });
                late = Some(flag);
            }
        }
    }
    let result = next.call(req).await;
    let late = late.is_some_and(|f| f.get());
    let res = match result {
        Ok(res) if late => {
            let (http_req, _) = res.into_parts();
            let mut res = body_late().error_response();
            res.headers_mut().insert(
                actix_web::http::header::CONNECTION,
                HeaderValue::from_static("close"),
            );
            ServiceResponse::new(http_req, res)
        }
        Ok(res) => res.map_into_boxed_body(),
        Err(_) if late => return Err(body_late().into()),
        Err(e) => return Err(e),
    };
    Ok(res.map_body(|_, body| Tracked { body, _busy: busy }))
}

fn body_late() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        "the request body did not arrive in time",
    )
}

/// A response body that ends its request on the connection when it is dropped.
#[derive(Debug)]
pub struct Tracked {
    body: BoxBody,
    _busy: Option<Busy>,
}

impl MessageBody for Tracked {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }

    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let Self { body, _busy } = self;
        body.try_into_bytes().map_err(|body| Self { body, _busy })
    }
}

/// A request body that fails with a timeout once it keeps the server waiting longer than
/// [`Limits::body_allowance`] of what arrived, and raises `late`.
struct BodyDeadline {
    inner: Payload,
    limits: Limits,
    received: u64,
    /// Time spent waiting for the client, not counting the current wait.
    waited: Duration,
    /// Since when the current wait lasts.
    waiting_since: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
    late: Rc<Cell<bool>>,
}

impl BodyDeadline {
    fn new(inner: Payload, limits: Limits, late: Rc<Cell<bool>>) -> Self {
        Self {
            inner,
            limits,
            received: 0,
            waited: Duration::ZERO,
            waiting_since: None,
            timer: None,
            late,
        }
    }

    fn timed_out(&self) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.late.set(true);
        Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
            io::ErrorKind::TimedOut,
            "the request body did not arrive in time",
        )))))
    }
}

impl Stream for BodyDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.late.get() {
            return this.timed_out();
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            if let Some(since) = this.waiting_since.take() {
                this.waited += since.elapsed();
            }
            if let Some(Ok(chunk)) = &item {
                this.received = this.received.saturating_add(chunk.len() as u64);
            }
            return Poll::Ready(item);
        }
        let now = Instant::now();
        let since = *this.waiting_since.get_or_insert(now);
        let left = this
            .limits
            .body_allowance(this.received)
            .saturating_sub(this.waited);
        let deadline = since + left;
        if now >= deadline {
            return this.timed_out();
        }
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => this.timed_out(),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_leave_files_for_the_rest() {
        let cases = [
            // (max, workers, open files) → (per worker, lowered)
            ((10_000, 2, Some(1_048_576)), (5_000, false)),
            ((10_000, 2, None), (5_000, false)),
            ((10_000, 2, Some(1024)), (384, true)),
            ((10_000, 4, Some(20_000)), (2_500, false)),
            ((10_000, 2, Some(100)), (32, true)),
            ((1, 8, None), (1, false)),
        ];
        for ((max, workers, files), expected) in cases {
            assert_eq!(
                connections_per_worker(max, workers, files),
                expected,
                "{max} {workers} {files:?}"
            );
        }
    }

    #[test]
    fn each_chunk_extends_the_allowance_by_its_share_of_the_rate() {
        let limits = Limits {
            head_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_secs(5),
            body_timeout: Duration::from_secs(20),
            body_min_rate: 500,
        };
        assert_eq!(limits.body_allowance(0), Duration::from_secs(20));
        assert_eq!(limits.body_allowance(1000), Duration::from_secs(22));
        assert_eq!(limits.body_allowance(250), Duration::from_millis(20_500));
        let strict = Limits {
            body_min_rate: 0,
            ..limits
        };
        assert_eq!(strict.body_allowance(1 << 30), Duration::from_secs(20));
        assert!(limits.body_allowance(u64::MAX) > Duration::from_secs(1 << 40));
    }

    fn limits(timeout_ms: u64, rate: u64) -> Limits {
        Limits {
            head_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_secs(5),
            body_timeout: Duration::from_millis(timeout_ms),
            body_min_rate: rate,
        }
    }

    /// A timed body and the flag it raises; the test feeds it through the sender.
    fn timed(payload: actix_http::h1::Payload, limits: Limits) -> (BodyDeadline, Rc<Cell<bool>>) {
        let late = Rc::new(Cell::new(false));
        let body = BodyDeadline::new(Payload::from(payload), limits, Rc::clone(&late));
        (body, late)
    }

    fn poll(body: &mut BodyDeadline) -> Poll<Option<Result<Bytes, PayloadError>>> {
        Pin::new(body).poll_next(&mut Context::from_waker(std::task::Waker::noop()))
    }

    async fn sleep_ms(ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    #[tokio::test]
    async fn a_trickle_is_cut_off_and_a_steady_body_is_not() {
        // a byte every 50 ms against 300 ms + 10 ms a byte: cut after ~400 ms of waiting
        let (mut tx, payload) = actix_http::h1::Payload::create(false);
        let (mut body, late) = timed(payload, limits(300, 100));
        let started = Instant::now();
        loop {
            match poll(&mut body) {
                Poll::Pending => {}
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(other) => {
                    assert!(matches!(other, Some(Err(PayloadError::Io(_)))), "{other:?}");
                    break;
                }
            }
            sleep_ms(50).await;
            tx.feed_data(Bytes::from_static(b"x"));
            assert!(started.elapsed() < Duration::from_secs(2), "never cut off");
        }
        assert!(late.get());
        assert!(started.elapsed() >= Duration::from_millis(300));

        // 20 bytes every 50 ms (400 bytes/s) goes on
        let (mut tx, payload) = actix_http::h1::Payload::create(false);
        let (mut body, late) = timed(payload, limits(300, 100));
        for _ in 0..20 {
            assert!(poll(&mut body).is_pending());
            sleep_ms(50).await;
            tx.feed_data(Bytes::from(vec![b'x'; 20]));
            assert!(matches!(poll(&mut body), Poll::Ready(Some(Ok(_)))));
        }
        tx.feed_eof();
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(!late.get());
    }

    #[tokio::test]
    async fn time_the_server_is_busy_elsewhere_does_not_count() {
        let (mut tx, payload) = actix_http::h1::Payload::create(false);
        let (mut body, late) = timed(payload, limits(300, 0));
        tx.feed_data(Bytes::from_static(b"x"));
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Ok(_)))));
        // the handler does not read for a while, the client's data waits for it
        sleep_ms(500).await;
        tx.feed_data(Bytes::from_static(b"y"));
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Ok(_)))));
        // then 300 ms of waiting are allowed, not more
        assert!(poll(&mut body).is_pending());
        sleep_ms(200).await;
        assert!(poll(&mut body).is_pending());
        sleep_ms(150).await;
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Err(_)))));
        assert!(late.get());
    }
}
