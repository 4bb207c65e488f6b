//! Test support (feature `testing`, off by default), shared by this crate's tests and the
//! gateway's: [`ScriptedPeer`], an HTTP/1.1 server on loopback that answers each request with
//! the next canned [`Reply`], written byte for byte as given, and records what it was sent
//! (method, path, headers, body). It stands in for a model server (no real one runs where the
//! tests do), and for any other HTTP service a test needs to be called.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest request head the peer reads.
const MAX_HEAD: usize = 64 * 1024;

/// How the peer answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `status` with a JSON `body` (`Content-Type: application/json`, `Content-Length`).
    Json(u16, Value),
    /// `status` with a body of `content_type`.
    Body {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
    /// These bytes exactly, then the connection closed.
    Raw(Vec<u8>),
    /// Nothing for this long, then the connection closed (a server that hangs).
    Stall(Duration),
}

impl Reply {
    /// A chat completion whose answer is `content`, as OpenAI's API writes one.
    pub fn completion(content: &str) -> Self {
        Self::Json(
            200,
            json!({
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": 1_764_000_000,
                "model": "scripted",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }),
        )
    }

    /// `status` with a plain-text body.
    pub fn text(status: u16, body: &str) -> Self {
        Self::Body {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A request the peer received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// The request target, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Value::Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Default)]
struct Script {
    replies: VecDeque<Reply>,
    requests: Vec<Recorded>,
}

type Shared = Arc<Mutex<Script>>;

fn lock(script: &Shared) -> MutexGuard<'_, Script> {
    script.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running peer; it serves until the runtime that started it ends.
#[derive(Debug, Clone)]
pub struct ScriptedPeer {
    addr: SocketAddr,
    script: Shared,
}

impl ScriptedPeer {
    /// Starts a peer on `127.0.0.1:0`, served from the current tokio runtime. Requests beyond
    /// the scripted replies are answered 500.
    ///
    /// # Errors
    ///
    /// When the loopback port cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let script: Shared = Arc::default();
        let shared = Arc::clone(&script);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Ok(Self { addr, script })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues the answer to a next request.
    pub fn push(&self, reply: Reply) -> &Self {
        lock(&self.script).replies.push_back(reply);
        self
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.script).requests.clone()
    }
}

async fn serve(mut stream: TcpStream, script: Shared) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let reply = {
        let mut script = lock(&script);
        script.requests.push(request);
        script.replies.pop_front()
    };
    let bytes = match reply.unwrap_or_else(|| Reply::text(500, "no reply scripted")) {
        Reply::Json(status, body) => {
            response(status, "application/json", body.to_string().as_bytes())
        }
        Reply::Body {
            status,
            content_type,
            body,
        } => response(status, &content_type, &body),
        Reply::Raw(bytes) => bytes,
        Reply::Stall(pause) => {
            tokio::time::sleep(pause).await;
            return;
        }
    };
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Scripted\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// One request: its head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_owned(), start.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf.split_off(head_end + 4);
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}
