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
    // a malformed id is named as such, without the UUID parser's words
    let body = expect_error(
        app.get("/api/crm/customers/not-a-uuid").await,
        404,
        "not_found",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`not-a-uuid` is not a record id"),
        "{message}"
    );
    assert!(!message.contains("found `"), "{message}");
    assert!(
        !message.to_lowercase().contains("uuid parsing"),
        "{message}"
    );
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
    let err = expect_error(nul, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "name");
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

/// One wrong request: where to, what is wrong with it, and its body (content type, bytes).
struct BadInput {
    url: String,
    what: String,
    body: Option<(&'static str, &'static str)>,
}

/// Bad input of every kind the OpenAPI document lets a client send wrongly — a malformed
/// body, a body that is no object, an empty object, query parameters that are not values of
/// their type, a path id that is not one — sent to every operation of the document: each
/// answer's status must be one the operation documents. Lists every undocumented answer.
#[tokio::test]
async fn bad_input_to_every_route_gets_a_documented_status() {
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
    let mut undocumented = Vec::new();
    let mut sent = 0;
    for (template, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let documented: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            let path = template.replace("{id}", "00000000-0000-4000-8000-000000000000");
            let method: Method = method.to_uppercase().parse().unwrap();
            let mut cases = Vec::new();
            let body_types = op["requestBody"]["content"]
                .as_object()
                .map(|c| c.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            for body_type in body_types {
                let (content_type, malformed) = if body_type.starts_with("multipart/") {
                    ("multipart/form-data; boundary=x", "--x\r\nnot a part")
                } else {
                    ("application/json", "{\"a\": ")
                };
                let mut bodies = vec![("malformed body", malformed), ("no object", "[1]")];
                if body_type == "application/json" {
                    bodies.push(("empty object", "{}"));
                }
                for (what, body) in bodies {
                    cases.push(BadInput {
                        url: path.clone(),
                        what: what.into(),
                        body: Some((content_type, body)),
                    });
                }
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in params.iter().filter(|p| p["in"] == "query") {
                let name = p["name"].as_str().unwrap();
                for value in ["%01not-a-value", "-1", "%C0%AE"] {
                    cases.push(BadInput {
                        url: format!("{path}?{name}={value}"),
                        what: format!("query {name}={value}"),
                        body: None,
                    });
                }
            }
            if template.contains("{id}") {
                cases.push(BadInput {
                    url: template.replace("{id}", "not-a-uuid"),
                    what: "path id".into(),
                    body: None,
                });
            }
            for BadInput { url, what, body } in cases {
                let mut req = app.req(method.clone(), &url);
                if let Some((content_type, body)) = body {
                    req = req.header("content-type", content_type).body(body);
                }
                let resp = req.send().await.unwrap();
                sent += 1;
                let status = resp.status().as_u16().to_string();
                if !documented.contains(&&status) {
                    let text = resp.text().await.unwrap_or_default();
                    undocumented.push(format!(
                        "{method} {template} ({what}): {status} not in {documented:?}: {text}"
                    ));
                }
            }
        }
    }
    assert!(
        sent > 100,
        "only {sent} requests: is the document complete?"
    );
    assert!(
        undocumented.is_empty(),
        "{} undocumented answer(s):\n  {}",
        undocumented.len(),
        undocumented.join("\n  ")
    );
}
