//! Accounts and logins: disabled, removed and re-passworded users' tokens, login limits per
//! address and per user name, the Bearer scheme in any case.

use std::path::PathBuf;
use std::sync::Arc;

use crm_core::{FixedClock, Timestamp};
use crm_gateway::Application;
use crm_gateway::config::Config;
use reqwest::Response;
use serde_json::json;

use crate::helpers::*;

/// A running server: one of [`spawn_app_with`], or one whose clock the test moves.
struct Server {
    base: String,
    client: reqwest::Client,
    data_dir: PathBuf,
    /// A token with crm:view and crm:edit naming no local user.
    token: String,
    _app: Option<TestApp>,
    _dir: Option<tempfile::TempDir>,
}

impl From<TestApp> for Server {
    fn from(app: TestApp) -> Self {
        Self {
            base: app.base.clone(),
            client: app.client.clone(),
            data_dir: app.data_dir.clone(),
            token: app.token.clone(),
            _app: Some(app),
            _dir: None,
        }
    }
}

async fn spawn(adjust: impl FnOnce(&mut Config)) -> Server {
    spawn_app_with(adjust).await.into()
}

/// Runs `crm user …` on the app's data dir with `stdin`; fails the test when it fails.
fn crm_user(app: &Server, args: &[&str], stdin: &str) -> String {
    let out = run_crm_user(&app.data_dir, args, stdin);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "crm user {args:?}: {text}");
    text
}

/// A server whose clock the test moves (it starts at the real now, so that the helpers'
/// tokens are valid).
async fn spawn_with_clock(adjust: impl FnOnce(&mut Config)) -> (Server, FixedClock) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    adjust(&mut config);
    let clock = FixedClock::new(Timestamp::from(
        time::OffsetDateTime::from_unix_timestamp(now_secs() as i64).unwrap(),
    ));
    let app = Application::build_with_clock(config, Arc::new(clock.clone()))
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let server = Server {
        base,
        client: reqwest::Client::new(),
        data_dir: dir.path().to_path_buf(),
        token: token(&["crm:view", "crm:edit"]),
        _app: None,
        _dir: Some(dir),
    };
    (server, clock)
}

async fn login(app: &Server, user: &str, password: &str) -> Response {
    app.client
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap()
}

/// Logs in and returns the token.
async fn token_of(app: &Server, user: &str, password: &str) -> String {
    let body = expect(login(app, user, password).await, 200).await;
    body["access_token"].as_str().unwrap().to_owned()
}

