//! CSV import of customers over HTTP and on the command line: an old Excel file of parishes
//! (Windows-1253, semicolons, Greek headers) uploaded, dry-run, run, run again; the rows in
//! error as CSV; cancel; who may do what.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// `s` in Windows-1253, as Excel on a Greek Windows saves a CSV (ASCII and the Greek letters
/// used here only).
pub fn cp1253(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0..=0x7F => c as u8,
            0x386 => 0xA2,
            cp @ 0x388..=0x3CE => u8::try_from(cp - 0x2D0).unwrap(),
            _ => panic!("{c:?} is not in this test's Windows-1253"),
        })
        .collect()
}

/// Two new parishes, one already known by its phone (gains a city and a tag), a duplicate
/// of the first row and a row without a name.
pub const PARISHES: &str = "Ονομασία;Ενορία;Τηλέφωνο;Email;Πόλη;Ετικέτες\r\n\
    Ι.Ν. Αγίου Νικολάου;Ενορία Αγίου Νικολάου;210 123 4567;nikolaos@example.gr;Πειραιάς;καμπάνες\r\n\
    Ι.Ν. Αγίας Τριάδας;;+30 2310 555666;;Θεσσαλονίκη;ρολόι\r\n\
    Ι.Ν. Αγίου Νικολάου (ξανά);;2101234567;;;\r\n\
    ;;2109999999;;Πάτρα;\r\n\
    Ι.Ν. Αγίου Γεωργίου;;0030 2610 444333;;Πάτρα;\r\n";

async fn upload(app: &TestApp, bytes: Vec<u8>, name: &str) -> Value {
    let resp = app
        .req(
            Method::POST,
            &format!("/api/crm/imports/uploads?filename={name}"),
        )
        .header("content-type", "text/csv")
        .body(bytes)
        .send()
        .await
        .unwrap();
    expect(resp, 201).await
}

