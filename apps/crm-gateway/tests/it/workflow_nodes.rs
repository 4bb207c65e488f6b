//! The `http_request` and AI workflow nodes through the running gateway, against
//! `llm_client::testing::ScriptedPeer` on loopback: the peer stands in for the called service
//! and for an OpenAI-compatible model server (none runs where the tests do).

use llm_client::testing::{Reply, ScriptedPeer};
use serde_json::{Value, json};

use crate::helpers::*;

/// Saves a manual workflow of `nodes` and runs it once with `input`: the run with its steps.
async fn run_once(app: &TestApp, nodes: Value, input: Value) -> Value {
    let body =
        json!({"name": "Nodes", "definition": {"trigger": {"kind": "manual"}, "nodes": nodes}});
    let w = expect(app.post("/api/crm/workflows", &body).await, 201).await;
    let id = w["id"].as_str().unwrap();
    let path = format!("/api/crm/workflows/{id}/runs");
    expect(app.post(&path, &json!({ "input": input })).await, 201).await
}

fn call(peer: &ScriptedPeer) -> Value {
    json!([{"key": "call", "kind": "http_request", "config": {
        "url": format!("{}/hooks/{{{{ trigger.order }}}}", peer.url()),
        "method": "POST",
        "headers": {"X-Source": "crm {{ trigger.order }}"},
        "body": "{\"order\": \"{{ trigger.order }}\"}",
    }}])
}

#[tokio::test]
async fn an_http_request_to_a_loopback_address_is_refused_unless_the_configuration_allows_it() {
    let peer = ScriptedPeer::start().await.unwrap();
    let app = spawn_app().await;
    let run = run_once(&app, call(&peer), json!({"order": "ORD-7"})).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = run["steps"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("127.0.0.1 is a loopback address")
            && error.contains("CRM_WORKFLOW_HTTP_ALLOW"),
        "{run}"
    );
    assert!(peer.requests().is_empty(), "the peer was called");

    let app = spawn_app_with(|c| c.workflow_http_allow = "127.0.0.1".parse().unwrap()).await;
    peer.push(Reply::Json(
        200,
        json!({"accepted": true, "ticket": "Χ-12"}),
    ));
    let run = run_once(&app, call(&peer), json!({"order": "ORD-7"})).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        run["steps"][0]["output"],
        json!({
            "status": 200,
            "body": r#"{"accepted":true,"ticket":"Χ-12"}"#,
            "json": {"accepted": true, "ticket": "Χ-12"},
        }),
        "{run}"
    );
    let sent = &peer.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/hooks/ORD-7")
    );
    assert_eq!(sent.header("x-source"), Some("crm ORD-7"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.json(), json!({"order": "ORD-7"}));

    // an error status fails the node, naming it
    peer.push(Reply::text(503, "maintenance until 14:00"));
    let run = run_once(&app, call(&peer), json!({"order": "ORD-8"})).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = run["steps"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("503") && error.contains("maintenance until 14:00"),
        "{run}"
    );
}

#[tokio::test]
async fn an_ai_intent_node_asks_the_model_and_gives_one_of_the_intents() {
    let model = ScriptedPeer::start().await.unwrap();
    let app = spawn_app_with(|c| {
        c.llm = Some(llm_client::Config {
            api_key: Some("sk-test-key".into()),
            ..llm_client::Config::new(format!("{}/v1", model.url()), "llama3.1:8b")
        });
    })
    .await;
    model.push(Reply::completion(r#"{"intent": "repair"}"#));
    model.push(Reply::completion("I think it is about a refund."));
    let nodes = json!([
        {"key": "why", "kind": "ai_intent", "next": "again", "config": {
            "text": "{{ trigger.body }}", "intents": "repair, order, question, complaint"}},
        {"key": "again", "kind": "ai_intent", "config": {
            "text": "{{ trigger.body }}", "intents": "repair, order"}},
    ]);
    let text = "Καλησπέρα, η καμπάνα του Αγίου Δημητρίου ράγισε και χρειάζεται επισκευή.";
    let run = run_once(&app, nodes, json!({"body": text})).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        run["steps"][0]["output"],
        json!({"intent": "repair"}),
        "{run}"
    );
    assert_eq!(
        run["steps"][1]["output"],
        json!({"intent": "other"}),
        "{run}"
    );

    let asked = &model.requests()[0];
    assert_eq!(asked.path, "/v1/chat/completions");
    assert_eq!(asked.header("authorization"), Some("Bearer sk-test-key"));
    let body = asked.json();
    assert_eq!(body["model"], "llama3.1:8b");
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert_eq!(
        body["messages"][1],
        json!({"role": "user", "content": text})
    );
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains(r#""repair", "order", "question", "complaint""#),
        "{system}"
    );
}

#[tokio::test]
async fn saving_an_ai_node_without_a_model_configured_is_refused_naming_the_node() {
    let app = spawn_app().await;
    let nodes = json!([
        {"key": "start", "kind": "stop"},
        {"key": "mood", "kind": "ai_sentiment", "config": {"text": "{{ trigger.body }}"}},
    ]);
    let body = json!({"name": "AI", "definition": {"trigger": {"kind": "manual"}, "nodes": nodes}});
    let e = expect_error(
        app.post("/api/crm/workflows", &body).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(
        e["error"]["details"]["field"], "definition.nodes[1].kind",
        "{e}"
    );
    let message = e["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("CRM_LLM_URL and CRM_LLM_MODEL"), "{e}");
    let list = expect(app.get("/api/crm/workflows").await, 200).await;
    let saved = list["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["name"] == "AI")
        .count();
    assert_eq!(saved, 0, "nothing saved: {list}");
}