/// The status of a read with `token`.
async fn read_with(app: &Server, token: &str) -> u16 {
    app.client
        .get(format!("{}/api/crm/customers", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Past the time the server trusts what it read about a user (changes by another process).
fn let_the_server_notice(clock: &FixedClock) {
    clock.advance(crm_users::STANDING_TTL + time::Duration::milliseconds(1));
}

#[tokio::test]
async fn disabling_removing_and_new_passwords_end_sessions() {
    let (app, clock) = spawn_with_clock(|_| {}).await;
    crm_user(
        &app,
        &["add", "eleni", "--password-stdin"],
        "kampanes-2026\n",
    );
    let first = token_of(&app, "eleni", "kampanes-2026").await;
    let second = token_of(&app, "eleni", "kampanes-2026").await;
    assert_eq!(read_with(&app, &first).await, 200);
    assert_eq!(read_with(&app, &second).await, 200);

    // a new password ends every session issued before it
    let out = crm_user(
        &app,
        &["passwd", "eleni", "--password-stdin"],
        "kodonostasio-7\n",
    );
    assert!(!out.contains("kodonostasio-7"), "{out}");
    let_the_server_notice(&clock);
    for old in [&first, &second] {
        let resp = app
            .client
            .get(format!("{}/api/crm/customers", app.base))
            .bearer_auth(old)
            .send()
            .await
            .unwrap();
        let body = expect_error(resp, 401, "unauthorized").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("revoked"),
            "{body}"
        );
    }
    expect_error(
        login(&app, "eleni", "kampanes-2026").await,
        401,
        "unauthorized",
    )
    .await;
    let third = token_of(&app, "eleni", "kodonostasio-7").await;
    assert_eq!(read_with(&app, &third).await, 200);

    // disabled: the token stops working and the login is refused as a wrong password is
    crm_user(&app, &["disable", "eleni"], "");
    let_the_server_notice(&clock);
    assert_eq!(read_with(&app, &third).await, 401);
    let wrong = expect_error(
        login(&app, "eleni", "wrong-password").await,
        401,
        "unauthorized",
    )
    .await;
    let disabled = expect_error(
        login(&app, "eleni", "kodonostasio-7").await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(
        wrong, disabled,
        "a disabled user is told no more than a wrong password"
    );
    let listed = crm_user(&app, &["list"], "");
    assert!(listed.contains("eleni\tcrm:view\tdisabled"), "{listed}");

    // enabled again: a new login works, the token of before the disabling stays refused
    crm_user(&app, &["enable", "ELENI"], "");
    let_the_server_notice(&clock);
    let fourth = token_of(&app, "eleni", "kodonostasio-7").await;
    assert_eq!(read_with(&app, &fourth).await, 200);
    assert_eq!(read_with(&app, &third).await, 401);

    // removed: its tokens are refused even if a user of that name is added again
    crm_user(&app, &["remove", "eleni"], "");
    let_the_server_notice(&clock);
    assert_eq!(read_with(&app, &fourth).await, 401);
    expect_error(
        login(&app, "eleni", "kodonostasio-7").await,
        401,
        "unauthorized",
    )
    .await;
    crm_user(
        &app,
        &["add", "eleni", "--password-stdin"],
        "kodonostasio-7\n",
    );
    let_the_server_notice(&clock);
    assert_eq!(read_with(&app, &fourth).await, 401);
    // tokens naming no local user (the existing console's) still work by their signature
    assert_eq!(read_with(&app, &app.token).await, 200);
}

#[tokio::test]
async fn the_cli_reports_unknown_users() {
    let app = spawn(|_| {}).await;
    for args in [
        &["disable", "nobody"][..],
        &["enable", "nobody"],
        &["remove", "nobody"],
        &["passwd", "nobody", "--password-stdin"],
    ] {
        let out = run_crm_user(&app.data_dir, args, "long-enough-password\n");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no user is named `nobody`"), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn(|_| {}).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let resp = app
            .client
            .get(format!("{}/api/crm/customers", app.base))
            .header("Authorization", format!("{scheme} {}", app.token))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{scheme}");
    }
}

#[tokio::test]
async fn an_exp_at_the_integer_limit_is_one_answer_every_time() {
    use jsonwebtoken::{EncodingKey, Header};
    let app = spawn(|_| {}).await;
    let forever = jsonwebtoken::encode(
        &Header::default(),
        &json!({"sub": "console", "permissions": ["crm:view"], "exp": u64::MAX}),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    for _ in 0..4 {
        assert_eq!(read_with(&app, &forever).await, 200);
    }
    let later = jsonwebtoken::encode(
        &Header::default(),
        &json!({"sub": "console", "permissions": ["crm:view"], "exp": u64::MAX,
                "nbf": now_secs() + 3600}),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let resp = app
        .client
        .get(format!("{}/api/crm/customers", app.base))
        .bearer_auth(&later)
        .send()
        .await
        .unwrap();
    let body = expect_error(resp, 401, "unauthorized").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid yet"),
        "{body}"
    );
}

/// A login from `forwarded` (as `X-Forwarded-For`), answered `status`.
async fn attempt(app: &Server, user: &str, forwarded: &str) -> Response {
    app.client
        .post(format!("{}/api/auth/login", app.base))
        .header("X-Forwarded-For", forwarded)
        .json(&json!({ "username": user, "password": "not-the-password" }))
        .send()
        .await
        .unwrap()
}

async fn expect_too_many(resp: Response) {
    let after: u64 = resp
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&after), "{after}");
    let body = expect_error(resp, 429, "too_many_requests").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again"),
        "{body}"
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_address() {
    let app = spawn(|c| {
        c.login.limit_per_address = 3;
        c.login.limit_per_user = 0;
    })
    .await;
    for user in ["a", "b", "c"] {
        expect_error(
            login(&app, user, "not-the-password").await,
            401,
            "unauthorized",
        )
        .await;
    }
    expect_too_many(login(&app, "d", "not-the-password").await).await;
    // without a trusted proxy, X-Forwarded-For is the client's to make up, and ignored
    expect_too_many(attempt(&app, "d", "203.0.113.50").await).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_counted() {
    let app = spawn(|c| {
        c.login.limit_per_address = 1;
        c.login.limit_per_user = 0;
        c.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    expect_error(attempt(&app, "a", "203.0.113.1").await, 401, "unauthorized").await;
    expect_too_many(attempt(&app, "a", "203.0.113.1").await).await;
    // a client cannot escape by adding entries of its own on the left
    expect_too_many(attempt(&app, "a", "198.51.100.9, 203.0.113.1").await).await;
    expect_error(attempt(&app, "a", "203.0.113.2").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn login_attempts_are_limited_per_user_name() {
    let app = spawn(|c| {
        c.login.limit_per_address = 0;
        c.login.limit_per_user = 2;
        c.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    expect_error(
        attempt(&app, "eleni", "203.0.113.1").await,
        401,
        "unauthorized",
    )
    .await;
    expect_error(
        attempt(&app, "Eleni", "203.0.113.2").await,
        401,
        "unauthorized",
    )
    .await;
    expect_too_many(attempt(&app, "ELENI", "203.0.113.3").await).await;
    expect_error(
        attempt(&app, "nikos", "203.0.113.3").await,
        401,
        "unauthorized",
    )
    .await;
}