/// Polls the job until it is no longer `running`.
async fn finished(app: &TestApp, id: &str) -> Value {
    for _ in 0..600 {
        let job = expect(app.get(&format!("/api/crm/imports/{id}")).await, 200).await;
        if job["status"] != "running" && job["status"] != "planned" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import job {id} did not finish");
}

fn outcomes(page: &Value) -> Vec<(u64, String)> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Uploads [`PARISHES`] and dry-runs it with the suggested mapping: the job.
async fn planned(app: &TestApp) -> Value {
    let up = upload(app, cp1253(PARISHES), "parishes.csv").await;
    app.create("/api/crm/imports", json!({ "upload_id": up["upload_id"] }))
        .await
}

#[tokio::test]
async fn imports_need_crm_edit_to_write_and_crm_view_to_read() {
    let app = spawn_app().await;
    let job = planned(&app).await;
    let id = job["id"].as_str().unwrap();
    let reads = [
        "/api/crm/imports".to_owned(),
        format!("/api/crm/imports/{id}"),
        format!("/api/crm/imports/{id}/rows"),
        format!("/api/crm/imports/{id}/errors.csv"),
    ];
    let nil = "00000000-0000-4000-8000-000000000000";
    let writes = [
        "/api/crm/imports/uploads".to_owned(),
        format!("/api/crm/imports/uploads/{nil}/preview"),
        "/api/crm/imports".to_owned(),
        format!("/api/crm/imports/{id}/run"),
        format!("/api/crm/imports/{id}/cancel"),
    ]
    .map(|path| (Method::POST, path));
    assert_auth_matrix(&app, &reads, &writes).await;
    // the viewer's run was refused: the job is still only planned
    let job = expect(app.get(&format!("/api/crm/imports/{id}")).await, 200).await;
    assert_eq!(job["status"], "planned");
    let list = expect(app.get("/api/crm/customers").await, 200).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_windows_1253_semicolon_file_is_dry_run_then_run_and_a_rerun_changes_nothing() {
    let app = spawn_app().await;
    let known = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ιερός Ναός Αγίας Τριάδας", "contacts": [{"type": "phone", "value": "2310555666"}] }),
        )
        .await;

    let up = upload(&app, cp1253(PARISHES), "ενορίες.csv").await;
    assert_eq!(up["file_name"], "ενορίες.csv");
    assert_eq!(up["encoding"], "windows1253");
    assert_eq!(up["delimiter"], "semicolon");
    assert_eq!(up["headers"][0], "Ονομασία");
    assert_eq!(
        up["suggested"],
        json!(["name", "organization", "phone", "email", "city", "tags"])
    );
    assert_eq!(up["total_rows"], 5);
    assert_eq!(up["rows"][0]["customer"]["name"], "Ι.Ν. Αγίου Νικολάου");
    assert_eq!(up["rows"][0]["customer"]["location"]["city"], "Πειραιάς");
    assert_eq!(up["rows"][3]["error"]["column"], "Ονομασία");

    // a preview with another mapping: the city column ignored
    let other = expect(
        app.post(
            &format!(
                "/api/crm/imports/uploads/{}/preview",
                up["upload_id"].as_str().unwrap()
            ),
            &json!({ "mapping": ["name", "organization", "phone", "email", "ignore", "tags"] }),
        )
        .await,
        200,
    )
    .await;
    assert!(other["rows"][0]["customer"]["location"]["city"].is_null());

    // the dry run: totals and every row's outcome; nothing written
    let job = app
        .create("/api/crm/imports", json!({ "upload_id": up["upload_id"] }))
        .await;
    assert_eq!(job["status"], "planned");
    assert_eq!(job["file_name"], "ενορίες.csv");
    assert_eq!(
        job["totals"],
        json!({"rows": 5, "create": 2, "update": 1, "unchanged": 0, "skip": 1, "error": 1})
    );
    let id = job["id"].as_str().unwrap().to_owned();
    let rows = expect(app.get(&format!("/api/crm/imports/{id}/rows")).await, 200).await;
    assert_eq!(
        outcomes(&rows),
        [
            (2, "create".to_owned()),
            (3, "update".to_owned()),
            (4, "skip".to_owned()),
            (5, "error".to_owned()),
            (6, "create".to_owned()),
        ]
    );
    assert_eq!(rows["rows"][1]["customer_id"], known["id"]);
    assert_eq!(rows["rows"][2]["duplicate_of"], 2);
    assert!(rows["next_after"].is_null());
    // filtered and paged
    let page = expect(
        app.get(&format!(
            "/api/crm/imports/{id}/rows?outcome=create&limit=1"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(outcomes(&page), [(2, "create".to_owned())]);
    assert_eq!(page["next_after"], 2);
    let next = expect(
        app.get(&format!(
            "/api/crm/imports/{id}/rows?outcome=create&limit=1&after=2"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(outcomes(&next), [(6, "create".to_owned())]);
    expect_error(
        app.get(&format!("/api/crm/imports/{id}/rows?outcome=maybe"))
            .await,
        422,
        "invalid_field",
    )
    .await;
    let before = expect(app.get("/api/crm/customers").await, 200).await;
    assert_eq!(before["total"], 1, "a dry run writes nothing");

    // the run, in the background
    let started = expect(
        app.post(&format!("/api/crm/imports/{id}/run"), &json!({}))
            .await,
        202,
    )
    .await;
    assert_ne!(started["status"], "planned");
    let done = finished(&app, &id).await;
    assert_eq!(done["status"], "done");
    let rows = expect(app.get(&format!("/api/crm/imports/{id}/rows")).await, 200).await;
    assert!(rows["rows"][0]["customer_id"].is_string(), "{rows}");
    assert_eq!(rows["rows"][0]["written"], true);
    assert_eq!(done["written"], 5);
    assert_eq!(done["totals"], job["totals"]);
    // a job runs once
    expect_error(
        app.post(&format!("/api/crm/imports/{id}/run"), &json!({}))
            .await,
        409,
        "conflict",
    )
    .await;
    let list = expect(app.get("/api/crm/customers?search=Νικολάου").await, 200).await;
    assert_eq!(list["total"], 1);
    let nikolaos = &list["customers"][0];
    assert_eq!(nikolaos["organization"], "Ενορία Αγίου Νικολάου");
    assert_eq!(nikolaos["tags"], json!(["καμπάνες"]));
    let triada = expect(
        app.get(&format!(
            "/api/crm/customers/{}",
            known["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(
        triada["name"], "Ιερός Ναός Αγίας Τριάδας",
        "names are never changed"
    );
    assert_eq!(triada["location"]["city"], "Θεσσαλονίκη");
    let all = expect(app.get("/api/crm/customers").await, 200).await;
    assert_eq!(all["total"], 3);

    // the same file again: all unchanged, the same skip and error
    let again = upload(&app, cp1253(PARISHES), "ενορίες.csv").await;
    let job2 = app
        .create(
            "/api/crm/imports",
            json!({ "upload_id": again["upload_id"] }),
        )
        .await;
    assert_eq!(
        job2["totals"],
        json!({"rows": 5, "create": 0, "update": 0, "unchanged": 3, "skip": 1, "error": 1})
    );
    let id2 = job2["id"].as_str().unwrap();
    expect(
        app.post(&format!("/api/crm/imports/{id2}/run"), &json!({}))
            .await,
        202,
    )
    .await;
    assert_eq!(finished(&app, id2).await["status"], "done");
    let all = expect(app.get("/api/crm/customers").await, 200).await;
    assert_eq!(all["total"], 3);
    let triada = expect(
        app.get(&format!(
            "/api/crm/customers/{}",
            known["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(triada["version"], 2, "updated once, by the first run only");

    // the jobs, newest first
    let jobs = expect(app.get("/api/crm/imports").await, 200).await;
    assert_eq!(jobs.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_rows_in_error_download_as_a_csv_to_fix_and_import_again() {
    let app = spawn_app().await;
    let job = planned(&app).await;
    let id = job["id"].as_str().unwrap();
    let resp = app.get(&format!("/api/crm/imports/{id}/errors.csv")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("parishes-errors.csv"), "{disposition}");
    let body = resp.bytes().await.unwrap();
    let text = std::str::from_utf8(body.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM")).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "Ονομασία;Ενορία;Τηλέφωνο;Email;Πόλη;Ετικέτες;error"
    );
    assert!(
        lines[1].starts_with(";;2109999999;;Πάτρα;;Ονομασία"),
        "{}",
        lines[1]
    );
    expect_error(
        app.get("/api/crm/imports/00000000-0000-4000-8000-000000000000/errors.csv")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_mapping_that_does_not_fit_the_file_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let up = upload(&app, cp1253(PARISHES), "parishes.csv").await;
    let uid = up["upload_id"].clone();
    let cases = [
        (
            json!({"upload_id": uid, "mapping": ["name", "phone"]}),
            "mapping",
        ),
        (
            json!({"upload_id": uid, "mapping": ["name", "name", "phone", "email", "city", "tags"]}),
            "mapping[1]",
        ),
        (
            json!({"upload_id": uid, "mapping": ["ignore", "ignore", "phone", "email", "city", "tags"]}),
            "mapping",
        ),
        (
            json!({"upload_id": uid, "mapping": ["name", "organization", "phone", "email", "city", "colour"]}),
            "mapping[5]",
        ),
        (
            json!({"upload_id": uid, "key": {"by": "column", "column": 9}}),
            "key.column",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            app.post("/api/crm/imports", &body).await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(err["error"]["details"]["field"], field, "{body}");
    }
    // an upload that is not there (any more)
    expect_error(
        app.post(
            "/api/crm/imports",
            &json!({"upload_id": "00000000-0000-4000-8000-000000000000"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // uploads are held for a dry run, the newest eight only
    let first = upload(&app, cp1253(PARISHES), "first.csv").await;
    for i in 0..8 {
        upload(&app, cp1253(PARISHES), &format!("later-{i}.csv")).await;
    }
    expect_error(
        app.post(
            "/api/crm/imports",
            &json!({"upload_id": first["upload_id"]}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // a file with nothing in it
    let resp = app
        .req(Method::POST, "/api/crm/imports/uploads?filename=empty.csv")
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    expect_error(resp, 422, "invalid_field").await;
    let jobs = expect(app.get("/api/crm/imports").await, 200).await;
    assert_eq!(jobs, json!([]), "nothing refused was recorded");
}

#[tokio::test]
async fn a_form_upload_keeps_its_file_name_and_a_file_over_20_mib_is_413() {
    let app = spawn_app().await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(cp1253(PARISHES)).file_name("Πελάτες 2019.csv"),
    );
    let resp = app
        .req(Method::POST, "/api/crm/imports/uploads")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let up = expect(resp, 201).await;
    assert_eq!(up["file_name"], "Πελάτες 2019.csv");
    assert_eq!(up["encoding"], "windows1253");

    let mut big = b"name,phone\r\n".to_vec();
    while big.len() <= 20 * 1024 * 1024 {
        big.extend_from_slice(b"Parish of Saint Nicholas of the Sea,2101234567\r\n");
    }
    let resp = app
        .req(Method::POST, "/api/crm/imports/uploads?filename=big.csv")
        .body(big)
        .send()
        .await
        .unwrap();
    let err = expect_error(resp, 413, "payload_too_large").await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("20971520"),
        "{err}"
    );
}

#[tokio::test]
async fn a_running_import_can_be_cancelled_and_keeps_whole_batches() {
    let app = spawn_app().await;
    let mut csv = String::from("Name,Phone\n");
    for i in 0..7_000 {
        csv += &format!("Parish {i},+30 210 {:07}\n", 1_000_000 + i);
    }
    let up = upload(&app, csv.into_bytes(), "many.csv").await;
    let job = app
        .create("/api/crm/imports", json!({ "upload_id": up["upload_id"] }))
        .await;
    assert_eq!(job["totals"]["create"], 7_000);
    let id = job["id"].as_str().unwrap();
    // not running yet: nothing to cancel
    expect_error(
        app.post(&format!("/api/crm/imports/{id}/cancel"), &json!({}))
            .await,
        409,
        "conflict",
    )
    .await;
    expect(
        app.post(&format!("/api/crm/imports/{id}/run"), &json!({}))
            .await,
        202,
    )
    .await;
    expect(
        app.post(&format!("/api/crm/imports/{id}/cancel"), &json!({}))
            .await,
        202,
    )
    .await;
    let job = finished(&app, id).await;
    assert_eq!(job["status"], "cancelled");
    let written = job["written"].as_u64().unwrap();
    assert!(
        written > 0 && written < 7_000 && written % 2_000 == 0,
        "{job}"
    );
    let all = expect(app.get("/api/crm/customers?limit=1").await, 200).await;
    assert_eq!(all["total"].as_u64().unwrap(), written);
    let rows = expect(
        app.get(&format!("/api/crm/imports/{id}/rows?limit=1000&after=6000"))
            .await,
        200,
    )
    .await;
    assert!(
        rows["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["written"] == false)
    );
    // a cancelled job stays cancelled: import the file again for the rest
    expect_error(
        app.post(&format!("/api/crm/imports/{id}/run"), &json!({}))
            .await,
        409,
        "conflict",
    )
    .await;
}

#[test]
fn crm_import_customers_dry_runs_and_runs_a_file_on_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ενορίες.csv");
    std::fs::write(&file, cp1253(PARISHES)).unwrap();
    let file = file.to_str().unwrap();
    let data = dir.path().join("data");

    let dry = run_crm(
        &data,
        &[
            "import",
            "customers",
            file,
            "--dry-run",
            "--map",
            "Πόλη=ignore",
        ],
    );
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(out.contains("windows1253"), "{out}");
    assert!(out.contains("Ονομασία → name"), "{out}");
    assert!(out.contains("3 create"), "{out}");
    assert!(out.contains("1 skip"), "{out}");
    assert!(out.contains("Πόλη → ignore"), "{out}");
    assert!(out.contains("row 5"), "the row in error is named: {out}");
    assert!(out.contains("dry run"), "{out}");

    let run = run_crm(&data, &["import", "customers", file, "--key", "Τηλέφωνο"]);
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains("Πόλη → city"), "{out}");
    assert!(out.contains("done"), "{out}");
    let again = run_crm(&data, &["import", "customers", file]);
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{out}");
    assert!(out.contains("3 unchanged"), "{out}");

    for bad in [
        vec!["import", "customers", file, "--map", "Πόλη=colour"],
        vec!["import", "customers", file, "--map", "Nope=city"],
        vec!["import", "customers", file, "--key", "Nope"],
        vec!["import", "customers", "/nonexistent/file.csv"],
    ] {
        let out = run_crm(&data, &bad);
        assert!(!out.status.success(), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?}");
    }
}

/// Runs `crm` on the data dir `data` (SQLite), as an office would on the server.
fn run_crm(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .env("CRM_DATA_DIR", data)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn")
        .env_remove("CRM_STORE")
        .output()
        .unwrap()
}
