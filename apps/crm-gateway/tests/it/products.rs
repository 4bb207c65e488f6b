use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn create_computes_costs_and_stock_and_keeps_money_exact() {
    let app = spawn_app().await;
    let p = app
        .create(
            "/api/crm/products",
            json!({
                "name": "VESPER controller", "sku": "VSP-1", "category": "controller",
                "price": "0.45",
                "costs": { "pcb": "12.30", "components": 7.15, "enclosure": 3,
                           "labor_hours": 2.5, "labor_rate": 20, "shipping_in": "1.05",
                           "total": 99999 },
                "stock": { "on_hand": 10, "reserved": 3, "available": 1000 },
                "nextcloud_folder": "02_Products/VESPER"
            }),
        )
        .await;
    assert_eq!(p["costs"]["total"], json!(73.5));
    assert_eq!(p["stock"]["available"], 7);
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["active"], true);
    assert_eq!(p["version"], 1);
    // the raw JSON spells the amount exactly
    let id = p["id"].as_str().unwrap();
    let raw = app
        .get(&format!("/api/crm/products/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(raw.contains("\"price\":0.45"), "{raw}");
}

#[tokio::test]
async fn duplicate_sku_is_409() {
    let app = spawn_app().await;
    app.product("BELL-1", "10").await;
    let resp = app
        .post(
            "/api/crm/products",
            &json!({ "name": "Other", "sku": "BELL-1", "category": "part" }),
        )
        .await;
    expect_error(resp, 409, "conflict").await;
}

#[tokio::test]
async fn partial_update_and_etags() {
    let app = spawn_app().await;
    let p = app.product("STR-9", "100").await;
    let id = p["id"].as_str().unwrap();
    let url = format!("/api/crm/products/{id}");

    let resp = app.get(&url).await;
    assert_eq!(resp.headers()["etag"], "\"1\"");

    let resp = app
        .req(Method::PUT, &url)
        .header("If-Match", "\"1\"")
        .json(&json!({ "price": "120.10", "stock": { "on_hand": 5 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let updated = expect(resp, 200).await;
    assert_eq!(updated["price"], json!(120.1));
    assert_eq!(updated["name"], "Product STR-9");
    assert_eq!(updated["sku"], "STR-9");
    assert_eq!(updated["stock"]["available"], 5);

    // a stale If-Match changes nothing
    let resp = app
        .req(Method::PUT, &url)
        .header("If-Match", "\"1\"")
        .json(&json!({ "name": "Lost update" }))
        .send()
        .await
        .unwrap();
    let err = expect_error(resp, 412, "stale_version").await;
    assert_eq!(err["error"]["details"]["current_version"], 2);
    let now = expect(app.get(&url).await, 200).await;
    assert_eq!(now["name"], "Product STR-9");
    assert_eq!(now["version"], 2);

    let resp = app
        .req(Method::DELETE, &url)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    expect_error(resp, 412, "stale_version").await;
    let resp = app
        .req(Method::DELETE, &url)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    expect(resp, 204).await;
    expect_error(app.get(&url).await, 404, "not_found").await;
}

#[tokio::test]
async fn concurrent_if_match_writers_one_wins() {
    let app = spawn_app().await;
    let p = app.product("RACE-1", "1").await;
    let url = format!("/api/crm/products/{}", p["id"].as_str().unwrap());
    let mut tasks = Vec::new();
    for i in 0..10 {
        let req = app
            .req(Method::PUT, &url)
            .header("If-Match", "\"1\"")
            .json(&json!({ "name": format!("writer {i}") }));
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        9,
        "{statuses:?}"
    );
    let now = expect(app.get(&url).await, 200).await;
    assert_eq!(now["version"], 2);
}

#[tokio::test]
async fn list_shapes_filters_and_trailing_slash() {
    let app = spawn_app().await;
    app.product("P-1", "1").await;
    app.product("P-2", "2").await;
    app.create(
        "/api/crm/products",
        json!({ "name": "Tower clock", "sku": "CLK-1", "category": "clock", "active": false }),
    )
    .await;
    for path in ["/api/crm/products", "/api/crm/products/"] {
        let body = expect(app.get(path).await, 200).await;
        assert_eq!(body["total"], 3);
        assert_eq!(body["products"].as_array().unwrap().len(), 3);
    }
    let body = expect(app.get("/api/crm/products?category=clock").await, 200).await;
    assert_eq!(body["total"], 1);
    let body = expect(app.get("/api/crm/products?active=true&limit=1").await, 200).await;
    assert_eq!(body["total"], 2);
    assert_eq!(body["products"].as_array().unwrap().len(), 1);
}

/// Money arithmetic never saturates: a cost total beyond what an exact decimal holds is a 422
/// naming the part that overflowed, on create and on change, and nothing is stored.
#[tokio::test]
async fn a_cost_total_that_overflows_is_422_not_a_wrong_number() {
    let app = spawn_app().await;
    let max = "79228162514264337593543950335";
    let cases = [
        (json!({ "pcb": max, "components": max }), "costs.components"),
        (json!({ "pcb": max, "shipping_in": 1 }), "costs.shipping_in"),
        (
            json!({ "labor_hours": "1e20", "labor_rate": "1e20" }),
            "costs.labor_rate",
        ),
    ];
    for (costs, field) in cases {
        let resp = app
            .post(
                "/api/crm/products",
                &json!({ "name": "Huge", "sku": "HUGE-1", "category": "part", "costs": costs }),
            )
            .await;
        let err = expect_error(resp, 422, "invalid_field").await;
        assert_eq!(err["error"]["details"]["field"], field, "{costs}: {err}");
    }
    let list = expect(app.get("/api/crm/products").await, 200).await;
    assert_eq!(list["total"], 0);

    // the largest total that fits is stored and returned exactly
    let p = app
        .create(
            "/api/crm/products",
            json!({ "name": "Max", "sku": "MAX-1", "category": "part", "costs": { "pcb": max } }),
        )
        .await;
    let url = format!("/api/crm/products/{}", p["id"].as_str().unwrap());
    let raw = app.get(&url).await.text().await.unwrap();
    assert!(raw.contains(&format!("\"total\":{max}")), "{raw}");
    let resp = app
        .put(&url, &json!({ "costs": { "enclosure": "0.01" } }))
        .await;
    let err = expect_error(resp, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "costs.enclosure");
    assert_eq!(expect(app.get(&url).await, 200).await["version"], 1);
}

/// The limits the server enforces on a product are in the OpenAPI document.
#[tokio::test]
async fn the_document_states_the_product_limits() {
    let app = spawn_app().await;
    let doc = expect(
        app.client
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let new = &doc["components"]["schemas"]["NewProduct"]["properties"];
    assert_eq!(new["name"]["maxLength"], crm_products::model::NAME_MAX);
    assert_eq!(new["sku"]["maxLength"], crm_products::model::SKU_MAX);
    assert_eq!(new["price"]["oneOf"][0]["minimum"], 0);
    let costs = &doc["components"]["schemas"]["CostsPatch"]["properties"];
    assert_eq!(costs["pcb"]["oneOf"][0]["minimum"], 0);
    let stock = &doc["components"]["schemas"]["StockPatch"]["properties"];
    assert_eq!(stock["reserved"]["minimum"], 0);
}
