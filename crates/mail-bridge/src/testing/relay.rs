//! A TCP relay on loopback in front of a real server, for tests of what a client does when
//! the server freezes, goes away or crawls: [`Relay::freeze`] stops passing bytes (the
//! connections stay open, as with a stopped process), [`Relay::down`] closes every
//! connection and refuses new ones on the same port, [`Relay::throttle`] passes at most so
//! many bytes a second towards the client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the relay does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Up,
    Frozen,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    mode: Mode,
    /// Bytes per second towards the client; 0 is unlimited.
    rate: u64,
}

/// The relay; it stops when dropped.
#[derive(Debug)]
pub struct Relay {
    port: u16,
    state: Arc<watch::Sender<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Starts relaying `127.0.0.1:<port>` to `target`.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound (a test setup failure).
    pub async fn start(target: SocketAddr) -> Self {
        #[allow(clippy::expect_used)]
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        #[allow(clippy::expect_used)]
        let port = listener.local_addr().expect("a bound address").port();
        let (tx, _) = watch::channel(State {
            mode: Mode::Up,
            rate: 0,
        });
        let state = Arc::new(tx);
        let task = tokio::spawn(serve(Some(listener), port, target, Arc::clone(&state)));
        Self { port, state, task }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops passing bytes either way; connections stay open, new ones are accepted and
    /// hang.
    pub fn freeze(&self) {
        self.state.send_modify(|s| s.mode = Mode::Frozen);
    }

    /// Closes every connection and refuses new ones (the port is closed).
    pub fn down(&self) {
        self.state.send_modify(|s| s.mode = Mode::Down);
    }

    /// Passes bytes again, accepting connections on the same port.
    pub fn up(&self) {
        self.state.send_modify(|s| s.mode = Mode::Up);
    }

    /// Passes at most `bytes_per_second` towards the client (0: unlimited).
    pub fn throttle(&self, bytes_per_second: u64) {
        self.state.send_modify(|s| s.rate = bytes_per_second);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.state.send_modify(|s| s.mode = Mode::Down);
        self.task.abort();
    }
}

async fn serve(
    mut listener: Option<TcpListener>,
    port: u16,
    target: SocketAddr,
    state: Arc<watch::Sender<State>>,
) {
    let mut changes = state.subscribe();
    loop {
        let mode = changes.borrow_and_update().mode;
        match (mode, &listener) {
            (Mode::Down, Some(_)) => listener = None,
            (Mode::Up | Mode::Frozen, None) => {
                // the same port again, as a restarted server
                for _ in 0..50 {
                    if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
                        listener = Some(l);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            _ => {}
        }
        let Some(l) = &listener else {
            if changes.changed().await.is_err() {
                return;
            }
            continue;
        };
        tokio::select! {
            accepted = l.accept() => {
                let Ok((client, _)) = accepted else { continue };
                let watch = state.subscribe();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(target).await {
                        relay(client, server, watch).await;
                    }
                });
            }
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

async fn relay(client: TcpStream, server: TcpStream, state: watch::Receiver<State>) {
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(client_read, server_write, state.clone(), false);
    let down = pump(server_read, client_write, state, true);
    // either side ending (or the relay going down) ends both
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut state: watch::Receiver<State>,
    towards_client: bool,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let now = *state.borrow_and_update();
        match now.mode {
            Mode::Down => return,
            Mode::Frozen => {
                if state.changed().await.is_err() {
                    return;
                }
                continue;
            }
            Mode::Up => {}
        }
        let limit = if towards_client && now.rate > 0 {
            usize::try_from(now.rate / 10)
                .unwrap_or(usize::MAX)
                .clamp(1, buf.len())
        } else {
            buf.len()
        };
        let n = tokio::select! {
            read = from.read(&mut buf[..limit]) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            changed = state.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
        };
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
        if towards_client && now.rate > 0 {
            // a tenth of the rate, ten times a second
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
