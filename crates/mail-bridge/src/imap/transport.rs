//! The byte stream under the IMAP session: TCP, or TLS over TCP.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
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
