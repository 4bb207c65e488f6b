use crate::helpers::*;

#[tokio::test]
async fn openapi_describes_every_route() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/auth/login",
        "/api/crm/products",
        "/api/crm/products/{id}",
        "/api/crm/customers",
        "/api/crm/customers/{id}",
        "/api/crm/customers/by-contact",
        "/api/crm/customers/{id}/notes",
        "/api/crm/orders",
        "/api/crm/orders/{id}",
        "/healthz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    // the document says which bodies refuse unknown fields (the e-mail ones), and only those
    let schemas = &doc["components"]["schemas"];
    for strict in ["SendRequest", "SyncRequest"] {
        assert_eq!(schemas[strict]["additionalProperties"], false, "{strict}");
    }
    for lenient in ["NewCustomer", "CustomerPatch", "NewOrder", "NewProduct"] {
        assert_ne!(schemas[lenient]["additionalProperties"], false, "{lenient}");
    }
    // two request bodies of one name would be documented as one (a WhatsApp send as an e-mail)
    let body_of = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        body_of("/api/crm/whatsapp/send"),
        "#/components/schemas/WhatsAppSendRequest"
    );
    assert_eq!(
        body_of("/api/crm/email/send"),
        "#/components/schemas/SendRequest"
    );
    for schema in ["Product", "Customer", "Order", "ErrorBody"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("openapi.json"));
}

#[tokio::test]
async fn metrics_count_requests_and_responses_carry_a_request_id() {
    let app = spawn_app().await;
    let resp = app.get("/api/crm/customers").await;
    assert!(resp.headers().contains_key("x-request-id"));
    let resp = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/crm/customers\""), "{text}");
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_configured() {
    const TOKEN: &str = "metrics-token-0123456789";
    let app = spawn_app_with(|c| c.metrics_token = Some(TOKEN.into())).await;
    let metrics = |auth: Option<&str>| {
        let mut req = app.client.get(format!("{}/metrics", app.base));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        req.send()
    };
    for auth in [
        None,
        Some("Bearer wrong-token-0123456789x".to_owned()),
        Some(format!("Basic {TOKEN}")),
        Some(format!("Bearer {TOKEN}x")),
        // a user's token is no metrics token
        Some(format!("Bearer {}", app.token)),
    ] {
        let resp = metrics(auth.as_deref()).await.unwrap();
        expect_error(resp, 401, "unauthorized").await;
    }
    for auth in [format!("Bearer {TOKEN}"), format!("bearer {TOKEN}")] {
        let resp = metrics(Some(&auth)).await.unwrap();
        assert_eq!(resp.status(), 200, "{auth}");
        assert!(resp.text().await.unwrap().contains("http_requests_total"));
    }
    // health stays open
    expect(healthz(&app).await, 200).await;
}

