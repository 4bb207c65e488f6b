use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// Every route under /api/crm in the OpenAPI document, with a concrete path.
async fn crm_routes(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/crm") {
            continue;
        }
        let concrete = path.replace("{id}", "00000000-0000-4000-8000-000000000000");
        for method in ops.as_object().unwrap().keys() {
            routes.push((method.to_uppercase().parse().unwrap(), concrete.clone()));
        }
    }
    assert!(routes.len() >= 15, "too few routes found: {routes:?}");
    routes
}

#[tokio::test]
async fn every_crm_route_needs_a_valid_token() {
    let app = spawn_app().await;
    let other = crm_gateway::auth::TokenKeys::new(&"some-other-secret-entirely-123".into(), 3600);
    let forged = other
        .issue(
            "mallory",
            &["crm:view".into(), "crm:edit".into()],
            now_secs(),
        )
        .unwrap();
    let expired = crm_gateway::auth::TokenKeys::new(&SECRET.into(), 60)
        .issue(
            "old",
            &["crm:view".into(), "crm:edit".into()],
            now_secs() - 3600,
        )
        .unwrap();
    for (method, path) in crm_routes(&app).await {
        let url = format!("{}{}", app.base, path);
        let none = app
            .client
            .request(method.clone(), &url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        expect_error(none, 401, "unauthorized").await;
        for bad in [&forged, &expired, &"garbage".to_string()] {
            let resp = app
                .client
                .request(method.clone(), &url)
                .bearer_auth(bad)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            expect_error(resp, 401, "unauthorized").await;
        }
        let basic = app
            .client
            .request(method.clone(), &url)
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .unwrap();
        expect_error(basic, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn view_only_tokens_read_but_never_write() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Δημητρίου").await;
    let id = c["id"].as_str().unwrap();
    for (method, path) in crm_routes(&app).await {
        if method == Method::GET {
            continue;
        }
        let resp = app
            .client
            .request(method.clone(), format!("{}{}", app.base, path))
            .bearer_auth(&app.view_token)
            .json(&json!({ "name": "x" }))
            .send()
            .await
            .unwrap();
        expect_error(resp, 403, "forbidden").await;
    }
    let read = app
        .client
        .get(format!("{}/api/crm/customers/{id}", app.base))
        .bearer_auth(&app.view_token)
        .send()
        .await
        .unwrap();
    expect(read, 200).await;
    // nothing a view-only user sent changed anything
    let after = expect(app.get(&format!("/api/crm/customers/{id}")).await, 200).await;
    assert_eq!(after["version"], 1);

    let no_perms = token(&[]);
    let resp = app
        .client
        .get(format!("{}/api/crm/customers", app.base))
        .bearer_auth(no_perms)
        .send()
        .await
        .unwrap();
    expect_error(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn a_user_added_on_the_command_line_logs_in() {
    let app = spawn_app().await;
    let out = run_crm_user(
        &app.data_dir,
        &[
            "add",
            "eleni",
            "--permissions",
            "crm:view",
            "--password-stdin",
        ],
        "kampanes-2026\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !logs.contains("kampanes-2026"),
        "password leaked into output: {logs}"
    );

    let login = |user: &'static str, pass: &'static str| {
        app.client
            .post(format!("{}/api/auth/login", app.base))
            .json(&json!({ "username": user, "password": pass }))
            .send()
    };
    let body = expect(login("eleni", "kampanes-2026").await.unwrap(), 200).await;
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    let token = body["access_token"].as_str().unwrap();
    let list = app
        .client
        .get(format!("{}/api/crm/products/", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    expect(list, 200).await;
    let write = app
        .client
        .post(format!("{}/api/crm/products", app.base))
        .bearer_auth(token)
        .json(&json!({"name": "x", "sku": "x", "category": "part"}))
        .send()
        .await
        .unwrap();
    expect_error(write, 403, "forbidden").await;

    expect_error(
        login("eleni", "wrong-password").await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    expect_error(
        login("nobody", "kampanes-2026").await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let missing = app
        .client
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "username": "eleni" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(missing, 422, "invalid_field").await;
    assert_eq!(body["error"]["details"]["field"], "password");
}

#[tokio::test]
async fn health_needs_no_token() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    let body = expect(resp, 200).await;
    assert_eq!(body["status"], "ok");
}
