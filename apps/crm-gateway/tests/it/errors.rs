use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn malformed_bodies_are_400() {
    let app = spawn_app().await;
    for body in [
        "{",
        "",
        "not json",
        "{\"name\": \"x\"} extra",
        "[]",
        "\"text\"",
    ] {
        let resp = app
            .req(Method::POST, "/api/crm/customers")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert_eq!(status, 400, "{body:?} → {text}");
        assert!(text.contains("\"error\""), "{text}");
    }
}

#[tokio::test]
async fn wrong_fields_are_422_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        ("/api/crm/customers", json!({ "name": 42 }), "name"),
        ("/api/crm/customers", json!({}), "name"),
        (
            "/api/crm/customers",
            json!({ "name": "x", "contacts": [{ "type": "fax", "value": "1" }] }),
            "contacts[0].type",
        ),
        (
            "/api/crm/products",
            json!({ "name": "x", "sku": "a", "category": "bell" }),
            "category",
        ),
        (
            "/api/crm/products",
            json!({ "name": "x", "sku": "a", "category": "part", "price": "12,30" }),
            "price",
        ),
        (
            "/api/crm/products",
            json!({ "name": "x", "sku": "a", "category": "part", "costs": { "pcb": "abc" } }),
            "costs.pcb",
        ),
        (
            "/api/crm/products",
            json!({ "name": "x", "sku": "a", "category": "part", "price": "-1" }),
            "price",
        ),
        (
            "/api/crm/products",
            json!({ "name": "  ", "sku": "a", "category": "part" }),
            "name",
        ),
    ];
    for (path, body, field) in cases {
        let resp = app.post(path, &body).await;
        let err = expect_error(resp, 422, "invalid_field").await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}: {err}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let big = "α".repeat(100 * 1024);
    let resp = app
        .post("/api/crm/customers", &json!({ "name": big }))
        .await;
    expect_error(resp, 413, "payload_too_large").await;
}

#[tokio::test]
async fn unknown_ids_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    for path in [
        "/api/crm/customers/00000000-0000-4000-8000-000000000000",
        "/api/crm/customers/not-a-uuid",
        "/api/crm/products/00000000-0000-4000-8000-000000000000",
        "/api/crm/orders/00000000-0000-4000-8000-000000000000",
        "/api/crm/nothing-here",
    ] {
        expect_error(app.get(path).await, 404, "not_found").await;
    }
    let resp = app
        .req(Method::PATCH, "/api/crm/customers")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(status == 405 || status == 404, "{status}");
    assert!(body["error"]["code"].is_string());
}

#[tokio::test]
async fn bad_query_parameters_are_422() {
    let app = spawn_app().await;
    let err = expect_error(
        app.get("/api/crm/customers?limit=many").await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "limit");
    let err = expect_error(
        app.get("/api/crm/orders?status=lost").await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "status");
    let err = expect_error(
        app.get("/api/crm/customers/by-contact").await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "value");
}

#[tokio::test]
async fn hostile_strings_are_stored_as_text() {
    let app = spawn_app().await;
    let nasty = "Robert'); DROP TABLE customers;-- <script>alert(1)</script> \"* NEAR( OR";
    let c = app.customer(nasty).await;
    assert_eq!(c["name"], nasty);
    let nul = app
        .post("/api/crm/customers", &json!({ "name": "a\u{0}b\u{7}" }))
        .await;
    assert!(
        [201, 422].contains(&nul.status().as_u16()),
        "{}",
        nul.status()
    );
    for q in [
        nasty, "\"", "*", "NEAR(", "a OR b", "(", "^x", "col:val", "%", "_",
    ] {
        let resp = app
            .req(Method::GET, "/api/crm/customers")
            .query(&[("search", q)])
            .send()
            .await
            .unwrap();
        expect(resp, 200).await;
    }
    expect(app.get("/api/crm/customers").await, 200).await;
}
