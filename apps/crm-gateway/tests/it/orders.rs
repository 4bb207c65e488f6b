use std::collections::HashSet;

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn totals_are_computed_exactly_by_the_server() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίας Τριάδος").await;
    let p = app.product("VSP-2", "12.30").await;
    let o = app
        .create(
            "/api/crm/orders",
            json!({
                "customer_id": c["id"],
                "items": [
                    { "product_id": p["id"], "quantity": 2, "unit_price": "12.30", "serial_numbers": ["S1", "S2"] },
                    { "description": "Εγκατάσταση", "quantity": 1, "unit_price": 0.45 }
                ],
                "discount": { "type": "percentage", "value": 10, "reason": "ενορία" },
                "subtotal": 1, "total_price": 1
            }),
        )
        .await;
    // net prices at 24 %: 10 % of 25.05 = 2.51, shared 2.46 / 0.05; VAT per line 5.31 + 0.10
    assert_eq!(o["prices_include_vat"], false);
    assert_eq!(o["subtotal"], json!(25.05));
    assert_eq!(o["discount_amount"], json!(2.51));
    assert_eq!(o["net_total"], json!(22.54));
    assert_eq!(o["vat_total"], json!(5.41));
    assert_eq!(o["total_price"], json!(27.95));
    assert_eq!(
        o["vat_breakdown"],
        json!([{ "rate": 24, "net": 22.54, "vat": 5.41 }])
    );
    assert_eq!(o["items"][0]["vat_rate"], 24);
    assert_eq!(o["status"], "draft");
    assert_eq!(o["payment_status"], "pending");
    assert_eq!(o["items"][0]["product_name"], "Product VSP-2");
    let year = o["created_at"].as_str().unwrap()[..4].to_owned();
    assert_eq!(o["order_number"], format!("ORD-{year}-001"));

    let id = o["id"].as_str().unwrap();
    let body = expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "discount": { "type": "fixed", "value": "5.05" } }),
        )
        .await,
        200,
    )
    .await;
    // 20.00 net after the fixed discount, + 4.71 + 0.09 VAT
    assert_eq!(body["total_price"], json!(24.8));
    // the same prices as VAT-inclusive: what was typed is what is paid
    let body = expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "prices_include_vat": true }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["total_price"], json!(20));
    assert_eq!(body["vat_total"], json!(3.87));
    let body = expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "status": "confirmed" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["status"], "confirmed");
    assert!(
        body["status_history"].as_array().unwrap().len() >= 2,
        "{body}"
    );
    // confirming set the two bells aside
    assert_eq!(body["stock_state"], "reserved");
    let product = expect(
        app.get(&format!("/api/crm/products/{}", p["id"].as_str().unwrap()))
            .await,
        200,
    )
    .await;
    assert_eq!(
        product["stock"],
        json!({"on_hand": 100, "reserved": 2, "available": 98})
    );
}

