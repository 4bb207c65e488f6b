use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn search(app: &TestApp, q: &str) -> Value {
    let resp = app
        .req(Method::GET, "/api/crm/customers")
        .query(&[("search", q)])
        .send()
        .await
        .unwrap();
    expect(resp, 200).await
}

fn names(body: &Value) -> Vec<String> {
    body["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn greek_and_greeklish_search() {
    let app = spawn_app().await;
    app.create(
        "/api/crm/customers",
        json!({ "name": "Γιώργος Μπίμπης", "organization": "Ιερός Ναός Αγίας Παρασκευής",
                "contacts": [{ "type": "email", "value": "Bibis@Example.gr" }],
                "tags": ["καμπαναριό"] }),
    )
    .await;
    app.create(
        "/api/crm/customers",
        json!({ "name": "Πάτερ Νικόλαος", "organization": "Άγιος Νικόλαος Πειραιά",
                "contacts": [{ "type": "phone", "value": "210 4111222" }] }),
    )
    .await;
    app.create(
        "/api/crm/customers",
        json!({ "name": "Χρήστος Παπαδόπουλος" }),
    )
    .await;

    let cases: [(&str, &str); 12] = [
        ("μπιμπης", "Γιώργος Μπίμπης"),
        ("ΜΠΙΜΠΗΣ", "Γιώργος Μπίμπης"),
        ("Μπίμπης", "Γιώργος Μπίμπης"),
        ("bibis", "Γιώργος Μπίμπης"),
        ("mpimpis", "Γιώργος Μπίμπης"),
        ("παρασκ", "Γιώργος Μπίμπης"),
        ("bibis@example", "Γιώργος Μπίμπης"),
        ("καμπαναριο", "Γιώργος Μπίμπης"),
        ("agios nikolaos", "Πάτερ Νικόλαος"),
        ("2104111", "Πάτερ Νικόλαος"),
        ("xristos", "Χρήστος Παπαδόπουλος"),
        ("papadopoulos", "Χρήστος Παπαδόπουλος"),
    ];
    for (q, want) in cases {
        let body = search(&app, q).await;
        assert_eq!(names(&body), vec![want.to_owned()], "search {q:?}");
        assert_eq!(body["total"], 1, "search {q:?}");
    }
    assert_eq!(search(&app, "ζζζζ").await["total"], 0);
}

#[tokio::test]
async fn tag_filter_paging_and_true_total() {
    let app = spawn_app().await;
    for i in 0..7 {
        let tags = if i % 2 == 0 {
            json!(["vip"])
        } else {
            json!([])
        };
        app.create(
            "/api/crm/customers",
            json!({ "name": format!("Ενορία {i}"), "tags": tags }),
        )
        .await;
    }
    let page = expect(app.get("/api/crm/customers?limit=3&offset=0").await, 200).await;
    assert_eq!(page["total"], 7);
    assert_eq!(page["customers"].as_array().unwrap().len(), 3);
    let last = expect(app.get("/api/crm/customers/?limit=3&offset=6").await, 200).await;
    assert_eq!(last["customers"].as_array().unwrap().len(), 1);
    let vip = expect(app.get("/api/crm/customers?tag=VIP").await, 200).await;
    assert_eq!(vip["total"], 4);
    let both = expect(
        app.get("/api/crm/customers?tag=vip&search=%CE%B5%CE%BD%CE%BF%CF%81%CE%B9%CE%B1")
            .await,
        200,
    )
    .await;
    assert_eq!(both["total"], 4);
}

#[tokio::test]
async fn contacts_are_normalised_and_found_any_way_written() {
    let app = spawn_app().await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ενορία Αγίου Νικολάου",
                    "contacts": [
                        { "type": "phone", "value": "691 234 5678", "primary": true },
                        { "type": "email", "value": "Info@Agios-Nikolaos.GR" },
                        { "type": "whatsapp", "value": "+30 697-000-1111" }
                    ] }),
        )
        .await;
    assert_eq!(c["contacts"][0]["e164"], "+306912345678");
    assert_eq!(c["contacts"][2]["e164"], "+306970001111");
    let id = c["id"].as_str().unwrap();
    for value in [
        "6912345678",
        "+30 691 234 5678",
        "0030-691-2345678",
        "info@agios-nikolaos.gr",
        "INFO@AGIOS-NIKOLAOS.GR",
        "00306970001111",
    ] {
        let resp = app
            .req(Method::GET, "/api/crm/customers/by-contact")
            .query(&[("value", value)])
            .send()
            .await
            .unwrap();
        let found = expect(resp, 200).await;
        assert_eq!(found["id"], id, "{value}");
    }
    let resp = app
        .req(Method::GET, "/api/crm/customers/by-contact")
        .query(&[("value", "6900000000")])
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "not_found").await;

    let bad = app
        .post(
            "/api/crm/customers",
            &json!({ "name": "x", "contacts": [{ "type": "email", "value": "a@b.gr" }, { "type": "phone", "value": "call me" }] }),
        )
        .await;
    let err = expect_error(bad, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "contacts[1].value");
}

