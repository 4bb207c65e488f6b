//! The sales pipeline over HTTP: pipelines and the default one, leads moved across the board
//! with If-Match, the lost reason, history, the board's sums, a lead's comms before it is a
//! customer, and conversion into a new or a matched customer with a draft order.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The default pipeline, seeded when the server starts.
async fn default_pipeline(app: &TestApp) -> Value {
    let all = expect(app.get("/api/crm/pipelines").await, 200).await;
    let first = all[0].clone();
    assert_eq!(first["is_default"], true, "{all}");
    first
}

/// The id of the stage called `name`.
fn stage(pipeline: &Value, name: &str) -> String {
    pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {pipeline}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A lead about a prospect with a mobile number and an address.
async fn lead(app: &TestApp, title: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": title,
        "source": "fair",
        "prospect": { "name": "π. Γεώργιος", "organization": "Ενορία Αγίου Νικολάου",
                      "contacts": [{ "kind": "mobile", "value": "691 234 5678" },
                                   { "kind": "email", "value": "Papas@Example.GR" }] },
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.create("/api/crm/leads", body).await
}

/// Moves the lead (at `version`) to `stage_id`; the response as it came.
async fn move_to(
    app: &TestApp,
    lead: &Value,
    version: i64,
    stage_id: &str,
    reason: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({ "stage_id": stage_id });
    if let Some(r) = reason {
        body["lost_reason"] = json!(r);
    }
    app.req(
        Method::POST,
        &format!("/api/crm/leads/{}/stage", lead["id"].as_str().unwrap()),
    )
    .header("If-Match", format!("\"{version}\""))
    .json(&body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn reads_need_a_token_and_every_write_needs_crm_edit() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let pid = p["id"].as_str().unwrap();
    let l = lead(&app, "Καμπάνα 120 kg", json!({})).await;
    let id = l["id"].as_str().unwrap();
    let reads = [
        "/api/crm/pipelines".to_owned(),
        format!("/api/crm/pipelines/{pid}"),
        format!("/api/crm/pipelines/{pid}/view"),
        "/api/crm/leads".to_owned(),
        format!("/api/crm/leads/{id}"),
        format!("/api/crm/leads/{id}/history"),
        format!("/api/crm/leads/{id}/comms"),
    ];
    let writes = [
        (Method::POST, "/api/crm/pipelines".to_owned()),
        (Method::PUT, format!("/api/crm/pipelines/{pid}")),
        (Method::POST, "/api/crm/leads".to_owned()),
        (Method::PUT, format!("/api/crm/leads/{id}")),
        (Method::POST, format!("/api/crm/leads/{id}/stage")),
        (Method::POST, format!("/api/crm/leads/{id}/convert")),
    ];
    assert_auth_matrix(&app, &reads, &writes).await;
    let after = expect(app.get(&format!("/api/crm/leads/{id}")).await, 200).await;
    assert_eq!(after["version"], 1);
    // leads are won or lost, never deleted
    expect_error(
        app.delete(&format!("/api/crm/leads/{id}")).await,
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn a_lead_moves_across_the_board_with_if_match_and_its_history_is_kept() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let names: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Επαφή",
            "Αυτοψία",
            "Προσφορά",
            "Διαπραγμάτευση",
            "Κερδήθηκε",
            "Χάθηκε"
        ]
    );

    let resp = app
        .post(
            "/api/crm/leads",
            &json!({ "title": "Καμπαναριό", "source": "phone", "owner": "maria",
                     "prospect": { "name": "Ενορία", "contacts": [{ "kind": "phone", "value": "2101234567" }] } }),
        )
        .await;
    assert_eq!(resp.headers()["etag"], "\"1\"");
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/api/crm/leads/")
    );
    let l = expect(resp, 201).await;
    assert_eq!(l["stage_id"], stage(&p, "Επαφή"));
    assert_eq!(l["status"], "open");
    assert_eq!(l["prospect"]["contacts"][0]["normalized"], "+302101234567");

    // bad input names the field's JSON path
    for (body, field) in [
        (
            json!({ "title": " ", "source": "web", "prospect": { "name": "x" } }),
            "title",
        ),
        (
            json!({ "title": "t", "source": "web",
                    "prospect": { "name": "x", "contacts": [{ "kind": "email", "value": "nope" }] } }),
            "prospect.contacts[0].value",
        ),
        (json!({ "title": "t", "source": "web" }), "customer_id"),
        (
            json!({ "title": "t", "source": "web", "prospect": { "name": "x" },
                    "estimated_value": "1.234" }),
            "estimated_value",
        ),
    ] {
        let err = expect_error(
            app.post("/api/crm/leads", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}: {err}");
    }

    // a move with a stale ETag changes nothing
    let moved = expect(move_to(&app, &l, 1, &stage(&p, "Αυτοψία"), None).await, 200).await;
    assert_eq!(moved["version"], 2);
    expect_error(
        move_to(&app, &l, 1, &stage(&p, "Προσφορά"), None).await,
        412,
        "stale_version",
    )
    .await;
    // a stage of another pipeline is refused at `stage_id`
    let other = app
        .create(
            "/api/crm/pipelines",
            json!({ "name": "Επισκευές", "stages": [
                { "name": "Νέα", "probability": 20 },
                { "name": "Έγινε", "probability": 100, "won": true },
                { "name": "Άκυρη", "probability": 0, "lost": true }] }),
        )
        .await;
    let err = expect_error(
        move_to(&app, &l, 2, &stage(&other, "Νέα"), None).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "stage_id");
    // a lost stage needs a reason
    let err = expect_error(
        move_to(&app, &l, 2, &stage(&p, "Χάθηκε"), None).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "lost_reason");
    let lost = move_to(&app, &l, 2, &stage(&p, "Χάθηκε"), Some("Ακριβό")).await;
    let lost = expect(lost, 200).await;
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lost_reason"], "Ακριβό");
    // a lost lead is not converted
    expect_error(
        app.post(
            &format!("/api/crm/leads/{}/convert", l["id"].as_str().unwrap()),
            &json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let back = expect(
        move_to(&app, &l, 3, &stage(&p, "Προσφορά"), None).await,
        200,
    )
    .await;
    assert_eq!(back["lost_reason"], Value::Null);

    // a new owner by PUT with If-Match is an assignment; the actor is the caller
    let path = format!("/api/crm/leads/{}", l["id"].as_str().unwrap());
    let put = app
        .req(Method::PUT, &path)
        .header("If-Match", "\"4\"")
        .json(&json!({ "owner": "nikos", "estimated_value": "15000.50" }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.headers()["etag"], "\"5\"");
    let put = expect(put, 200).await;
    assert_eq!(put["owner"], "nikos");
    let stale = app
        .req(Method::PUT, &path)
        .header("If-Match", "\"4\"")
        .json(&json!({ "title": "x" }))
        .send()
        .await
        .unwrap();
    expect_error(stale, 412, "stale_version").await;

    let h = expect(app.get(&format!("{path}/history")).await, 200).await;
    let to: Vec<String> = h["stage_moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["to_stage_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        to,
        [
            stage(&p, "Επαφή"),
            stage(&p, "Αυτοψία"),
            stage(&p, "Χάθηκε"),
            stage(&p, "Προσφορά")
        ]
    );
    assert!(
        h["stage_moves"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["actor"] == "tester")
    );
    let owners: Vec<&Value> = h["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["owner"])
        .collect();
    assert_eq!(owners, [&json!("maria"), &json!("nikos")]);
    assert_eq!(h["assignments"][1]["assigned_by"], "tester");
    assert_eq!(h["assignments"][1]["until"], Value::Null);

    // the list filters by stage and pages with a cursor
    let page = expect(
        app.get(&format!(
            "/api/crm/leads?stage_id={}&limit=1",
            stage(&p, "Προσφορά")
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["leads"][0]["id"], l["id"]);
    assert_eq!(page["next_cursor"], Value::Null);
    expect_error(
        app.get("/api/crm/leads?cursor=zzz").await,
        422,
        "invalid_field",
    )
    .await;
}

#[tokio::test]
async fn a_pipeline_keeps_a_stage_that_holds_leads() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let pid = p["id"].as_str().unwrap();
    lead(&app, "Καμπάνα", json!({})).await;
    // the stages without the first, which holds the lead
    let stages: Vec<Value> = p["stages"].as_array().unwrap()[1..]
        .iter()
        .map(|s| {
            json!({ "id": s["id"], "name": s["name"], "probability": s["probability"],
                         "won": s["won"], "lost": s["lost"] })
        })
        .collect();
    let put = |body: Value, etag: &'static str| {
        app.req(Method::PUT, &format!("/api/crm/pipelines/{pid}"))
            .header("If-Match", etag)
            .json(&body)
            .send()
    };
    let err = expect_error(
        put(json!({ "name": "Πωλήσεις", "stages": stages }), "\"1\"")
            .await
            .unwrap(),
        409,
        "in_use",
    )
    .await;
    assert!(
        err["error"]["message"].as_str().unwrap().contains('1'),
        "{err}"
    );
    let mut all = stages.clone();
    let first = &p["stages"][0];
    all.insert(
        0,
        json!({ "id": first["id"], "name": "Πρώτη επαφή", "probability": 15 }),
    );
    let renamed = put(json!({ "name": "Πωλήσεις", "stages": all }), "\"1\"")
        .await
        .unwrap();
    assert_eq!(renamed.headers()["etag"], "\"2\"");
    let renamed = expect(renamed, 200).await;
    assert_eq!(renamed["stages"][0]["name"], "Πρώτη επαφή");
    assert_eq!(renamed["stages"][0]["id"], first["id"]);
    expect_error(
        put(json!({ "name": "Πωλήσεις", "stages": all }), "\"1\"")
            .await
            .unwrap(),
        412,
        "stale_version",
    )
    .await;
    let err = expect_error(
        app.post(
            "/api/crm/pipelines",
            &json!({ "name": "Χωρίς κέρδος", "stages": [{ "name": "a", "probability": 10 },
                                                         { "name": "b", "probability": 0, "lost": true }] }),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "stages");
}

#[tokio::test]
async fn the_pipeline_view_sums_values_and_weights_them_by_stage() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let offer = stage(&p, "Προσφορά");
    lead(
        &app,
        "α",
        json!({ "estimated_value": "1000.10", "owner": "maria", "stage_id": offer }),
    )
    .await;
    lead(
        &app,
        "β",
        json!({ "estimated_value": "2000", "owner": "maria", "stage_id": offer }),
    )
    .await;
    lead(&app, "γ", json!({ "estimated_value": "400" })).await;
    lead(&app, "δ", json!({})).await;
    let v = expect(
        app.get(&format!(
            "/api/crm/pipelines/{}/view",
            p["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    let s = |name: &str| {
        v["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let num = |v: &Value| v.to_string().trim_matches('"').parse::<f64>().unwrap();
    assert_eq!(s("Προσφορά")["count"], 2);
    assert_eq!(num(&s("Προσφορά")["value"]), 3000.10);
    assert_eq!(num(&s("Προσφορά")["weighted_value"]), 1500.05);
    assert_eq!(s("Επαφή")["count"], 2);
    assert_eq!(num(&s("Επαφή")["value"]), 400.0);
    assert_eq!(num(&s("Επαφή")["weighted_value"]), 40.0);
    assert_eq!(s("Κερδήθηκε")["count"], 0);
    assert_eq!(v["owners"][0]["owner"], "maria");
    assert_eq!(v["owners"][0]["count"], 2);
    assert_eq!(v["owners"][1]["owner"], Value::Null);
    assert_eq!(v["owners"][1]["count"], 2);
    expect_error(
        app.get("/api/crm/pipelines/00000000-0000-4000-8000-000000000000/view")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_won_prospect_converts_into_a_new_customer_and_a_draft_order() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let product = app.product("BELL-120", "4000").await;
    let l = lead(
        &app,
        "Καμπάνα 120 kg",
        json!({ "lines": [
            { "product_id": product["id"], "description": "Καμπάνα 120 kg", "quantity": "1", "unit_price": "3800" },
            { "description": "Τοποθέτηση", "quantity": "1", "unit_price": "450.50" }] }),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    let url = format!("{}/api/crm/leads/{id}/convert", app.base);
    let convert = |body: Value| {
        app.client
            .post(&url)
            .bearer_auth(&app.token)
            .json(&body)
            .send()
    };
    expect_error(convert(json!({})).await.unwrap(), 409, "conflict").await;
    expect(
        move_to(&app, &l, 1, &stage(&p, "Κερδήθηκε"), None).await,
        200,
    )
    .await;

    let c = expect(
        convert(json!({ "create_draft_order": true }))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(c["customer_created"], true);
    let customer_id = c["customer_id"].as_str().unwrap();
    let order_id = c["order_id"].as_str().unwrap();
    assert_eq!(c["lead"]["converted_customer_id"], customer_id);
    assert_eq!(c["lead"]["converted_order_id"], order_id);

    let customer = expect(
        app.get(&format!("/api/crm/customers/{customer_id}")).await,
        200,
    )
    .await;
    assert_eq!(customer["name"], "π. Γεώργιος");
    assert_eq!(customer["organization"], "Ενορία Αγίου Νικολάου");
    let values: Vec<&str> = customer["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["691 234 5678", "Papas@Example.GR"]);

    let order = expect(app.get(&format!("/api/crm/orders/{order_id}")).await, 200).await;
    assert_eq!(order["status"], "draft");
    assert_eq!(order["customer_id"], customer_id);
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    assert_eq!(order["items"][0]["product_id"], product["id"]);
    assert_eq!(order["items"][1]["product_name"], "Τοποθέτηση");

    // again: the same ids, nothing new
    let again = expect(
        convert(json!({ "create_draft_order": true }))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(again["customer_created"], false);
    assert_eq!(again["customer_id"], customer_id);
    assert_eq!(again["order_id"], order_id);
    // the converted lead is found by its customer
    let theirs = expect(
        app.get(&format!("/api/crm/leads?customer_id={customer_id}"))
            .await,
        200,
    )
    .await;
    assert_eq!(theirs["leads"][0]["id"], id);
}

#[tokio::test]
async fn a_won_prospect_attaches_to_the_customer_its_phone_matches() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let existing = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ι.Ν. Αγίου Νικολάου",
                    "contacts": [{ "type": "phone", "value": "+30 691 234 5678" }] }),
        )
        .await;
    let l = lead(&app, "Ηλεκτρομηχανισμός", json!({})).await;
    expect(
        move_to(&app, &l, 1, &stage(&p, "Κερδήθηκε"), None).await,
        200,
    )
    .await;
    let id = l["id"].as_str().unwrap();
    // a draft order needs quoted lines
    let err = expect_error(
        app.post(
            &format!("/api/crm/leads/{id}/convert"),
            &json!({ "create_draft_order": true }),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "lines");
    let c = expect(
        app.post(&format!("/api/crm/leads/{id}/convert"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(c["customer_created"], false);
    assert_eq!(c["customer_id"], existing["id"]);
    assert_eq!(c["order_id"], Value::Null);
}

#[tokio::test]
async fn a_leads_comms_are_its_contacts_inbox_and_then_its_customers_too() {
    let app = spawn_app().await;
    let p = default_pipeline(&app).await;
    let l = lead(&app, "Καμπάνα", json!({})).await;
    let id = l["id"].as_str().unwrap();
    let entry = |sender: &str, body: &str| {
        app.create(
            "/api/crm/comms",
            json!({ "type": "whatsapp", "direction": "inbound", "sender": sender, "body": body }),
        )
    };
    let call = entry("+306912345678", "Θέλουμε προσφορά").await;
    let mail = entry("papas@example.gr", "Στείλτε τιμές").await;
    entry("6999999999", "Άλλος").await;
    assert_eq!(
        call["customer_id"],
        Value::Null,
        "nobody has the number yet"
    );

    let comms = expect(app.get(&format!("/api/crm/leads/{id}/comms")).await, 200).await;
    assert_eq!(comms["customer_id"], Value::Null);
    let ids: Vec<&Value> = comms["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids.len(), 2, "{comms}");
    assert!(ids.contains(&&call["id"]) && ids.contains(&&mail["id"]));

    // once converted, the lead's comms are its customer's ...
    expect(
        move_to(&app, &l, 1, &stage(&p, "Κερδήθηκε"), None).await,
        200,
    )
    .await;
    let c = expect(
        app.post(&format!("/api/crm/leads/{id}/convert"), &json!({}))
            .await,
        200,
    )
    .await;
    let later = app
        .create(
            "/api/crm/comms",
            json!({ "customer_id": c["customer_id"], "type": "note", "direction": "internal",
                    "body": "Υπογράφηκε" }),
        )
        .await;
    // ... and the messages from the prospect's contacts nobody assigned stay on its page
    let comms = expect(app.get(&format!("/api/crm/leads/{id}/comms")).await, 200).await;
    assert_eq!(comms["customer_id"], c["customer_id"]);
    let ids: Vec<&Value> = comms["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(
        ids,
        [&later["id"], &mail["id"], &call["id"]],
        "newest first"
    );
    let one = expect(
        app.get(&format!("/api/crm/leads/{id}/comms?limit=1")).await,
        200,
    )
    .await;
    assert_eq!(one["entries"].as_array().unwrap().len(), 1);
    expect_error(
        app.get("/api/crm/leads/00000000-0000-4000-8000-000000000000/comms")
            .await,
        404,
        "not_found",
    )
    .await;
}