/// The text `pdftotext -layout` reads from `pdf`.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext is missing: apt-get install poppler-utils (./scripts/test.sh does)");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn an_order_prints_as_a_greek_quotation_then_a_confirmation() {
    let app = spawn_app_with(|c| {
        c.company.name = "BellSystems Αυτοματισμοί Καμπαναριών".into();
        c.company.address = Some("Εγνατίας 100\n546 30 Θεσσαλονίκη".into());
        c.company.vat_number = Some("099999999".into());
        c.company.tax_office = Some("Δ' Θεσσαλονίκης".into());
    })
    .await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ιερός Ναός Αγίου Νικολάου", "location": { "city": "Καλαμαριά" },
                    "contacts": [{ "type": "phone", "value": "2310 123456" }] }),
        )
        .await;
    let o = app
        .create(
            "/api/crm/orders",
            json!({
                "customer_id": c["id"],
                "items": [
                    { "product_name": "Ηλεκτρομαγνητικός κρουστήρας", "quantity": 2, "unit_price": "1200.50" },
                    { "description": "Εγκατάσταση", "quantity": 1, "unit_price": 300, "vat_rate": 0,
                      "vat_exemption": "Άρθρο 22 ΚΦΠΑ" }
                ],
                "discount": { "type": "percentage", "value": 10 },
                "notes": "Παράδοση εντός 20 ημερών"
            }),
        )
        .await;
    let id = o["id"].as_str().unwrap();
    let number = o["order_number"].as_str().unwrap().to_owned();

    let resp = app.get(&format!("/api/crm/orders/{id}/document")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("attachment; filename=\"Prosfora-{number}.pdf\"")),
        "{disposition}"
    );
    let text = pdf_text(&resp.bytes().await.unwrap());
    for expected in [
        "Προσφορά",
        number.as_str(),
        "BellSystems Αυτοματισμοί",
        "Καμπαναριών",
        "ΑΦΜ 099999999",
        "Ιερός Ναός Αγίου Νικολάου",
        "Καλαμαριά",
        "Ηλεκτρομαγνητικός κρουστήρας",
        "Άρθρο 22 ΚΦΠΑ",
        "Έκπτωση 10%",
        "ΦΠΑ 24%",
        "Παράδοση εντός 20 ημερών",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // the server's total, in Greek form: 2,160.90 + 270 net, VAT 24 % on 2,160.90 only
    assert_eq!(o["total_price"], json!(2949.52));
    assert!(text.contains("2.949,52 €"), "the total not in:\n{text}");

    // confirmed, it prints as a confirmation by default; a quotation can still be asked for
    expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "status": "confirmed" }),
        )
        .await,
        200,
    )
    .await;
    let resp = app.get(&format!("/api/crm/orders/{id}/document")).await;
    assert_eq!(resp.status(), 200);
    assert!(pdf_text(&resp.bytes().await.unwrap()).contains("Επιβεβαίωση παραγγελίας"));
    let resp = app
        .get(&format!("/api/crm/orders/{id}/document?kind=quotation"))
        .await;
    assert!(pdf_text(&resp.bytes().await.unwrap()).contains("Προσφορά"));

    // refusals
    let err = expect_error(
        app.get(&format!("/api/crm/orders/{id}/document?kind=invoice"))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "kind", "{err}");
    expect_error(
        app.get("/api/crm/orders/00000000-0000-4000-8000-000000000000/document")
            .await,
        404,
        "not_found",
    )
    .await;
    let anonymous = reqwest::get(format!("{}/api/crm/orders/{id}/document", app.base))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn vat_rates_come_from_the_product_and_bad_ones_are_refused_by_field() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Νικολάου").await;
    let book = app
        .create(
            "/api/crm/products",
            json!({ "name": "Τυπικό", "sku": "BOOK-1", "category": "part", "price": 10,
                    "vat_rate": 6 }),
        )
        .await;
    assert_eq!(book["vat_rate"], 6);
    let o = app
        .create(
            "/api/crm/orders",
            json!({
                "customer_id": c["id"],
                "items": [
                    { "product_id": book["id"], "quantity": 3, "unit_price": 10 },
                    { "description": "Δωρεά μοναστηριού", "quantity": 1, "unit_price": 50,
                      "vat_rate": 0, "vat_exemption": "Άρθρο 22 ΚΦΠΑ" }
                ]
            }),
        )
        .await;
    assert_eq!(o["items"][0]["vat_rate"], 6);
    assert_eq!(o["items"][1]["vat_exemption"], "Άρθρο 22 ΚΦΠΑ");
    assert_eq!(
        o["vat_breakdown"],
        json!([{ "rate": 6, "net": 30, "vat": 1.8 }, { "rate": 0, "net": 50, "vat": 0 }])
    );
    assert_eq!(o["total_price"], json!(81.8));

    let bad = [
        (
            json!({ "description": "x", "quantity": 1, "unit_price": 1, "vat_rate": 23 }),
            "items[0].vat_rate",
        ),
        (
            json!({ "description": "x", "quantity": 1, "unit_price": 1, "vat_rate": 0 }),
            "items[0].vat_exemption",
        ),
        (
            json!({ "description": "x", "quantity": 1, "unit_price": 1, "vat_exemption": "Άρθρο 22" }),
            "items[0].vat_exemption",
        ),
    ];
    for (item, field) in bad {
        let resp = app
            .post(
                "/api/crm/orders",
                &json!({ "customer_id": c["id"], "items": [item] }),
            )
            .await;
        let body = expect(resp, 422).await;
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn fifty_concurrent_creates_get_fifty_distinct_numbers() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία").await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = app
            .req(reqwest::Method::POST, "/api/crm/orders")
            .json(&json!({ "customer_id": c["id"], "items": [] }));
        tasks.push(tokio::spawn(async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 201);
            resp.json::<serde_json::Value>().await.unwrap()["order_number"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut numbers = HashSet::new();
    for t in tasks {
        numbers.insert(t.await.unwrap());
    }
    assert_eq!(numbers.len(), 50);
    let mut seqs: Vec<u32> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    let list = expect(
        app.get(&format!(
            "/api/crm/orders?customer_id={}",
            c["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(list["total"], 50);
}

#[tokio::test]
async fn references_are_enforced() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/crm/orders",
            &json!({ "customer_id": "00000000-0000-4000-8000-000000000000", "items": [] }),
        )
        .await;
    let err = expect_error(resp, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "customer_id");

    let c = app.customer("Ενορία Αγίου Σπυρίδωνος").await;
    let p = app.product("CLK-7", "900").await;
    let resp = app
        .post(
            "/api/crm/orders",
            &json!({ "customer_id": c["id"], "items": [{ "product_id": "00000000-0000-4000-8000-000000000000", "quantity": 1, "unit_price": 1 }] }),
        )
        .await;
    let err = expect_error(resp, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "items[0].product_id");

    app.create(
        "/api/crm/orders",
        json!({ "customer_id": c["id"], "items": [{ "product_id": p["id"], "quantity": 1, "unit_price": 900 }] }),
    )
    .await;
    let resp = app
        .delete(&format!("/api/crm/customers/{}", c["id"].as_str().unwrap()))
        .await;
    let err = expect_error(resp, 409, "in_use").await;
    assert_eq!(err["error"]["details"]["orders"], 1);
    let resp = app
        .delete(&format!("/api/crm/products/{}", p["id"].as_str().unwrap()))
        .await;
    expect_error(resp, 409, "in_use").await;
    // both still there
    expect(
        app.get(&format!("/api/crm/customers/{}", c["id"].as_str().unwrap()))
            .await,
        200,
    )
    .await;
    expect(
        app.get(&format!("/api/crm/products/{}", p["id"].as_str().unwrap()))
            .await,
        200,
    )
    .await;
}

/// An order's one-line texts refuse control and bidi characters, its free texts keep line
/// breaks; the quantity and amount bounds it enforces are in the OpenAPI document.
#[tokio::test]
async fn order_texts_and_bounds() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίας Τριάδος").await;
    let order = |item: serde_json::Value, extra: serde_json::Value| {
        let mut body = json!({ "customer_id": c["id"], "items": [item] });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let item = json!({ "product_name": "Καμπάνα", "quantity": 1, "unit_price": 1 });
    let cases = [
        (
            order(
                json!({ "product_name": "Καμπάνα\u{202E}", "quantity": 1, "unit_price": 1 }),
                json!({}),
            ),
            "items[0].product_name",
        ),
        (
            order(
                json!({ "product_name": "a\nb", "quantity": 1, "unit_price": 1 }),
                json!({}),
            ),
            "items[0].product_name",
        ),
        (
            order(
                item.clone(),
                json!({ "shipping": { "carrier": "ACS\u{2066}" } }),
            ),
            "shipping.carrier",
        ),
        (
            order(item.clone(), json!({ "notes": "a\u{202D}b" })),
            "notes",
        ),
        (
            order(
                json!({ "product_name": "x", "quantity": "1000000.001", "unit_price": 1 }),
                json!({}),
            ),
            "items[0].quantity",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            app.post("/api/crm/orders", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}: {err}");
    }
    let ok = order(item, json!({ "notes": "γραμμή 1\n\tγραμμή 2" }));
    expect(app.post("/api/crm/orders", &ok).await, 201).await;

    let doc = expect(
        app.client
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let schemas = &doc["components"]["schemas"];
    let quantity = &schemas["NewItem"]["properties"]["quantity"]["oneOf"][0];
    assert_eq!(quantity["exclusiveMinimum"], 0);
    assert_eq!(quantity["maximum"], crm_orders::model::QUANTITY_MAX);
    assert_eq!(
        schemas["NewOrder"]["properties"]["items"]["maxItems"],
        crm_orders::model::ITEMS_MAX
    );
    assert_eq!(
        schemas["NewNote"]["properties"]["text"]["maxLength"],
        crm_customers::model::MAX_TEXT_CHARS
    );
    assert_eq!(
        schemas["NewMedia"]["properties"]["nextcloud_path"]["maxLength"],
        crm_comms::model::PATH_MAX
    );
}

/// `GET /api/crm/orders?search=…` (with more query parameters): the order numbers, newest
/// first, and the total.
async fn search_orders(app: &TestApp, params: &[(&str, &str)]) -> (Vec<String>, u64) {
    let resp = app
        .req(reqwest::Method::GET, "/api/crm/orders")
        .query(params)
        .send()
        .await
        .unwrap();
    let body = expect(resp, 200).await;
    let numbers = body["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_number"].as_str().unwrap().to_owned())
        .collect();
    (numbers, body["total"].as_u64().unwrap())
}

#[tokio::test]
async fn orders_are_found_by_number_and_by_the_customers_name_as_customers_are() {
    let app = spawn_app().await;
    let church = app.customer("Ιερός Ναός Αγίου Νικολάου").await;
    let monastery = app.customer("Μονή Βατοπαιδίου").await;
    let mut numbers = Vec::new();
    for c in [&church, &monastery, &church] {
        let o = app
            .create(
                "/api/crm/orders",
                json!({ "customer_id": c["id"], "items": [{ "description": "Επισκευή", "quantity": 1, "unit_price": 80 }] }),
            )
            .await;
        numbers.push(o["order_number"].as_str().unwrap().to_owned());
    }
    let year = &numbers[0][4..8];
    assert_eq!(numbers[0], format!("ORD-{year}-001"));
    let of_church = vec![numbers[2].clone(), numbers[0].clone()];

    // the customer search's rules: Greeklish, the genitive typed in the nominative, accents
    for text in ["agios nikolaos", "Άγιος Νικόλαος", "αγιου νικολαου"] {
        let found = search_orders(&app, &[("search", text)]).await;
        assert_eq!(found, (of_church.clone(), 2), "{text}");
    }
    assert_eq!(
        search_orders(&app, &[("search", "vatopaidi")]).await,
        (vec![numbers[1].clone()], 1)
    );
    // numbers, whole or in part
    let second = vec![numbers[1].clone()];
    for text in [
        format!("ORD-{year}-002"),
        format!("ord-{year}-002"),
        format!("{year}-2"),
        "002".to_owned(),
        "2".to_owned(),
    ] {
        let found = search_orders(&app, &[("search", &text)]).await;
        assert_eq!(found, (second.clone(), 1), "{text}");
    }
    assert_eq!(
        search_orders(&app, &[("search", &format!("{year}-1"))]).await,
        (vec![numbers[0].clone()], 1)
    );
    assert_eq!(search_orders(&app, &[("search", "9")]).await, (vec![], 0));
    // with paging and the other filters; blank is no search
    let page = [
        ("search", "agios nikolaos"),
        ("limit", "1"),
        ("offset", "1"),
    ];
    assert_eq!(
        search_orders(&app, &page).await,
        (vec![numbers[0].clone()], 2)
    );
    let confirmed = [("search", "agios nikolaos"), ("status", "confirmed")];
    assert_eq!(search_orders(&app, &confirmed).await, (vec![], 0));
    assert_eq!(search_orders(&app, &[("search", " ")]).await.1, 3);
    let long = "α".repeat(201);
    let resp = app
        .req(reqwest::Method::GET, "/api/crm/orders")
        .query(&[("search", long.as_str())])
        .send()
        .await
        .unwrap();
    let body = expect_error(resp, 422, "invalid_field").await;
    assert_eq!(body["error"]["details"]["field"], "search");

    // the API documents `search`, and nothing of what the server fills in behind it
    let doc = expect(
        app.client
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let params: Vec<&str> = doc["paths"]["/api/crm/orders"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"search"), "{params:?}");
    assert!(!params.contains(&"scope"), "{params:?}");
}

#[tokio::test]
async fn a_delivered_serial_becomes_the_customers_device_with_its_warranty_and_history() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίου Δημητρίου").await;
    let controller = app
        .create(
            "/api/crm/products",
            json!({ "name": "VESPER controller", "sku": "VESPER-3", "category": "controller",
                    "price": 1200, "warranty_months": 36, "stock": { "on_hand": 5 } }),
        )
        .await;
    assert_eq!(controller["warranty_months"], 36);
    let o = app
        .create(
            "/api/crm/orders",
            json!({ "customer_id": c["id"], "items": [
                { "product_id": controller["id"], "quantity": 2, "unit_price": 1200,
                  "serial_numbers": ["VSP-0001", "VSP-0002"] }] }),
        )
        .await;
    let id = o["id"].as_str().unwrap();
    for status in ["confirmed", "shipped"] {
        expect(
            app.put(
                &format!("/api/crm/orders/{id}"),
                &json!({ "status": status }),
            )
            .await,
            200,
        )
        .await;
    }
    let delivered = expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "status": "delivered", "shipping": { "delivered_at": "2026-03-15T10:00:00Z" } }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(delivered["status"], "delivered");
    // sent again: nothing is registered twice
    expect(
        app.put(
            &format!("/api/crm/orders/{id}"),
            &json!({ "status": "delivered" }),
        )
        .await,
        200,
    )
    .await;

    let cid = c["id"].as_str().unwrap();
    let customer = expect(app.get(&format!("/api/crm/customers/{cid}")).await, 200).await;
    let owned = customer["owned_items"].as_array().unwrap();
    assert_eq!(owned.len(), 2, "{customer}");
    assert_eq!(owned[0]["serial_numbers"], json!(["VSP-0001"]));
    assert_eq!(owned[0]["product_id"], controller["id"]);
    assert_eq!(owned[0]["order_id"], o["id"]);
    assert_eq!(owned[0]["purchased_at"], "2026-03-15T10:00:00.000000Z");
    assert_eq!(owned[0]["warranty_until"], "2029-03-15T10:00:00.000000Z");

    let history = expect(app.get("/api/crm/serials/VSP-0002").await, 200).await;
    assert_eq!(history["orders"][0]["order_number"], o["order_number"]);
    assert_eq!(history["owner"]["id"], c["id"]);
    assert_eq!(history["owned_item"]["serial_numbers"], json!(["VSP-0002"]));
    assert_eq!(history["warranty"], "active");
    expect_error(app.get("/api/crm/serials/NOPE-1").await, 404, "not_found").await;

    let err = expect_error(
        app.post(
            "/api/crm/products",
            &json!({ "name": "X", "sku": "X-1", "category": "part", "warranty_months": 241 }),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "warranty_months");
}
