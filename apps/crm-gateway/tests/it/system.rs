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