#[tokio::test]
async fn responses_carry_the_security_headers_of_what_they_are() {
    let app = spawn_app().await;
    let get = |path: &str| app.req(reqwest::Method::GET, path).send();
    let common = |resp: &reqwest::Response| {
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", resp.url());
        assert_eq!(h["referrer-policy"], "no-referrer", "{}", resp.url());
        assert_eq!(h["x-frame-options"], "DENY", "{}", resp.url());
        h["content-security-policy"].to_str().unwrap().to_owned()
    };
    // the API: JSON, errors, health, metrics, the OpenAPI document
    for path in [
        "/api/crm/customers",
        "/api/crm/customers/00000000-0000-4000-8000-000000000000",
        "/api/crm/nothing",
        "/healthz",
        "/metrics",
        "/api/openapi.json",
    ] {
        let resp = get(path).await.unwrap();
        assert_eq!(
            common(&resp),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
    }
    // the console's page: its own scripts and styles only
    for path in ["/", "/customers/abc"] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), 200);
        let csp = common(&resp);
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("style-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    }
    // the API viewer loads its script from this server (it works offline), nothing else
    let resp = get("/api/docs").await.unwrap();
    let csp = common(&resp);
    let page = resp.text().await.unwrap();
    assert!(!page.contains("https://"), "{page}");
    assert!(page.contains(r#"src="/api/docs/rapidoc-min.js""#), "{page}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let script = get("/api/docs/rapidoc-min.js").await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = script.text().await.unwrap();
    // the RapiDoc build that defines the viewer's element
    assert!(
        js.len() > 500_000 && js.contains("rapi-doc"),
        "{}",
        js.len()
    );
}

#[tokio::test]
async fn the_data_dir_is_private_and_so_are_the_database_files() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let app = spawn_app_with(|c| c.data_dir = c.data_dir.join("var/crm")).await;
    // a write, so the WAL and the shared memory surely exist
    app.customer("Private").await;
    assert_eq!(mode(&app.data_dir), 0o700);
    for file in ["crm.db", "crm.db-wal", "crm.db-shm", "jwt-secret"] {
        let path = app.data_dir.join(file);
        if file == "jwt-secret" && !path.exists() {
            continue; // the test configuration gives the secret
        }
        assert_eq!(mode(&path), 0o600, "{file}");
    }
}

#[tokio::test]
async fn health_names_the_record_store_and_fails_when_it_does_not_answer() {
    let app = spawn_app().await;
    let body = expect(healthz(&app).await, 200).await;
    let store = if on_firestore() {
        "firestore"
    } else {
        "sqlite"
    };
    assert_eq!(body["store"], store, "{body}");
    app.handle.stop(true).await;

    // Firestore configured where nothing listens: the server starts, health says 503
    let down = spawn_app_with(|c| {
        c.store.kind = crm_gateway::config::StoreKind::Firestore;
        let mut fs = firestore::Config::emulator("demo-nobody", "127.0.0.1:9");
        fs.max_attempts = 1;
        fs.connect_timeout = std::time::Duration::from_millis(500);
        c.store.firestore = fs;
    })
    .await;
    expect_error(healthz(&down).await, 503, "store_unavailable").await;
    // and so does a record read, naming the store, not a 500
    expect_error(
        down.get("/api/crm/customers").await,
        503,
        "store_unavailable",
    )
    .await;
}

#[tokio::test]
async fn responses_are_compressed_for_clients_that_accept_it() {
    let app = spawn_app().await;
    for i in 0..40 {
        app.customer(&format!("Ιερός Ναός Αγίου Νικολάου {i}"))
            .await;
    }
    let plain = app.get("/api/crm/customers?limit=100").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    for encoding in ["gzip", "br"] {
        let resp = app
            .req(reqwest::Method::GET, "/api/crm/customers?limit=100")
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-encoding"], encoding);
        assert!(
            resp.headers()["vary"]
                .to_str()
                .unwrap()
                .contains("accept-encoding")
        );
        let packed = resp.bytes().await.unwrap();
        assert!(
            packed.len() * 4 < plain.len(),
            "{encoding}: {} bytes for {} plain",
            packed.len(),
            plain.len()
        );
    }
}

#[tokio::test]
async fn health_reports_every_dependency_and_degrades_when_one_is_down() {
    let app = spawn_app().await;
    let body = expect(healthz(&app).await, 200).await;
    assert_eq!(body["status"], "ok", "{body}");
    let checks = &body["checks"];
    for (name, status) in [
        ("database", "ok"),
        ("store", "ok"),
        ("disk", "ok"),
        ("nextcloud", "off"),
        ("pbx", "off"),
        ("whatsapp", "off"),
        ("mail", "off"),
    ] {
        assert_eq!(checks[name]["status"], status, "{name}: {body}");
    }
    assert!(
        checks["disk"]["figures"]["free_bytes"].as_u64().unwrap() > 0,
        "{body}"
    );
    app.handle.stop(true).await;

    // Nextcloud and the PBX configured where nothing listens: still serving, degraded
    let down = spawn_app_with(|c| {
        c.nextcloud = Some(nextcloud_dav::Config::new(
            "http://127.0.0.1:9",
            "crm",
            "app-password",
        ));
        c.ami = Some(
            ami_bridge::Config::new("127.0.0.1", 9, "crm", "ami-secret-for-tests")
                .with_trunks(["PJSIP/trunk-"]),
        );
    })
    .await;
    let body = expect(healthz(&down).await, 200).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["nextcloud"]["status"], "down", "{body}");
    assert!(body["checks"]["nextcloud"]["error"].is_string(), "{body}");
    assert_eq!(body["checks"]["pbx"]["status"], "down", "{body}");
    assert_eq!(body["checks"]["database"]["status"], "ok", "{body}");
    // the metrics say the same
    let metrics = down
        .client
        .get(format!("{}/metrics", down.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("crm_check_ok{check=\"nextcloud\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("crm_check_ok{check=\"database\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("crm_check_figure{check=\"disk\",figure=\"free_bytes\"}"),
        "{metrics}"
    );
}

/// `GET /healthz`, which needs no token.
async fn healthz(app: &TestApp) -> reqwest::Response {
    let url = format!("{}/healthz", app.base);
    app.client.get(url).send().await.unwrap()
}
