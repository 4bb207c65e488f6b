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
