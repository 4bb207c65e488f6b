use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use crm_gateway::Application;
use crm_gateway::auth::TokenKeys;
use crm_gateway::config::Config;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

pub const SECRET: &str = "integration-test-secret-0123456789";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// A token with crm:view and crm:edit.
    pub token: String,
    /// A token with crm:view only.
    pub view_token: String,
    pub handle: ServerHandle,
    pub data_dir: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Now, in Unix seconds, from the clock the servers of [`spawn_app`] run with.
pub fn now_secs() -> u64 {
    use crm_core::Clock as _;
    u64::try_from(crm_core::SystemClock.now().into_inner().unix_timestamp()).unwrap()
}

pub fn token(permissions: &[&str]) -> String {
    let keys = TokenKeys::new(&SECRET.into(), 3600);
    let perms: Vec<String> = permissions.iter().map(|p| p.to_string()).collect();
    keys.issue("tester", &perms, now_secs()).unwrap()
}

/// The variable that runs this suite on Firestore (`CRM_TEST_STORE=firestore`, against the
/// emulator of `FIRESTORE_EMULATOR_HOST`) instead of SQLite.
pub const TEST_STORE_ENV: &str = "CRM_TEST_STORE";

/// Whether this run keeps products, customers and orders in Firestore.
pub fn on_firestore() -> bool {
    match std::env::var(TEST_STORE_ENV).as_deref() {
        Ok("firestore") => true,
        Ok("sqlite") | Ok("") | Err(_) => false,
        Ok(other) => panic!("{TEST_STORE_ENV}={other}: expected sqlite or firestore"),
    }
}

pub fn test_config(data_dir: &Path) -> Config {
    let mut config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_path_buf(),
        jwt_secret: Some(SECRET.into()),
        max_body_bytes: 64 * 1024,
        workers: 2,
        ..Config::default()
    };
    if on_firestore() {
        // collections of this data dir's own (the same again when a test restarts a server
        // on it): the tests share one emulator project
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let dir = BuildHasherDefault::<DefaultHasher>::default().hash_one(data_dir);
        config.store.kind = crm_gateway::config::StoreKind::Firestore;
        config.store.firestore = firestore::testing::config();
        config.store.collection_prefix = format!("t_gw_{}_{dir:016x}_", std::process::id());
    }
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server with a fresh data dir and the test configuration changed by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    adjust(&mut config);
    let mut app = spawn_app_configured(config).await;
    app._dir = Some(dir);
    app
}

/// Starts a server on an existing data dir (for restart tests).
pub async fn spawn_app_in(data_dir: &Path) -> TestApp {
    spawn_app_configured(test_config(data_dir)).await
}

pub async fn spawn_app_configured(config: Config) -> TestApp {
    let data_dir = config.data_dir.clone();
    let data_dir = data_dir.as_path();
    let app = Application::build_with_clock(config, Arc::new(crm_core::SystemClock))
        .await
        .unwrap();
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        token: token(&["crm:view", "crm:edit"]),
        view_token: token(&["crm:view"]),
        handle,
        data_dir: data_dir.to_path_buf(),
        _dir: None,
    }
}

impl TestApp {
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.req(Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.req(Method::PUT, path).json(body).send().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.req(Method::DELETE, path).send().await.unwrap()
    }

    /// POSTs and expects 201; returns the body.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let resp = self.post(path, &body).await;
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert_eq!(status, 201, "POST {path} {body}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn customer(&self, name: &str) -> Value {
        self.create("/api/crm/customers", json!({ "name": name }))
            .await
    }