#[tokio::test]
async fn notes_owned_items_and_partial_updates() {
    let app = spawn_app().await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ι.Ν. Αγίου Γεωργίου", "location": { "city": "Λάρισα", "country": "GR" },
                    "owned_items": [
                        { "type": "product", "product_name": "VESPER", "quantity": 2, "serial_numbers": ["V-1", "V-2"] },
                        { "type": "freetext", "description": "Παλιό ρολόι", "serial_number": "X9" }
                    ] }),
        )
        .await;
    assert_eq!(c["language"], "el");
    assert_eq!(c["owned_items"][0]["serial_numbers"], json!(["V-1", "V-2"]));
    let id = c["id"].as_str().unwrap();
    let body = expect(
        app.post(
            &format!("/api/crm/customers/{id}/notes"),
            &json!({ "text": "Τηλεφώνησε ο π. Ιωάννης" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["notes"][0]["text"], "Τηλεφώνησε ο π. Ιωάννης");
    assert_eq!(body["notes"][0]["by"], "tester");
    assert_eq!(body["version"], 2);

    let body = expect(
        app.put(
            &format!("/api/crm/customers/{id}"),
            &json!({ "tags": ["δήμος"] }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["tags"], json!(["δήμος"]));
    assert_eq!(body["location"]["city"], "Λάρισα");
    assert_eq!(body["owned_items"].as_array().unwrap().len(), 2);
    assert_eq!(body["notes"].as_array().unwrap().len(), 1);
}

/// Names and every other one-line text refuse control and bidirectional formatting
/// characters (422 naming the field); notes keep line breaks and tabs but refuse the rest.
#[tokio::test]
async fn one_line_texts_refuse_controls_and_bidi_characters() {
    let app = spawn_app().await;
    // (text, refused on one line, refused in a note)
    let inputs = [
        ("Ναός\u{202E}fdp.exe", true, true),
        ("Ναός \u{2066}Αγίου\u{2069}", true, true),
        ("Να\u{200F}ός", true, false),
        ("Ναός\nΑγίου", true, false),
        ("Ναός\tΑγίου", true, false),
        ("Να\u{0}ός", true, true),
        ("Ναός\u{1B}[2J", true, true),
        ("Να\u{85}ός", true, true),
        ("Να\u{2028}ός", true, false),
        ("Ιερός Ναός Αγίου Νικολάου 🔔", false, false),
    ];
    let bodies = |text: &str| {
        [
            ("name", json!({ "name": text })),
            ("organization", json!({ "name": "N", "organization": text })),
            (
                "contacts[0].label",
                json!({ "name": "N", "contacts": [{ "type": "other", "value": "v", "label": text }] }),
            ),
            ("tags[0]", json!({ "name": "N", "tags": [text] })),
            (
                "location.city",
                json!({ "name": "N", "location": { "city": text } }),
            ),
            (
                "notes[0].text",
                json!({ "name": "N", "notes": [{ "text": text }] }),
            ),
        ]
    };
    for (text, refused_line, refused_note) in inputs {
        for (field, body) in bodies(text) {
            let refused = if field == "notes[0].text" {
                refused_note
            } else {
                refused_line
            };
            let resp = app.post("/api/crm/customers", &body).await;
            if refused {
                let err = expect_error(resp, 422, "invalid_field").await;
                assert_eq!(err["error"]["details"]["field"], field, "{text:?}: {err}");
            } else {
                expect(resp, 201).await;
            }
        }
    }
    // a change is held to the same rules, and so is a note added on its own
    let c = app.customer("Ναός").await;
    let url = format!("/api/crm/customers/{}", c["id"].as_str().unwrap());
    let err = expect_error(
        app.put(&url, &json!({ "name": "a\u{202E}b" })).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "name");
    let resp = app
        .post(&format!("{url}/notes"), &json!({ "text": "a\u{202E}b" }))
        .await;
    expect_error(resp, 422, "invalid_field").await;
    let resp = app
        .post(
            &format!("{url}/notes"),
            &json!({ "text": "γραμμή 1\nγραμμή 2" }),
        )
        .await;
    expect(resp, 200).await;
}
