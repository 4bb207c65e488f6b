//! Against a scripted peer on loopback (always run): what is retried and what is not, how a
//! transaction starts over, which credentials go out.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firestore::{Client, Config, Error, Fields, Precondition, Value, Write};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the peer saw it.
#[derive(Debug, Clone)]
struct Seen {
    /// `POST /v1/…:commit`
    line: String,
    authorization: String,
    body: String,
}

/// One scripted answer: status, extra header lines, body.
type Answer = (u16, &'static str, String);

/// Answers each request (one per connection) with the next scripted answer, then 500.
struct Peer {
    origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Peer {
    async fn start(script: Vec<Answer>) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (script, log) = (script.clone(), log.clone());
                tokio::spawn(async move {
                    let Some(seen) = read_request(&mut sock).await else {
                        return;
                    };
                    log.lock().unwrap().push(seen);
                    let next = script.lock().unwrap().next();
                    let (status, headers, body) = next.unwrap_or((
                        500,
                        "",
                        r#"{"error":{"message":"script exhausted","status":"INTERNAL"}}"#.into(),
                    ));
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Peer { origin, seen }
    }

    fn host(&self) -> &str {
        self.origin.trim_start_matches("http://")
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A client on this peer as if it were the emulator, with quick back-off.
    fn client(&self) -> Client {
        Client::new_emulator(quick(Config::emulator("demo-p", self.host()))).unwrap()
    }
}

fn quick(mut c: Config) -> Config {
    c.retry_backoff = Duration::from_millis(1);
    c.max_backoff = Duration::from_millis(5);
    c.connect_timeout = Duration::from_secs(1);
    c.timeout = Duration::from_secs(5);
    c
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        line: head.lines().next().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        body: String::from_utf8_lossy(&buf[head_end..]).to_string(),
    })
}

fn error(http: u16, status: &str) -> Answer {
    (
        http,
        "",
        json!({"error": {"code": http, "message": format!("scripted {status}"), "status": status}})
            .to_string(),
    )
}

fn ok(body: serde_json::Value) -> Answer {
    (200, "", body.to_string())
}

const DOC: &str = "projects/demo-p/databases/(default)/documents/c/a";

fn commit_ok() -> Answer {
    ok(
        json!({"writeResults": [{"updateTime": "2026-01-01T00:00:00.000001Z"}], "commitTime": "2026-01-01T00:00:00.000001Z"}),
    )
}

#[tokio::test]
async fn transient_statuses_are_retried_until_success() {
    let peer = Peer::start(vec![
        error(503, "UNAVAILABLE"),
        (429, "retry-after: 0\r\n", String::new()),
        error(504, "DEADLINE_EXCEEDED"),
        error(409, "ABORTED"),
        ok(json!({"name": DOC, "fields": {"n": {"integerValue": "7"}}})),
    ])
    .await;
    let doc = peer.client().get("c/a").await.unwrap().unwrap();
    assert_eq!(doc.get("n"), Some(&Value::Integer(7)));
    let seen = peer.seen();
    assert_eq!(seen.len(), 5);
    assert!(
        seen.iter().all(|s| s
            .line
            .starts_with("GET /v1/projects/demo-p/databases/(default)/documents/c/a ")),
        "{seen:?}"
    );
    assert!(
        seen.iter().all(|s| s.authorization == "Bearer owner"),
        "the emulator's admin bearer"
    );
}

#[tokio::test]
async fn attempts_are_bounded() {
    let peer = Peer::start((0..10).map(|_| error(409, "ABORTED")).collect()).await;
    let r = peer.client().commit(&[Write::delete("c/a")]).await;
    assert!(matches!(r, Err(Error::Aborted(_))), "{r:?}");
    assert_eq!(peer.seen().len(), 5, "max_attempts");
}

#[tokio::test]
async fn a_failed_precondition_is_never_retried() {
    let peer = Peer::start(vec![error(400, "FAILED_PRECONDITION"), commit_ok()]).await;
    let t = firestore::Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let r = peer
        .client()
        .patch(
            "c/a",
            &Fields::new(),
            None,
            Some(Precondition::UpdateTime(t)),
        )
        .await;
    assert!(matches!(r, Err(Error::PreconditionFailed(_))), "{r:?}");
    let seen = peer.seen();
    assert_eq!(seen.len(), 1);
    // the precondition travels in the commit's body
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        body["writes"][0]["currentDocument"],
        json!({"updateTime": "2026-01-01T00:00:00.000000Z"})
    );
    assert!(
        seen[0]
            .line
            .starts_with("POST /v1/projects/demo-p/databases/(default)/documents:commit ")
    );
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for (answer, check) in [
        (
            error(409, "ALREADY_EXISTS"),
            (|e: &Error| matches!(e, Error::AlreadyExists(_))) as fn(&Error) -> bool,
        ),
        (error(400, "INVALID_ARGUMENT"), |e| {
            matches!(e, Error::InvalidArgument(_))
        }),
        (error(403, "PERMISSION_DENIED"), |e| {
            matches!(e, Error::PermissionDenied { .. })
        }),
        (error(500, "INTERNAL"), |e| {
            matches!(e, Error::Status { http: 500, .. })
        }),
        ((200, "", "not json".into()), |e| {
            matches!(e, Error::Protocol(_))
        }),
    ] {
        let peer = Peer::start(vec![answer, commit_ok()]).await;
        let r = peer.client().create("c", "a", &Fields::new()).await;
        assert!(r.as_ref().is_err_and(check), "{r:?}");
        assert_eq!(peer.seen().len(), 1, "{r:?}");
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    // a port that was free a moment ago: connections are refused
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new_emulator(quick(Config::emulator(
        "demo-p",
        format!("127.0.0.1:{port}"),
    )))
    .unwrap();
    let r = c.get("c/a").await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert!(r.unwrap_err().is_transient());
}

#[tokio::test]
async fn a_lost_transaction_starts_over_as_a_retry_of_the_last() {
    let found = json!([{"found": {"name": DOC, "fields": {"n": {"integerValue": "1"}}}, "readTime": "2026-01-01T00:00:00Z"}]);
    let peer = Peer::start(vec![
        ok(json!({"transaction": "dHgx"})),
        ok(found.clone()),
        error(409, "ABORTED"),
        ok(json!({"transaction": "dHgy"})),
        ok(found),
        commit_ok(),
    ])
    .await;
    let (n, response) = peer
        .client()
        .run_transaction(|tx| async move {
            let doc = tx.get("c/a").await?;
            let n = doc
                .and_then(|d| d.get("n").and_then(Value::as_i64))
                .unwrap_or(0)
                + 1;
            let mut f = Fields::new();
            f.insert("n".into(), Value::Integer(n));
            Ok::<_, Error>((n, vec![Write::set("c/a", f)]))
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(response.write_results.len(), 1);
    let seen = peer.seen();
    let bodies: Vec<serde_json::Value> = seen
        .iter()
        .map(|s| serde_json::from_str(&s.body).unwrap())
        .collect();
    assert_eq!(bodies[0], json!({"options": {"readWrite": {}}}));
    assert_eq!(
        bodies[1],
        json!({"documents": [DOC], "transaction": "dHgx"}),
        "reads in the body"
    );
    assert_eq!(bodies[2]["transaction"], "dHgx");
    assert_eq!(
        bodies[3],
        json!({"options": {"readWrite": {"retryTransaction": "dHgx"}}})
    );
    assert_eq!(bodies[5]["transaction"], "dHgy");
    assert_eq!(
        bodies[5]["writes"][0]["update"]["fields"],
        json!({"n": {"integerValue": "2"}})
    );
    assert_eq!(seen.len(), 6);
}

#[tokio::test]
async fn a_failing_transaction_is_rolled_back() {
    let peer = Peer::start(vec![
        ok(json!({"transaction": "dHgx"})),
        ok(json!([{"missing": DOC, "readTime": "2026-01-01T00:00:00Z"}])),
        ok(json!({})),
    ])
    .await;
    let r: Result<((), _), Error> = peer
        .client()
        .run_transaction(|tx| async move {
            assert!(tx.get("c/a").await?.is_none());
            Err(Error::InvalidArgument("the caller's own refusal".into()))
        })
        .await;
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let seen = peer.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[2]
            .line
            .starts_with("POST /v1/projects/demo-p/databases/(default)/documents:rollback ")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&seen[2].body).unwrap(),
        json!({"transaction": "dHgx"})
    );
}

/// Hands out a fixed token, as a gcp_auth source would.
struct FakeTokens(Arc<gcp_auth::Token>);

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, gcp_auth::Error>> + Send + 'a>>;

// the shape `#[async_trait]` gives gcp_auth's trait
impl gcp_auth::TokenProvider for FakeTokens {
    fn token<'a, 'b, 'c, 'async_trait>(
        &'a self,
        scopes: &'b [&'c str],
    ) -> Boxed<'async_trait, Arc<gcp_auth::Token>>
    where
        'a: 'async_trait,
        'b: 'async_trait,
        'c: 'async_trait,
        Self: 'async_trait,
    {
        assert_eq!(scopes, ["https://www.googleapis.com/auth/datastore"]);
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }

    fn project_id<'a, 'async_trait>(&'a self) -> Boxed<'async_trait, Arc<str>>
    where
        'a: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async { Ok(Arc::from("from-credentials")) })
    }
}

#[tokio::test]
async fn google_credentials_go_out_as_bearer_tokens() {
    let peer = Peer::start(vec![ok(
        json!({"name": DOC.replace("demo-p", "from-credentials")}),
    )])
    .await;
    let token: gcp_auth::Token =
        serde_json::from_value(json!({"access_token": "ya29.secret", "expires_in": 3600})).unwrap();
    let mut config = quick(Config::default());
    config.endpoint = peer.origin.clone();
    let c = Client::with_token_provider(config, Arc::new(FakeTokens(Arc::new(token))))
        .await
        .unwrap();
    assert!(!c.is_emulator());
    assert_eq!(
        c.project_id(),
        "from-credentials",
        "an empty project_id is the credentials'"
    );
    assert!(c.get("c/a").await.unwrap().is_some());
    let seen = peer.seen();
    assert_eq!(seen[0].authorization, "Bearer ya29.secret");
    assert!(
        seen[0]
            .line
            .starts_with("GET /v1/projects/from-credentials/databases/(default)/documents/c/a ")
    );
    assert!(!format!("{c:?}").contains("ya29"));
}