    pub async fn product(&self, sku: &str, price: &str) -> Value {
        self.create(
            "/api/crm/products",
            json!({ "name": format!("Product {sku}"), "sku": sku, "category": "part", "price": price,
                    "stock": { "on_hand": 100 } }),
        )
        .await
    }

    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// Status and JSON body; fails with the body when the status is not `want`.
pub async fn expect(resp: Response, want: u16) -> Value {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert_eq!(status, want, "body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// Asserts the error envelope: status, code and (for 422) the field.
pub async fn expect_error(resp: Response, status: u16, code: &str) -> Value {
    let body = expect(resp, status).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

// --- Nextcloud (the real Apache WebDAV of scripts/infra/start-webdav.sh) -------------------

// The helpers of nextcloud-dav's own tests: the server's variables, fresh folders, clients.
pub use nextcloud_dav::testing as webdav;
pub use nextcloud_dav::testing::unique;

/// A gateway whose Nextcloud base folder is a fresh folder of its own on the test WebDAV
/// server, and a WebDAV client on that same folder to look behind the gateway's back.
pub struct NextcloudApp {
    pub app: TestApp,
    /// The base folder's name under the user's root.
    pub dav_base: String,
    /// A client rooted at the base folder.
    pub dav: nextcloud_dav::Client,
}

impl std::ops::Deref for NextcloudApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub async fn spawn_app_with_nextcloud() -> NextcloudApp {
    spawn_app_with_nextcloud_and(|_| {}).await
}

/// As [`spawn_app_with_nextcloud`], with the configuration changed by `adjust` afterwards.
pub async fn spawn_app_with_nextcloud_and(adjust: impl FnOnce(&mut Config)) -> NextcloudApp {
    let (dav, base) = webdav::fresh_folder("gw").await;
    let app = spawn_app_with(|c| {
        c.nextcloud = Some(
            nextcloud_dav::Config::new(
                webdav::env("WEBDAV_URL"),
                webdav::env("WEBDAV_USER"),
                webdav::env("WEBDAV_PASS"),
            )
            .with_base_path(base.clone()),
        );
        adjust(c);
    })
    .await;
    NextcloudApp {
        app,
        dav,
        dav_base: base,
    }
}

/// Runs `crm user …` on `data_dir`, writing `stdin` to it (a password), and waits for it.
pub fn run_crm_user(data_dir: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("user")
        .args(args)
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The auth matrix of a context: every path in `reads` answers 401 without a token and 200 to
/// a viewer; every `(method, path)` in `writes` answers 401 without a token and 403 to a viewer
/// (who then changed nothing: the caller checks its records).
pub async fn assert_auth_matrix(app: &TestApp, reads: &[String], writes: &[(Method, String)]) {
    for path in reads {
        let url = format!("{}{path}", app.base);
        let anon = app.client.get(&url).send().await.unwrap();
        expect_error(anon, 401, "unauthorized").await;
        let viewer = app
            .client
            .get(&url)
            .bearer_auth(&app.view_token)
            .send()
            .await
            .unwrap();
        assert_eq!(viewer.status(), 200, "GET {path} as a viewer");
    }
    for (method, path) in writes {
        let url = format!("{}{path}", app.base);
        let anon = app
            .client
            .request(method.clone(), &url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        expect_error(anon, 401, "unauthorized").await;
        let viewer = app
            .client
            .request(method.clone(), &url)
            .bearer_auth(&app.view_token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        expect_error(viewer, 403, "forbidden").await;
    }
}

// --- a scripted PBX (the AMI wire format, byte for byte) --------------------------------------

/// A PBX on loopback that accepts the login and every action, answering `Success`, and
/// reports each action it received, in order. One connection.
pub async fn scripted_pbx() -> (
    u16,
    tokio::sync::mpsc::UnboundedReceiver<ami_bridge::proto::Message>,
) {
    use ami_bridge::proto::{Decoded, Decoder, Frame, Message};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (actions, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        stream
            .write_all(b"Asterisk Call Manager/7.0.3\r\n")
            .await
            .unwrap();
        let mut decoder = Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME);
        let mut buf = [0u8; 4096];
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            decoder.feed(&buf[..n]);
            while let Ok(Decoded::Frame(Frame::Message(action))) = decoder.decode() {
                let answer = Message::new()
                    .with("Response", "Success")
                    .with("ActionID", action.action_id().unwrap_or_default())
                    .with("Message", "Accepted");
                let _ = actions.send(action);
                if stream.write_all(&answer.to_wire()).await.is_err() {
                    return;
                }
            }
        }
    });
    (port, rx)
}

/// The next action named `name` the [`scripted_pbx`] received (within 5 s), skipping others.
pub async fn next_action(
    actions: &mut tokio::sync::mpsc::UnboundedReceiver<ami_bridge::proto::Message>,
    name: &str,
) -> ami_bridge::proto::Message {
    let wait = async {
        loop {
            let action = actions.recv().await.expect("the PBX connection ended");
            if action.get("Action") == Some(name) {
                return action;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), wait)
        .await
        .unwrap_or_else(|_| panic!("no {name} action within 5 s"))
}

// --- clients writing concurrently until stopped -----------------------------------------------

/// A write answered 201: the id it created, and when the answer arrived.
#[derive(Debug, Clone)]
pub struct Acked {
    pub id: String,
    pub at: std::time::Instant,
}

/// `clients` concurrent clients each POSTing `body(client, n)` to `base` + `path` until
/// stopped, keeping what was acknowledged (201) and any other answer's status. A request
/// refused or cut (a server stopping or killed) is neither.
pub struct Writers {
    stop: Arc<std::sync::atomic::AtomicBool>,
    acks: Arc<std::sync::atomic::AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<(Vec<Acked>, Vec<u16>)>>,
}

impl Writers {
    pub fn start(
        base: &str,
        token: &str,
        path: &'static str,
        clients: usize,
        body: fn(usize, usize) -> Value,
    ) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let client = reqwest::Client::new();
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(AtomicUsize::new(0));
        let tasks = (0..clients)
            .map(|w| {
                let (client, url, token, stop, acks) = (
                    client.clone(),
                    format!("{base}{path}"),
                    token.to_owned(),
                    stop.clone(),
                    acks.clone(),
                );
                tokio::spawn(async move {
                    let (mut acked, mut other) = (Vec::new(), Vec::new());
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let sent = client
                            .post(&url)
                            .bearer_auth(&token)
                            .json(&body(w, n))
                            .send()
                            .await;
                        match sent {
                            Ok(r) if r.status() == 201 => {
                                if let Ok(v) = r.json::<Value>().await {
                                    let id = v["id"].as_str().unwrap().to_owned();
                                    acked.push(Acked {
                                        id,
                                        at: std::time::Instant::now(),
                                    });
                                    acks.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            Ok(r) => other.push(r.status().as_u16()),
                            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                        }
                    }
                    (acked, other)
                })
            })
            .collect();
        Self { stop, acks, tasks }
    }

    /// How many writes were acknowledged so far.
    pub fn acked(&self) -> usize {
        self.acks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits until `n` writes were acknowledged (at most 30 s).
    pub async fn until_acked(&self, n: usize) {
        let started = std::time::Instant::now();
        while self.acked() < n {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "only {} of {n} writes acknowledged in 30 s",
                self.acked()
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Stops the clients: what was acknowledged, and the statuses of other answers.
    pub async fn stop(self) -> (Vec<Acked>, Vec<u16>) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (mut acked, mut other) = (Vec::new(), Vec::new());
        for t in self.tasks {
            let (a, o) = t.await.unwrap();
            acked.extend(a);
            other.extend(o);
        }
        (acked, other)
    }
}

/// A WhatsApp comms entry from client `w`'s `n`th request, with its own external id.
pub fn comms_entry(w: usize, n: usize) -> Value {
    json!({ "sender": format!("69{w:02}{n:06}"), "type": "whatsapp", "direction": "inbound",
            "ext_message_id": format!("wamid.{w}.{n}"), "body": "Καλημέρα, η καμπάνα δεν χτυπά" })
}
