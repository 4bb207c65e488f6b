//! User administration (`/api/admin/users`, permission `crm:admin`), `/api/auth/me`, and
//! click-to-call from the caller's own extension.

use std::time::Duration;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;

const ANNA_PASSWORD: &str = "kampanes-admin-1";

/// A server with one administrator, `anna`, created as on a new installation
/// (`crm user add anna --admin`), and her token.
async fn with_admin() -> (TestApp, String) {
    let app = spawn_app().await;
    let out = run_crm_user(
        &app.data_dir,
        &["add", "anna", "--admin", "--password-stdin"],
        &format!("{ANNA_PASSWORD}\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let token = login_token(&app, "anna", ANNA_PASSWORD).await;
    (app, token)
}

async fn login(app: &TestApp, user: &str, password: &str) -> Response {
    app.client
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn login_token(app: &TestApp, user: &str, password: &str) -> String {
    let body = expect(login(app, user, password).await, 200).await;
    body["access_token"].as_str().unwrap().to_owned()
}

/// `method path` with `token` and, when not null, the JSON `body`.
async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if !body.is_null() {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

async fn status(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> u16 {
    call(app, token, method, path, body).await.status().as_u16()
}

/// Creates a user as the administrator of `admin` and returns its representation.
async fn create_user(app: &TestApp, admin: &str, body: Value) -> Value {
    let resp = call(app, admin, Method::POST, "/api/admin/users", body).await;
    expect(resp, 201).await
}

/// Every administration route, with a body each accepts.
fn admin_routes() -> Vec<(Method, &'static str, Value)> {
    vec![
        (Method::GET, "/api/admin/users", Value::Null),
        (
            Method::POST,
            "/api/admin/users",
            json!({"username": "nikos", "password": "long enough", "permissions": []}),
        ),
        (Method::GET, "/api/admin/users/anna", Value::Null),
        (
            Method::PUT,
            "/api/admin/users/anna",
            json!({"extension": "201"}),
        ),
        (
            Method::POST,
            "/api/admin/users/anna/password",
            json!({"password": "another password"}),
        ),
        (Method::DELETE, "/api/admin/users/anna", Value::Null),
    ]
}

#[tokio::test]
async fn every_admin_route_needs_crm_admin() {
    let (app, _anna) = with_admin().await;
    for (method, path, body) in admin_routes() {
        // viewing and editing are not administering
        for token in [&app.token, &app.view_token] {
            let resp = call(&app, token, method.clone(), path, body.clone()).await;
            let err = expect_error(resp, 403, "forbidden").await;
            assert!(
                err["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("crm:admin"),
                "{method} {path}: {err}"
            );
        }
        let anonymous = app
            .client
            .request(method.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{method} {path}");
    }
    // nothing was done by the refused calls
    let anna = login_token(&app, "anna", ANNA_PASSWORD).await;
    let users = expect(
        call(&app, &anna, Method::GET, "/api/admin/users", Value::Null).await,
        200,
    )
    .await;
    assert_eq!(users["users"].as_array().unwrap().len(), 1, "{users}");
    // and crm:admin alone is neither crm:view nor crm:edit
    create_user(
        &app,
        &anna,
        json!({"username": "root", "password": "long enough", "permissions": ["crm:admin"]}),
    )
    .await;
    let root = login_token(&app, "root", "long enough").await;
    assert_eq!(
        status(&app, &root, Method::GET, "/api/admin/users", Value::Null).await,
        200
    );
    assert_eq!(
        status(&app, &root, Method::GET, "/api/crm/customers", Value::Null).await,
        403
    );
}

#[tokio::test]
async fn an_admin_creates_a_view_only_user_who_can_read_but_not_write() {
    let (app, anna) = with_admin().await;
    let maria = create_user(
        &app,
        &anna,
        json!({
            "username": "maria",
            "password": "correct horse",
            "permissions": ["crm:view"],
            "display_name": "Μαρία Παπαδοπούλου",
            "extension": "201",
            "signature": "Μαρία Παπαδοπούλου\nBellSystems — καμπάνες\n+30 210 000 0000",
        }),
    )
    .await;
    assert_eq!(maria["username"], "maria");
    assert_eq!(maria["permissions"], json!(["crm:view"]));
    assert_eq!(maria["extension"], "201");
    assert_eq!(maria["disabled"], false);

    let list = expect(
        call(&app, &anna, Method::GET, "/api/admin/users", Value::Null).await,
        200,
    )
    .await;
    let users = list["users"].as_array().unwrap();
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["anna", "maria"]);
    assert_eq!(users[0]["permissions"], json!(["crm:view", "crm:admin"]));
    assert_eq!(users[1], maria);
    let text = list.to_string();
    for secret in ["hash", "argon2", "generation", "password"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let one = expect(
        call(
            &app,
            &anna,
            Method::GET,
            "/api/admin/users/MARIA",
            Value::Null,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(one, maria);

    // the name is taken whatever its case; bad fields are named
    let taken = call(
        &app,
        &anna,
        Method::POST,
        "/api/admin/users",
        json!({"username": "MARIA", "password": "another one", "permissions": []}),
    )
    .await;
    expect_error(taken, 409, "user_exists").await;
    for (body, field) in [
        (
            json!({"username": "nikos", "password": "short", "permissions": []}),
            "password",
        ),
        (
            json!({"username": "nikos", "password": "long enough", "permissions": ["crm:root"]}),
            "permissions",
        ),
        (
            json!({"username": "two words", "password": "long enough"}),
            "username",
        ),
        (
            json!({"username": "nikos", "password": "long enough", "extension": "20a"}),
            "extension",
        ),
        (
            json!({"username": "nikos", "password": "long enough", "signature": "x".repeat(2001)}),
            "signature",
        ),
        (
            json!({"username": "nikos", "password": "long enough", "display_name": "y".repeat(101)}),
            "display_name",
        ),
    ] {
        let resp = call(&app, &anna, Method::POST, "/api/admin/users", body).await;
        let err = expect_error(resp, 422, "invalid_field").await;
        assert_eq!(err["error"]["details"]["field"], field, "{err}");
    }
    expect_error(
        call(
            &app,
            &anna,
            Method::GET,
            "/api/admin/users/nikos",
            Value::Null,
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // maria logs in: she reads, her writes are refused, administration too
    let token = login_token(&app, "maria", "correct horse").await;
    assert_eq!(
        status(&app, &token, Method::GET, "/api/crm/customers", Value::Null).await,
        200
    );
    assert_eq!(
        status(
            &app,
            &token,
            Method::POST,
            "/api/crm/customers",
            json!({"name": "Ι.Ν. Αγίου Νικολάου"})
        )
        .await,
        403
    );
    assert_eq!(
        status(&app, &token, Method::GET, "/api/admin/users", Value::Null).await,
        403
    );
}

#[tokio::test]
async fn disabling_resetting_the_password_or_the_permissions_end_sessions_at_once() {
    let (app, anna) = with_admin().await;
    create_user(
        &app,
        &anna,
        json!({"username": "maria", "password": "correct horse", "permissions": ["crm:view", "crm:edit"]}),
    )
    .await;
    let read = |token: String| {
        let app = &app;
        async move { status(app, &token, Method::GET, "/api/crm/customers", Value::Null).await }
    };
    let first = login_token(&app, "maria", "correct horse").await;
    assert_eq!(read(first.clone()).await, 200);

    // disabled: her very next request is refused, and she cannot log in
    let disabled = expect(
        call(
            &app,
            &anna,
            Method::PUT,
            "/api/admin/users/maria",
            json!({"disabled": true}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(disabled["disabled"], true);
    assert_eq!(read(first.clone()).await, 401);
    expect_error(
        login(&app, "maria", "correct horse").await,
        401,
        "unauthorized",
    )
    .await;

    // enabled again: a new login works, the old token stays refused
    call(
        &app,
        &anna,
        Method::PUT,
        "/api/admin/users/maria",
        json!({"disabled": false}),
    )
    .await;
    let second = login_token(&app, "maria", "correct horse").await;
    assert_eq!(read(second.clone()).await, 200);
    assert_eq!(read(first).await, 401);

    // a new password: her tokens end, the old password is refused, the new one works
    let reset = call(
        &app,
        &anna,
        Method::POST,
        "/api/admin/users/maria/password",
        json!({"password": "battery staple"}),
    )
    .await;
    assert_eq!(reset.status(), 204);
    assert_eq!(read(second).await, 401);
    expect_error(
        login(&app, "maria", "correct horse").await,
        401,
        "unauthorized",
    )
    .await;
    let third = login_token(&app, "maria", "battery staple").await;
    assert_eq!(read(third.clone()).await, 200);
    let short = call(
        &app,
        &anna,
        Method::POST,
        "/api/admin/users/maria/password",
        json!({"password": "short"}),
    )
    .await;
    let err = expect_error(short, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "password");
    assert_eq!(
        status(
            &app,
            &anna,
            Method::POST,
            "/api/admin/users/nobody/password",
            json!({"password": "long enough"})
        )
        .await,
        404
    );

    // her permissions taken back: the token that carried them ends; she logs in anew
    call(
        &app,
        &anna,
        Method::PUT,
        "/api/admin/users/maria",
        json!({"permissions": ["crm:view"]}),
    )
    .await;
    assert_eq!(read(third).await, 401);
    let fourth = login_token(&app, "maria", "battery staple").await;
    assert_eq!(read(fourth.clone()).await, 200);
    assert_eq!(
        status(
            &app,
            &fourth,
            Method::POST,
            "/api/crm/customers",
            json!({"name": "Ι.Ν. Αγίας Ειρήνης"})
        )
        .await,
        403
    );

    // deleted: gone, and so are her tokens
    let gone = call(
        &app,
        &anna,
        Method::DELETE,
        "/api/admin/users/maria",
        Value::Null,
    )
    .await;
    assert_eq!(gone.status(), 204);
    assert_eq!(read(fourth).await, 401);
    assert_eq!(
        status(
            &app,
            &anna,
            Method::DELETE,
            "/api/admin/users/maria",
            Value::Null
        )
        .await,
        404
    );
}

#[tokio::test]
async fn profile_changes_are_partial_and_null_clears() {
    let (app, anna) = with_admin().await;
    create_user(
        &app,
        &anna,
        json!({"username": "maria", "password": "correct horse", "permissions": ["crm:view"],
               "display_name": "Μαρία", "extension": "201", "signature": "Μαρία\r\nBellSystems"}),
    )
    .await;
    let put = |body: Value| call(&app, &anna, Method::PUT, "/api/admin/users/maria", body);
    let changed = expect(put(json!({"extension": "202"})).await, 200).await;
    assert_eq!(changed["extension"], "202");
    assert_eq!(changed["display_name"], "Μαρία", "absent fields stay");
    assert_eq!(changed["signature"], "Μαρία\nBellSystems");
    assert_eq!(changed["permissions"], json!(["crm:view"]));
    let cleared = expect(
        put(json!({"signature": null, "display_name": null})).await,
        200,
    )
    .await;
    assert_eq!(cleared["signature"], Value::Null);
    assert_eq!(cleared["display_name"], Value::Null);
    assert_eq!(cleared["extension"], "202");
    let err = expect_error(put(json!({"extension": "2"})).await, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "extension");
    let err = expect_error(
        put(json!({"signature": "x".repeat(2001)})).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(err["error"]["details"]["field"], "signature");
    assert_eq!(
        status(
            &app,
            &anna,
            Method::PUT,
            "/api/admin/users/nobody",
            json!({"extension": "203"})
        )
        .await,
        404
    );
    let unknown = put(json!({"password_hash": "x"})).await;
    assert!(
        [400, 422].contains(&unknown.status().as_u16()),
        "{}",
        unknown.status()
    );
}

#[tokio::test]
async fn admins_cannot_cut_themselves_off_nor_remove_the_last_admin() {
    let (app, anna) = with_admin().await;
    // anna on herself: refused with the field named
    for (method, body, field) in [
        (Method::PUT, json!({"disabled": true}), "disabled"),
        (
            Method::PUT,
            json!({"permissions": ["crm:view"]}),
            "permissions",
        ),
        (Method::DELETE, Value::Null, "username"),
    ] {
        let resp = call(&app, &anna, method, "/api/admin/users/anna", body).await;
        let err = expect_error(resp, 422, "invalid_field").await;
        assert_eq!(err["error"]["details"]["field"], field, "{err}");
    }
    // she may change the rest of herself
    let mine = expect(
        call(
            &app,
            &anna,
            Method::PUT,
            "/api/admin/users/anna",
            json!({"permissions": ["crm:admin", "crm:view", "crm:edit"], "extension": "200"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(mine["extension"], "200");
    let anna = login_token(&app, "anna", ANNA_PASSWORD).await;

    // someone else with crm:admin (a token naming no local user): anna is the last enabled
    // administrator, so she stays
    let outside = token(&["crm:admin"]);
    for (method, body) in [
        (Method::PUT, json!({"disabled": true})),
        (Method::PUT, json!({"permissions": ["crm:view"]})),
        (Method::DELETE, Value::Null),
    ] {
        let resp = call(&app, &outside, method, "/api/admin/users/anna", body).await;
        let err = expect_error(resp, 409, "last_admin").await;
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last enabled administrator"),
            "{err}"
        );
    }
    assert_eq!(
        status(&app, &anna, Method::GET, "/api/admin/users", Value::Null).await,
        200
    );

    // with a second administrator, the first can be disabled (by the second)
    create_user(
        &app,
        &anna,
        json!({"username": "bob", "password": "long enough", "permissions": ["crm:admin"]}),
    )
    .await;
    let bob = login_token(&app, "bob", "long enough").await;
    expect(
        call(
            &app,
            &bob,
            Method::PUT,
            "/api/admin/users/anna",
            json!({"disabled": true}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        status(&app, &anna, Method::GET, "/api/admin/users", Value::Null).await,
        401
    );
    // and now bob is the last one
    expect_error(
        call(
            &app,
            &outside,
            Method::DELETE,
            "/api/admin/users/bob",
            Value::Null,
        )
        .await,
        409,
        "last_admin",
    )
    .await;
}

#[tokio::test]
async fn me_tells_the_console_who_is_calling() {
    let (app, anna) = with_admin().await;
    call(
        &app,
        &anna,
        Method::PUT,
        "/api/admin/users/anna",
        json!({"display_name": "Άννα", "extension": "200", "signature": "Άννα\nBellSystems"}),
    )
    .await;
    let me = expect(
        call(&app, &anna, Method::GET, "/api/auth/me", Value::Null).await,
        200,
    )
    .await;
    assert_eq!(
        me,
        json!({"username": "anna", "display_name": "Άννα", "permissions": ["crm:view", "crm:admin"],
               "extension": "200", "signature": "Άννα\nBellSystems"})
    );
    // a token naming no local user: its name and permissions, no profile
    let other = expect(
        call(
            &app,
            &app.view_token,
            Method::GET,
            "/api/auth/me",
            Value::Null,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        other,
        json!({"username": "tester", "display_name": null, "permissions": ["crm:view"],
               "extension": null, "signature": null})
    );
    let anonymous = app
        .client
        .get(format!("{}/api/auth/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn click_to_call_rings_the_callers_own_extension() {
    let (port, mut originated) = scripted_pbx().await;
    let app = spawn_app_with(|c| {
        c.ami = Some(
            ami_bridge::Config::new("127.0.0.1", port, "crm", "ami-secret-for-tests")
                .with_trunks(["PJSIP/trunk-"]),
        );
    })
    .await;
    let out = run_crm_user(
        &app.data_dir,
        &[
            "add",
            "maria",
            "--permissions",
            "crm:view,crm:edit",
            "--password-stdin",
        ],
        "correct horse\n",
    );
    assert!(out.status.success(), "{out:?}");
    let maria = login_token(&app, "maria", "correct horse").await;
    let originate = |token: String| {
        let app = &app;
        async move {
            call(
                app,
                &token,
                Method::POST,
                "/api/crm/calls/originate",
                json!({"number": "691 234 5678"}),
            )
            .await
        }
    };

    // no extension given and none in her profile: told where to set one
    let err = expect_error(originate(maria.clone()).await, 422, "invalid_field").await;
    assert_eq!(err["error"]["details"]["field"], "extension");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("crm user set-extension"),
        "{err}"
    );

    let out = run_crm_user(&app.data_dir, &["set-extension", "maria", "205"], "");
    assert!(out.status.success(), "{out:?}");
    let listed = run_crm_user(&app.data_dir, &["list"], "");
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("\t205"),
        "{listed:?}"
    );
    // the server learns of the change within a second (another process wrote it)
    let mut answer = None;
    for _ in 0..100 {
        let resp = originate(maria.clone()).await;
        if resp.status() == 200 {
            answer = Some(resp.json::<Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer = answer.expect("the call was never placed");
    assert_eq!(answer["response"], "Success", "{answer}");
    let action = next_action(&mut originated, "Originate").await;
    assert_eq!(action.get("Channel"), Some("PJSIP/205"));

    // an extension given still wins
    let resp = call(
        &app,
        &maria,
        Method::POST,
        "/api/crm/calls/originate",
        json!({"extension": "201", "number": "6912345678"}),
    )
    .await;
    expect(resp, 200).await;
    let action = next_action(&mut originated, "Originate").await;
    assert_eq!(action.get("Channel"), Some("PJSIP/201"));
}
