//! The byte stream under the IMAP session: TCP, or TLS over TCP.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::{Error, Result};
use crate::tls;

/// TCP or TLS; what async-imap reads and writes.
pub enum Stream {
    /// Unencrypted (loopback, or before STARTTLS).
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain(_) => "Stream::Plain",
            Self::Tls(_) => "Stream::Tls",
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What a session learns from its connection as it reads: bytes so far (a wait for an answer
/// that is still arriving, a large message on a slow link, is not a frozen server) and the
/// selected folder's message count as the server last announced it.
#[derive(Debug, Default)]
pub(crate) struct Live {
    read: AtomicU64,
    /// `u32::MAX + 1` until an EXISTS is seen.
    exists: AtomicU64,
}

const UNKNOWN: u64 = 1 << 32;

impl Live {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            read: AtomicU64::new(0),
            exists: AtomicU64::new(UNKNOWN),
        })
    }

    /// Bytes read from the server so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// The count of the last `* n EXISTS`, less the `* m EXPUNGE`s since.
    pub(crate) fn exists(&self) -> Option<u32> {
        u32::try_from(self.exists.load(Ordering::Relaxed)).ok()
    }

    pub(crate) fn set_exists(&self, n: u32) {
        self.exists.store(u64::from(n), Ordering::Relaxed);
    }

    pub(crate) fn expunged_one(&self) {
        let _ = self
            .exists
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n != UNKNOWN).then(|| n.saturating_sub(1))
            });
    }

    pub(crate) fn forget_exists(&self) {
        self.exists.store(UNKNOWN, Ordering::Relaxed);
    }
}

/// A stream that counts what it reads into a [`Live`].
#[derive(Debug)]
pub struct Metered<S> {
    inner: S,
    live: Arc<Live>,
}

impl<S> Metered<S> {
    pub(crate) fn new(inner: S, live: Arc<Live>) -> Self {
        Self { inner, live }
    }

    pub(crate) fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        let got = buf.filled().len().saturating_sub(before);
        if got > 0 {
            this.live.read.fetch_add(got as u64, Ordering::Relaxed);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Resolves `host` and connects to the first address that answers. With `loopback_only`,
/// addresses that are not loopback are never tried (plain connections).
pub(crate) async fn tcp_connect(
    host: &str,
    port: u16,
    limit: Duration,
    loopback_only: bool,
) -> Result<TcpStream> {
    let connect_err = |source: io::Error| Error::Connect {
        host: host.to_owned(),
        port,
        source,
    };
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    let attempt = async {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(connect_err)?
            .filter(|a| !loopback_only || a.ip().is_loopback())
            .collect();
        if addrs.is_empty() {
            return Err(if loopback_only {
                Error::PlainNotLoopback {
                    host: host.to_owned(),
                }
            } else {
                connect_err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the host name has no address",
                ))
            });
        }
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    s.set_nodelay(true).map_err(connect_err)?;
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(connect_err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::NotConnected, "no address answered")
        })))
    };
    tokio::time::timeout(limit, attempt)
        .await
        .map_err(|_| connect_err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")))?
}

/// TLS handshake over an open TCP connection.
pub(crate) async fn tls_handshake(
    tcp: TcpStream,
    host: &str,
    extra_ca_pem: Option<&[u8]>,
    limit: Duration,
) -> Result<Stream> {
    let config = tls::client_config(host, extra_ca_pem)?;
    let name = tls::server_name(host)?;
    let handshake = TlsConnector::from(config).connect(name, tcp);
    let tls_err = |reason: String| Error::Tls {
        host: host.to_owned(),
        reason,
    };
    let stream = tokio::time::timeout(limit, handshake)
        .await
        .map_err(|_| tls_err("handshake timed out".into()))?
        .map_err(|e| tls_err(e.to_string()))?;
    Ok(Stream::Tls(Box::new(stream)))
}
