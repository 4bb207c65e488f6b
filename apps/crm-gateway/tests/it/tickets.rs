//! The service desk over HTTP: tickets, their workflow and activity stream, tickets from comms
//! entries, visits that use stock, macros, filters, the serial's history and the timeline.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// A ticket of the customer `c` with `extra` fields.
async fn ticket(app: &TestApp, c: &Value, subject: &str, extra: Value) -> Value {
    let mut body = json!({ "customer_id": c["id"], "subject": subject, "kind": "repair" });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.create("/api/crm/tickets", body).await
}

fn kinds(activities: &Value) -> Vec<&str> {
    activities
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn reads_need_a_token_and_every_write_needs_crm_edit() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Νικολάου").await;
    let t = ticket(&app, &c, "Η καμπάνα χτυπά λάθος", json!({})).await;
    let id = t["id"].as_str().unwrap();
    let entry = app
        .create(
            "/api/crm/comms",
            json!({"customer_id": c["id"], "type": "call", "direction": "inbound"}),
        )
        .await;
    let eid = entry["id"].as_str().unwrap();
    let cid = c["id"].as_str().unwrap();
    let nil = "00000000-0000-4000-8000-000000000000";
    let reads = [
        "/api/crm/tickets".to_owned(),
        format!("/api/crm/tickets/{id}"),
        format!("/api/crm/tickets/{id}/activities"),
        format!("/api/crm/tickets/{id}/notes"),
        format!("/api/crm/tickets/{id}/visits"),
        format!("/api/crm/customers/{cid}/tickets?open=true"),
        "/api/crm/macros".to_owned(),
        "/api/crm/ticket-tags".to_owned(),
    ];
    let writes = [
        (Method::POST, "/api/crm/tickets".to_owned()),
        (Method::PUT, format!("/api/crm/tickets/{id}")),
        (Method::POST, format!("/api/crm/tickets/{id}/notes")),
        (Method::POST, format!("/api/crm/tickets/{id}/entries")),
        (Method::POST, format!("/api/crm/tickets/{id}/tags")),
        (Method::DELETE, format!("/api/crm/tickets/{id}/tags/x")),
        (Method::POST, format!("/api/crm/tickets/{id}/visits")),
        (Method::PUT, format!("/api/crm/visits/{nil}")),
        (Method::POST, format!("/api/crm/comms/{eid}/ticket")),
        (Method::POST, "/api/crm/macros".to_owned()),
        (Method::PUT, format!("/api/crm/macros/{nil}")),
        (Method::DELETE, format!("/api/crm/macros/{nil}")),
        (Method::POST, format!("/api/crm/tickets/{id}/macros/{nil}")),
    ];
    assert_auth_matrix(&app, &reads, &writes).await;
    // nothing changed: the viewer's writes were all refused
    let after = expect(app.get(&format!("/api/crm/tickets/{id}")).await, 200).await;
    assert_eq!(after["version"], 1);
    // tickets are closed, never deleted
    expect_error(
        app.delete(&format!("/api/crm/tickets/{id}")).await,
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn a_ticket_moves_through_its_workflow_and_its_activity_stream_only_grows() {
    let app = spawn_app().await;
    let c = app.customer("Ι.Ν. Αγίας Τριάδος").await;
    let resp = app
        .post(
            "/api/crm/tickets",
            &json!({ "customer_id": c["id"], "subject": "Σπασμένος γλωσσίδι", "kind": "repair" }),
        )
        .await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/api/crm/tickets/")
    );
    let t = expect(resp, 201).await;
    let year = &t["created_at"].as_str().unwrap()[..4];
    assert_eq!(t["number"], format!("TCK-{year}-0001"));
    assert_eq!(t["status"], "new");
    let id = t["id"].as_str().unwrap();
    let path = format!("/api/crm/tickets/{id}");

    // bad input names the field; an unknown customer is the customer_id's fault
    for (body, field) in [
        (
            json!({ "customer_id": c["id"], "subject": " ", "kind": "repair" }),
            "subject",
        ),
        (json!({ "customer_id": c["id"], "subject": "x" }), "kind"),
        (
            json!({ "customer_id": "00000000-0000-4000-8000-000000000000", "subject": "x", "kind": "repair" }),
            "customer_id",
        ),
        (
            json!({ "customer_id": c["id"], "subject": "x", "kind": "bell" }),
            "kind",
        ),
    ] {
        let err = expect_error(
            app.post("/api/crm/tickets", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}: {err}");
    }

    // the actor is the caller, whatever the body says; If-Match like every record
    let opened = app
        .req(Method::PUT, &path)
        .header("If-Match", &etag)
        .json(&json!({ "status": "open", "assignee": "nikos", "priority": "high" }))
        .send()
        .await
        .unwrap();
    let opened = expect(opened, 200).await;
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["version"], 2);
    let stale = app
        .req(Method::PUT, &path)
        .header("If-Match", &etag)
        .json(&json!({ "status": "closed" }))
        .send()
        .await
        .unwrap();
    expect_error(stale, 412, "stale_version").await;

    // a move the workflow does not allow: 409 naming the current status
    let refused = expect(
        app.put(&path, &json!({ "status": "waiting_customer" }))
            .await,
        409,
    )
    .await;
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("is open"), "{message}");
    for s in ["in_progress", "resolved", "closed", "open"] {
        let t = expect(app.put(&path, &json!({ "status": s })).await, 200).await;
        assert_eq!(t["status"], s);
    }
    expect_error(
        app.put(&path, &json!({ "number": "TCK-1999-0001" })).await,
        422,
        "invalid_field",
    )
    .await;

    let note = app
        .create(
            &format!("{path}/notes"),
            json!({ "text": "Ο π. Γεώργιος ενημερώθηκε.", "visibility": "customer" }),
        )
        .await;
    assert_eq!(note["author"], "tester");
    let notes = expect(app.get(&format!("{path}/notes")).await, 200).await;
    assert_eq!(notes.as_array().unwrap().len(), 1);

    let activities = expect(app.get(&format!("{path}/activities")).await, 200).await;
    assert_eq!(
        kinds(&activities),
        [
            "created",
            "status_changed",
            "priority_changed",
            "assigned",
            "status_changed",
            "status_changed",
            "status_changed",
            "status_changed",
            "comment_added",
        ]
    );
    assert!(
        activities
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["actor"] == "tester")
    );
    assert_eq!(activities[1]["from"], "new");
    assert_eq!(activities[1]["to"], "open");
    // written by the server only
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let resp = app
            .req(method, &format!("{path}/activities"))
            .json(&json!({ "kind": "created" }))
            .send()
            .await
            .unwrap();
        expect_error(resp, 405, "method_not_allowed").await;
    }
    let again = expect(app.get(&format!("{path}/activities")).await, 200).await;
    assert_eq!(again, activities);

    expect_error(
        app.get("/api/crm/tickets/00000000-0000-4000-8000-000000000000")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_missed_call_becomes_a_ticket_linked_to_it() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Δημητρίου").await;
    let call = app
        .create(
            "/api/crm/comms",
            json!({ "customer_id": c["id"], "type": "call", "direction": "inbound",
                    "sender": "+302101234567", "meta": { "missed": true } }),
        )
        .await;
    let eid = call["id"].as_str().unwrap();
    let resp = app
        .post(&format!("/api/crm/comms/{eid}/ticket"), &json!({}))
        .await;
    assert!(resp.headers().contains_key("etag"));
    let t = expect(resp, 201).await;
    assert_eq!(t["customer_id"], c["id"]);
    assert_eq!(t["linked_entry_ids"], json!([eid]));
    assert_eq!(t["kind"], "repair");
    assert_eq!(t["subject"], "call from +302101234567");
    let id = t["id"].as_str().unwrap();
    let activities = expect(
        app.get(&format!("/api/crm/tickets/{id}/activities")).await,
        200,
    )
    .await;
    assert_eq!(kinds(&activities), ["created", "entry_linked"]);
    assert_eq!(activities[1]["entry_id"], eid);

    // a later message of the same customer is linked to the open ticket
    let open = expect(
        app.get(&format!(
            "/api/crm/customers/{}/tickets?open=true",
            c["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(open["tickets"][0]["id"], t["id"]);
    let mail = app
        .create(
            "/api/crm/comms",
            json!({ "customer_id": c["id"], "type": "email", "direction": "inbound",
                    "subject": "Πάλι η καμπάνα" }),
        )
        .await;
    let linked = expect(
        app.post(
            &format!("/api/crm/tickets/{id}/entries"),
            &json!({ "entry_id": mail["id"] }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(linked["linked_entry_ids"], json!([eid, mail["id"]]));
    // the subject is the entry's when it has one
    let from_mail = expect(
        app.post(
            &format!("/api/crm/comms/{}/ticket", mail["id"].as_str().unwrap()),
            &json!({ "kind": "question" }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(from_mail["subject"], "Πάλι η καμπάνα");
    expect_error(
        app.post(
            "/api/crm/comms/00000000-0000-4000-8000-000000000000/ticket",
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_visit_goes_to_the_customers_city_and_its_parts_leave_the_stock() {
    let app = spawn_app().await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ι.Μ. Αγίου Ιωάννου", "location": { "city": "Ναύπλιο" } }),
        )
        .await;
    let t = ticket(
        &app,
        &c,
        "Ο μηχανισμός κολλάει",
        json!({ "status": "open" }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    let visit = json!({ "starts_at": "2026-12-10T08:00:00Z", "ends_at": "2026-12-10T10:00:00Z",
                        "technician": "nikos" });
    let resp = app
        .post(&format!("/api/crm/tickets/{id}/visits"), &visit)
        .await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let v = expect(resp, 201).await;
    assert_eq!(v["address"], "Ναύπλιο");
    assert_eq!(v["status"], "scheduled");
    assert_eq!(
        location,
        format!("/api/crm/visits/{}", v["id"].as_str().unwrap())
    );
    let bad = json!({ "starts_at": "2026-12-10T10:00:00Z", "ends_at": "2026-12-10T08:00:00Z",
                      "technician": "nikos" });
    let err = expect_error(
        app.post(&format!("/api/crm/tickets/{id}/visits"), &bad)
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "ends_at");

    let part = app.product("HAMMER-1", "40").await;
    assert_eq!(part["stock"]["on_hand"], 100);
    let too_many = json!({ "status": "completed",
                           "parts": [{ "product_id": part["id"], "quantity": 101 }] });
    let err = expect(app.put(&location, &too_many).await, 409).await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HAMMER-1"),
        "{err}"
    );
    let done = expect(
        app.put(
            &location,
            &json!({ "status": "completed", "outcome": "Άλλαξε το σφυρί",
                     "parts": [{ "product_id": part["id"], "quantity": 2 }] }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["parts"][0]["quantity"], 2);
    let part = expect(
        app.get(&format!(
            "/api/crm/products/{}",
            part["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(part["stock"]["on_hand"], 98);
    // done is done
    expect(
        app.put(&location, &json!({ "status": "cancelled" })).await,
        409,
    )
    .await;

    // two technicians press «done» on one visit at once: its parts leave the stock once (with
    // the products in Firestore the parts are taken there first, then the visit completed)
    let second = expect(
        app.post(&format!("/api/crm/tickets/{id}/visits"), &visit)
            .await,
        201,
    )
    .await;
    let second = format!("/api/crm/visits/{}", second["id"].as_str().unwrap());
    let done = json!({ "status": "completed",
                       "parts": [{ "product_id": part["id"], "quantity": 3 }] });
    let (a, b) = tokio::join!(app.put(&second, &done), app.put(&second, &done));
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409]);
    let on_hand = |p: serde_json::Value| p["stock"]["on_hand"].clone();
    let product = format!("/api/crm/products/{}", part["id"].as_str().unwrap());
    assert_eq!(on_hand(expect(app.get(&product).await, 200).await), 95);
    // a cancelled visit takes nothing
    let third = expect(
        app.post(&format!("/api/crm/tickets/{id}/visits"), &visit)
            .await,
        201,
    )
    .await;
    let third = format!("/api/crm/visits/{}", third["id"].as_str().unwrap());
    expect(
        app.put(&third, &json!({ "status": "cancelled" })).await,
        200,
    )
    .await;
    assert_eq!(on_hand(expect(app.get(&product).await, 200).await), 95);
    let activities = expect(
        app.get(&format!("/api/crm/tickets/{id}/activities")).await,
        200,
    )
    .await;
    assert_eq!(
        kinds(&activities),
        [
            "created",
            "visit_scheduled",
            "visit_completed",
            "visit_scheduled",
            "visit_completed",
            "visit_scheduled",
            "visit_cancelled"
        ]
    );
}

#[tokio::test]
async fn a_macro_sets_fields_tags_and_a_note_with_the_customers_name() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Παναγίας").await;
    let t = ticket(&app, &c, "Ερώτηση για εγγύηση", json!({ "status": "open" })).await;
    let id = t["id"].as_str().unwrap();
    let m = app
        .create(
            "/api/crm/macros",
            json!({ "name": "Περιμένουμε τον πελάτη", "actions": [
                { "action": "set_status", "status": "in_progress" },
                { "action": "set_status", "status": "waiting_customer" },
                { "action": "set_assignee", "assignee": "maria" },
                { "action": "add_tag", "tag": "Εγγύηση" },
                { "action": "add_note", "template": "Αγαπητή {customer}, για το {ticket}…",
                  "visibility": "customer" } ] }),
        )
        .await;
    let err = expect_error(
        app.post("/api/crm/macros", &json!({ "name": "x", "actions": [] }))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "actions");
    let macros = expect(app.get("/api/crm/macros").await, 200).await;
    assert_eq!(macros[0]["id"], m["id"]);

    let mid = m["id"].as_str().unwrap();
    let applied = expect(
        app.post(&format!("/api/crm/tickets/{id}/macros/{mid}"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(applied["status"], "waiting_customer");
    assert_eq!(applied["assignee"], "maria");
    assert_eq!(applied["tags"], json!(["Εγγύηση"]));
    let notes = expect(app.get(&format!("/api/crm/tickets/{id}/notes")).await, 200).await;
    assert_eq!(
        notes[0]["text"],
        format!(
            "Αγαπητή Ενορία Παναγίας, για το {}…",
            t["number"].as_str().unwrap()
        )
    );
    let tags = expect(app.get("/api/crm/ticket-tags").await, 200).await;
    assert_eq!(tags, json!([{ "name": "Εγγύηση", "tickets": 1 }]));

    // all or nothing: on a closed ticket the first step is refused, and nothing changes
    let closed = expect(
        app.put(
            &format!("/api/crm/tickets/{id}"),
            &json!({ "status": "closed" }),
        )
        .await,
        200,
    )
    .await;
    let err = expect(
        app.post(&format!("/api/crm/tickets/{id}/macros/{mid}"), &json!({}))
            .await,
        409,
    )
    .await;
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("is closed"), "{message}");
    let after = expect(app.get(&format!("/api/crm/tickets/{id}")).await, 200).await;
    assert_eq!(after, closed);
    let notes = expect(app.get(&format!("/api/crm/tickets/{id}/notes")).await, 200).await;
    assert_eq!(notes.as_array().unwrap().len(), 1);
    let untagged = expect(
        app.delete(&format!("/api/crm/tickets/{id}/tags/εγγύηση"))
            .await,
        200,
    )
    .await;
    assert_eq!(untagged["tags"], json!([]));
}

#[tokio::test]
async fn a_macro_is_edited_in_place_and_keeps_its_id() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/crm/macros",
            &json!({ "name": "Επείγον", "actions": [
                { "action": "set_priority", "priority": "high" } ] }),
        )
        .await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let m = expect(resp, 201).await;
    app.create(
        "/api/crm/macros",
        json!({ "name": "Κλείσιμο", "actions": [
            { "action": "set_status", "status": "closed" } ] }),
    )
    .await;
    let path = format!("/api/crm/macros/{}", m["id"].as_str().unwrap());

    let edit = |name: &str| {
        json!({ "name": name, "actions": [
            { "action": "set_priority", "priority": "urgent" },
            { "action": "add_tag", "tag": "Τηλέφωνο" } ] })
    };
    let resp = app
        .req(Method::PUT, &path)
        .header("If-Match", &etag)
        .json(&edit("Πολύ επείγον"))
        .send()
        .await
        .unwrap();
    let new_etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let edited = expect(resp, 200).await;
    assert_eq!(edited["id"], m["id"]);
    assert_eq!(edited["name"], "Πολύ επείγον");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["created_at"], m["created_at"]);
    assert_eq!(edited["actions"][1]["tag"], "Τηλέφωνο");
    let macros = expect(app.get("/api/crm/macros").await, 200).await;
    assert_eq!(macros.as_array().unwrap().len(), 2);
    assert!(macros.as_array().unwrap().contains(&edited));

    // someone else's edit came first: the old ETag is refused and nothing changes
    let stale = app
        .req(Method::PUT, &path)
        .header("If-Match", &etag)
        .json(&edit("Άλλο όνομα"))
        .send()
        .await
        .unwrap();
    expect_error(stale, 412, "stale_version").await;
    // the other macro's name, in other letters' case, is taken
    let taken = app
        .req(Method::PUT, &path)
        .header("If-Match", &new_etag)
        .json(&edit("ΚΛΕΊΣΙΜΟ"))
        .send()
        .await
        .unwrap();
    expect_error(taken, 409, "conflict").await;
    let err = expect_error(
        app.put(&path, &json!({ "name": "x", "actions": [] })).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "actions");
    let nil = "00000000-0000-4000-8000-000000000000";
    expect_error(
        app.put(&format!("/api/crm/macros/{nil}"), &edit("Κάτι"))
            .await,
        404,
        "not_found",
    )
    .await;
    let macros_after = expect(app.get("/api/crm/macros").await, 200).await;
    assert_eq!(macros_after, macros);
}

#[tokio::test]
async fn the_queue_filters_by_status_assignee_and_overdue() {
    let app = spawn_app().await;
    let c = app.customer("Ενορία Αγίου Γεωργίου").await;
    let late = ticket(
        &app,
        &c,
        "Καθυστερημένο",
        json!({ "status": "open", "assignee": "nikos", "due_at": "2020-01-01T00:00:00Z" }),
    )
    .await;
    let later = ticket(
        &app,
        &c,
        "Για του χρόνου",
        json!({ "status": "open", "assignee": "maria", "due_at": "2099-01-01T00:00:00Z" }),
    )
    .await;
    let fresh = ticket(&app, &c, "Νέο", json!({})).await;
    let ids = |list: &Value| -> Vec<Value> {
        list["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect()
    };
    let all = expect(app.get("/api/crm/tickets").await, 200).await;
    assert_eq!(all["total"], 3);
    assert_eq!(
        ids(&all),
        [fresh["id"].clone(), later["id"].clone(), late["id"].clone()]
    );
    let open = expect(app.get("/api/crm/tickets?status=open").await, 200).await;
    assert_eq!(ids(&open), [later["id"].clone(), late["id"].clone()]);
    let both = expect(
        app.get("/api/crm/tickets?status=new,open&sort=due").await,
        200,
    )
    .await;
    assert_eq!(
        ids(&both),
        [late["id"].clone(), later["id"].clone(), fresh["id"].clone()]
    );
    let mine = expect(app.get("/api/crm/tickets?assignee=maria").await, 200).await;
    assert_eq!(ids(&mine), [later["id"].clone()]);
    let overdue = expect(app.get("/api/crm/tickets?overdue=true").await, 200).await;
    assert_eq!(ids(&overdue), [late["id"].clone()]);
    for (query, field) in [
        ("status=opened", "status"),
        ("priority=urgentest", "priority"),
        ("overdue=maybe", "overdue"),
    ] {
        let err = expect_error(
            app.get(&format!("/api/crm/tickets?{query}")).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{query}: {err}");
    }
    let cid = c["id"].as_str().unwrap();
    let theirs = expect(
        app.get(&format!("/api/crm/customers/{cid}/tickets")).await,
        200,
    )
    .await;
    assert_eq!(theirs["total"], 3);
    expect_error(
        app.get("/api/crm/customers/00000000-0000-4000-8000-000000000000/tickets")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_serials_history_and_the_customers_timeline_show_the_service_desk() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίου Σπυρίδωνος").await;
    let controller = app
        .create(
            "/api/crm/products",
            json!({ "name": "VESPER controller", "sku": "VESPER-9", "category": "controller",
                    "price": 1200, "warranty_months": 36, "stock": { "on_hand": 5 } }),
        )
        .await;
    let o = app
        .create(
            "/api/crm/orders",
            json!({ "customer_id": c["id"], "items": [
                { "product_id": controller["id"], "quantity": 1, "unit_price": 1200,
                  "serial_numbers": ["VSP-9001"] }] }),
        )
        .await;
    let oid = o["id"].as_str().unwrap();
    for status in ["confirmed", "shipped", "delivered"] {
        expect(
            app.put(
                &format!("/api/crm/orders/{oid}"),
                &json!({ "status": status }),
            )
            .await,
            200,
        )
        .await;
    }
    let t = ticket(
        &app,
        &c,
        "Ο ελεγκτής δεν ξυπνά",
        json!({ "owned_item_serial": "VSP-9001", "order_id": o["id"] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    expect(
        app.put(
            &format!("/api/crm/tickets/{id}"),
            &json!({ "status": "open" }),
        )
        .await,
        200,
    )
    .await;
    let v = app
        .create(
            &format!("/api/crm/tickets/{id}/visits"),
            json!({ "starts_at": "2026-12-10T08:00:00Z", "ends_at": "2026-12-10T10:00:00Z",
                    "technician": "nikos", "address": "Κέρκυρα" }),
        )
        .await;

    let history = expect(app.get("/api/crm/serials/VSP-9001").await, 200).await;
    assert_eq!(history["orders"][0]["id"], o["id"]);
    assert_eq!(history["tickets"][0]["ticket"]["id"], t["id"]);
    assert_eq!(history["tickets"][0]["visits"][0]["id"], v["id"]);

    let cid = c["id"].as_str().unwrap();
    let timeline = expect(
        app.get(&format!("/api/crm/customers/{cid}/timeline")).await,
        200,
    )
    .await;
    let items = timeline["items"].as_array().unwrap();
    let of_ticket: Vec<&str> = items
        .iter()
        .filter(|i| i["link_id"] == t["id"])
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(of_ticket, ["visit", "ticket_status", "ticket_created"]);
    let visit = items.iter().find(|i| i["kind"] == "visit").unwrap();
    assert_eq!(visit["ticket"]["kind"], "visit_scheduled");
    assert_eq!(visit["ticket"]["number"], t["number"]);

    // page by page, one item at a time: every item once, in the same order
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit=1&cursor={}", c.replace('+', "%2B")),
            None => "?limit=1".to_owned(),
        };
        let page = expect(
            app.get(&format!("/api/crm/customers/{cid}/timeline{q}"))
                .await,
            200,
        )
        .await;
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(&paged, items);
}

#[tokio::test]
async fn the_openapi_documents_the_service_desk_apart_from_orders_and_customers() {
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
    let paths = &doc["paths"];
    for (path, method, statuses) in [
        (
            "/api/crm/tickets",
            "post",
            &["201", "401", "403", "422"][..],
        ),
        (
            "/api/crm/tickets/{id}",
            "put",
            &["200", "404", "409", "412", "422"][..],
        ),
        (
            "/api/crm/comms/{id}/ticket",
            "post",
            &["201", "404", "422"][..],
        ),
        ("/api/crm/visits/{id}", "put", &["200", "404", "409"][..]),
        (
            "/api/crm/macros/{id}",
            "put",
            &["200", "403", "404", "409", "412", "422"][..],
        ),
        (
            "/api/crm/tickets/{id}/macros/{macro_id}",
            "post",
            &["200", "409"][..],
        ),
        ("/api/crm/ticket-tags", "get", &["200", "401", "403"][..]),
    ] {
        for s in statuses {
            assert!(
                paths[path][method]["responses"][s].is_object(),
                "{method} {path} documents {s}"
            );
        }
    }
    assert!(paths["/api/crm/tickets/{id}"]["delete"].is_null());
    let schemas = &doc["components"]["schemas"];
    let names = |s: &str| schemas[s]["enum"].as_array().unwrap().clone();
    assert!(names("TicketStatus").contains(&json!("waiting_customer")));
    assert!(
        names("Status").contains(&json!("draft")),
        "the orders' status"
    );
    assert!(schemas["TicketNote"].is_object() && schemas["Note"].is_object());
}
