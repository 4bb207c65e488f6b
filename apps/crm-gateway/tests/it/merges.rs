//! Duplicate customers over HTTP: the suggestions, a dry run, the merge moving every kind of
//! record, the merge again (a no-op), the history, and what is refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// Two records of one parish, the duplicate with an order, two comms entries and a ticket.
async fn two_records(app: &TestApp) -> (Value, Value) {
    let kept = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ι.Ν. Αγίου Γεωργίου Καρύστου",
                    "contacts": [{ "type": "phone", "value": "2224022222", "primary": true }],
                    "tags": ["Πελάτης"] }),
        )
        .await;
    let dup = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Αγ. Γεώργιος Κάρυστος",
                    "organization": "Μητρόπολη Καρυστίας",
                    "contacts": [{ "type": "phone", "value": "+30 22240 22222" },
                                 { "type": "email", "value": "agiosgeorgios@example.gr" }],
                    "tags": ["πελάτης", "Εγγύηση"],
                    "notes": [{ "text": "Ο π. Ιωάννης προτιμά τηλέφωνο το πρωί" }] }),
        )
        .await;
    let p = app.product("VSP-2", "120").await;
    app.create(
        "/api/crm/orders",
        json!({ "customer_id": dup["id"],
                "items": [{ "product_id": p["id"], "quantity": 1, "unit_price": "120" }] }),
    )
    .await;
    for subject in ["Προσφορά", "Απάντηση"] {
        app.create(
            "/api/crm/comms",
            json!({ "customer_id": dup["id"], "type": "email", "direction": "inbound",
                    "subject": subject }),
        )
        .await;
    }
    app.create(
        "/api/crm/tickets",
        json!({ "customer_id": dup["id"], "subject": "Το ρολόι πάει μπροστά", "kind": "repair" }),
    )
    .await;
    (kept, dup)
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_duplicate_is_suggested_previewed_merged_once_and_remembered() {
    let app = spawn_app().await;
    let (kept, dup) = two_records(&app).await;
    let (kid, did) = (id(&kept).to_owned(), id(&dup).to_owned());

    // the shared landline, written two ways, pairs them; the older first
    let pairs = expect(app.get("/api/crm/customers/duplicates").await, 200).await;
    assert_eq!(pairs[0]["a"]["id"], kid);
    assert_eq!(pairs[0]["b"]["id"], did);
    assert_eq!(
        pairs[0]["reasons"],
        json!([{ "kind": "phone", "value": "+302224022222" }])
    );

    // a dry run says what would move and changes nothing
    let merge = format!("/api/crm/customers/{kid}/merge");
    let preview = expect(
        app.post(
            &merge,
            &json!({ "duplicate_id": did, "dry_run": true,
                     "choices": { "organization": "duplicate" } }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(preview["dry_run"], true);
    let moved = json!({ "contacts": 1, "notes": 1, "tags": 1, "owned_items": 0, "orders": 1,
                        "comms_entries": 2, "media_records": 0, "tickets": 1, "leads": 0 });
    assert_eq!(preview["record"]["moved"], moved);
    assert_eq!(preview["customer"]["organization"], "Μητρόπολη Καρυστίας");
    expect(app.get(&format!("/api/crm/customers/{did}")).await, 200).await;
    let still = expect(app.get(&format!("/api/crm/customers/{kid}")).await, 200).await;
    assert_eq!(still["version"], 1);
    assert_eq!(
        expect(
            app.get(&format!("/api/crm/customers/{kid}/merges")).await,
            200
        )
        .await,
        json!([])
    );

    // a stale If-Match changes nothing
    let stale = app
        .req(Method::POST, &merge)
        .header("if-match", "\"7\"")
        .json(&json!({ "duplicate_id": did }))
        .send()
        .await
        .unwrap();
    expect(stale, 412).await;

    // the merge
    let done = app
        .req(Method::POST, &merge)
        .header("if-match", "\"1\"")
        .json(&json!({ "duplicate_id": did }))
        .send()
        .await
        .unwrap();
    assert_eq!(done.headers()["etag"], "\"2\"");
    let done = expect(done, 200).await;
    assert_eq!(done["already_merged"], false);
    assert_eq!(done["record"]["moved"], moved);
    let c = &done["customer"];
    assert_eq!(c["name"], "Ι.Ν. Αγίου Γεωργίου Καρύστου");
    assert_eq!(c["organization"], "Μητρόπολη Καρυστίας");
    assert_eq!(c["tags"], json!(["Πελάτης", "Εγγύηση"]));
    let values: Vec<&str> = c["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["2224022222", "agiosgeorgios@example.gr"]);
    expect_error(
        app.get(&format!("/api/crm/customers/{did}")).await,
        404,
        "not_found",
    )
    .await;

    // every record now belongs to the kept customer
    let orders = expect(
        app.get(&format!("/api/crm/orders?customer_id={kid}")).await,
        200,
    )
    .await;
    assert_eq!(orders["total"], 1);
    let comms = expect(
        app.get(&format!("/api/crm/comms?customer_id={kid}")).await,
        200,
    )
    .await;
    assert_eq!(comms["total"], 2);
    let tickets = expect(
        app.get(&format!("/api/crm/customers/{kid}/tickets")).await,
        200,
    )
    .await;
    assert_eq!(tickets["total"], 1);
    // a search within the kept customer finds the moved entry (its search scope moved), and
    // one within the duplicate finds nothing
    let found = expect(
        app.get(&format!(
            "/api/crm/comms/search?customer_id={kid}&q=Προσφορά"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(found["total"], 1, "{found}");
    let gone = expect(
        app.get(&format!(
            "/api/crm/comms/search?customer_id={did}&q=Προσφορά"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(gone["total"], 0, "{gone}");
    // the customer found by the duplicate's e-mail is the kept one
    let by_mail = expect(
        app.get("/api/crm/customers/by-contact?value=AgiosGeorgios@example.gr")
            .await,
        200,
    )
    .await;
    assert_eq!(by_mail["id"], kid);

    // merging again changes nothing and answers the first merge
    let again = expect(app.post(&merge, &json!({ "duplicate_id": did })).await, 200).await;
    assert_eq!(again["already_merged"], true);
    assert_eq!(again["record"]["id"], done["record"]["id"]);
    assert_eq!(again["customer"]["version"], 2);

    // the history keeps the duplicate as it was, who merged and when
    let history = expect(
        app.get(&format!("/api/crm/customers/{kid}/merges")).await,
        200,
    )
    .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["duplicate"]["name"], "Αγ. Γεώργιος Κάρυστος");
    assert_eq!(
        history[0]["duplicate"]["notes"][0]["text"],
        "Ο π. Ιωάννης προτιμά τηλέφωνο το πρωί"
    );
    assert_eq!(history[0]["merged_by"], "tester");

    // the duplicate is gone: into anyone else it is a 409
    let other = app.customer("Ενορία Αγίας Τριάδος").await;
    let err = expect_error(
        app.post(
            &format!("/api/crm/customers/{}/merge", id(&other)),
            &json!({ "duplicate_id": did }),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    assert!(
        err["error"]["message"].as_str().unwrap().contains(&kid),
        "{err}"
    );
}

#[tokio::test]
async fn a_merge_refuses_itself_an_unknown_duplicate_and_a_viewer() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Νικολάου").await;
    let cid = id(&c);
    let merge = format!("/api/crm/customers/{cid}/merge");
    let err = expect_error(
        app.post(&merge, &json!({ "duplicate_id": cid })).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "duplicate_id");
    let err = expect_error(
        app.post(
            &merge,
            &json!({ "duplicate_id": "00000000-0000-4000-8000-000000000000" }),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "duplicate_id");
    expect_error(
        app.post(
            "/api/crm/customers/00000000-0000-4000-8000-000000000000/merge",
            &json!({ "duplicate_id": cid }),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post(&merge, &json!({ "duplicate_id": cid, "surprise": 1 }))
            .await,
        400,
        "bad_request",
    )
    .await;
    expect_error(
        app.get("/api/crm/customers/duplicates?limit=0").await,
        422,
        "invalid_field",
    )
    .await;

    let url = format!("{}{merge}", app.base);
    let viewer = app
        .client
        .post(&url)
        .bearer_auth(&app.view_token)
        .json(&json!({ "duplicate_id": cid }))
        .send()
        .await
        .unwrap();
    expect_error(viewer, 403, "forbidden").await;
    let anon = app
        .client
        .get(format!("{}/api/crm/customers/duplicates", app.base))
        .send()
        .await
        .unwrap();
    expect_error(anon, 401, "unauthorized").await;
    let viewer = app
        .client
        .get(format!("{}/api/crm/customers/{cid}/merges", app.base))
        .bearer_auth(&app.view_token)
        .send()
        .await
        .unwrap();
    expect(viewer, 200).await;
}
