//! `crm store copy`: SQLite → Firestore (the emulator) → SQLite, through the real binary,
//! checked over HTTP on servers running on each store.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crm_gateway::config::StoreKind;
use serde_json::{Value, json};

use crate::helpers::*;

/// `crm store …` on `data_dir`, its Firestore collections after `prefix`.
fn crm_store(data_dir: &Path, prefix: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("store")
        .args(args)
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn")
        .env("CRM_FIRESTORE_PROJECT", firestore::testing::project_id())
        .env("CRM_FIRESTORE_COLLECTION_PREFIX", prefix)
        .env(
            firestore::EMULATOR_HOST_ENV,
            firestore::testing::emulator_host(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "crm store failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A server on `data_dir` with its records in `store` (Firestore: after `prefix`).
async fn server(data_dir: &Path, store: StoreKind, prefix: &str) -> TestApp {
    let mut config = test_config(data_dir);
    config.store.kind = store;
    config.store.firestore = firestore::testing::config();
    config.store.collection_prefix = prefix.to_owned();
    spawn_app_configured(config).await
}

/// Every record of the three lists, as the API answers them.
async fn everything(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for kind in ["products", "customers", "orders"] {
        let list = expect(app.get(&format!("/api/crm/{kind}?limit=500")).await, 200).await;
        let mut items = list[kind].as_array().unwrap().clone();
        items.sort_by_key(|v| v["id"].as_str().unwrap().to_owned());
        out.extend(items);
    }
    out
}

#[tokio::test]
async fn records_go_to_firestore_and_back_unchanged_and_a_second_copy_writes_nothing() {
    let sqlite_dir = tempfile::tempdir().unwrap();
    let prefix = firestore::testing::collection_prefix("copy");
    let app = server(sqlite_dir.path(), StoreKind::Sqlite, &prefix).await;
    let mut customers = Vec::new();
    for i in 0..30 {
        customers.push(
            app.create(
                "/api/crm/customers",
                json!({"name": format!("Ενορία Αγίου Νικολάου {i}"),
                       "contacts": [{"type": "phone", "value": format!("69123450{i:02}")}],
                       "notes": [{"text": "Καμπάνα 40cm", "by": "maria"}],
                       "tags": ["ενορία"]}),
            )
            .await,
        );
    }
    let bell = app.product("BELL-40", "1250.45").await;
    for c in customers.iter().take(5) {
        let o = app
            .create(
                "/api/crm/orders",
                json!({"customer_id": c["id"], "items": [
                    {"product_id": bell["id"], "quantity": 1, "unit_price": "1250.45"},
                    {"type": "freetext", "description": "Τοποθέτηση", "quantity": 1, "unit_price": "0.1"}]}),
            )
            .await;
        let id = o["id"].as_str().unwrap();
        expect(
            app.put(
                &format!("/api/crm/orders/{id}"),
                &json!({"status": "confirmed"}),
            )
            .await,
            200,
        )
        .await;
    }
    let before = everything(&app).await;
    app.stop().await;

    let first = stdout(&crm_store(
        sqlite_dir.path(),
        &prefix,
        &["copy", "--from", "sqlite", "--to", "firestore"],
    ));
    assert!(first.contains("36 records read, 36 written"), "{first}");
    assert!(first.contains("verified"), "{first}");
    let again = stdout(&crm_store(
        sqlite_dir.path(),
        &prefix,
        &["copy", "--from", "sqlite", "--to", "firestore"],
    ));
    assert!(again.contains("36 records read, 0 written"), "{again}");

    // a server on Firestore answers exactly what the SQLite one did
    let scratch = tempfile::tempdir().unwrap();
    let on_firestore = server(scratch.path(), StoreKind::Firestore, &prefix).await;
    assert_eq!(everything(&on_firestore).await, before);
    // and numbering goes on after the copied orders
    let next = on_firestore
        .create(
            "/api/crm/orders",
            json!({"customer_id": customers[9]["id"], "items": []}),
        )
        .await;
    assert!(
        next["order_number"].as_str().unwrap().ends_with("-006"),
        "{next}"
    );
    let order_id = next["id"].as_str().unwrap().to_owned();
    expect(
        on_firestore
            .delete(&format!("/api/crm/orders/{order_id}"))
            .await,
        204,
    )
    .await;
    on_firestore.stop().await;

    // back into a fresh SQLite file
    let back_dir = tempfile::tempdir().unwrap();
    let back = stdout(&crm_store(
        back_dir.path(),
        &prefix,
        &["copy", "--from", "firestore", "--to", "sqlite"],
    ));
    assert!(back.contains("verified"), "{back}");
    let on_sqlite = server(back_dir.path(), StoreKind::Sqlite, &prefix).await;
    assert_eq!(everything(&on_sqlite).await, before);
}

#[tokio::test]
async fn a_copy_killed_half_way_finishes_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = firestore::testing::collection_prefix("resume");
    let app = server(dir.path(), StoreKind::Sqlite, &prefix).await;
    let n = 1_500;
    for chunk in 0..n / 100 {
        let batch: Vec<_> = (0..100)
            .map(|i| {
                let k = chunk * 100 + i;
                app.create(
                    "/api/crm/customers",
                    json!({"name": format!("Πελάτης {k:05}")}),
                )
            })
            .collect();
        futures_util::future::join_all(batch).await;
    }
    app.stop().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(["store", "copy", "--from", "sqlite", "--to", "firestore"])
        .args(["--page-size", "100"])
        .env("CRM_DATA_DIR", dir.path())
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn")
        .env("CRM_FIRESTORE_PROJECT", firestore::testing::project_id())
        .env("CRM_FIRESTORE_COLLECTION_PREFIX", &prefix)
        .env(
            firestore::EMULATOR_HOST_ENV,
            firestore::testing::emulator_host(),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let checkpoint = dir.path().join("store-copy-sqlite-firestore.json");
    // killed as soon as one page of customers is in (or when it is done, on a fast machine)
    for _ in 0..600 {
        let customers_started =
            std::fs::read_to_string(&checkpoint).is_ok_and(|c| c.contains("customers"));
        if customers_started || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    child.wait().unwrap();
    let resumed = checkpoint.exists();

    let out = stdout(&crm_store(
        dir.path(),
        &prefix,
        &[
            "copy",
            "--from",
            "sqlite",
            "--to",
            "firestore",
            "--page-size",
            "100",
        ],
    ));
    assert!(out.contains("verified"), "{out}");
    assert!(!checkpoint.exists(), "the checkpoint is removed once done");
    if resumed {
        // it started after the last page saved, not from the first customer
        let read: u64 = out
            .split("records read")
            .next()
            .and_then(|s| s.rsplit(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{out}"));
        assert!(read < n, "{out}");
    }
}
