//! `crm backup` and `crm restore` against the real binary, and the scheduled backups.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use crm_core::{FixedClock, Timestamp};

use crate::durability::start_crm;
use crate::helpers::*;

fn crm(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_write_acknowledged_before_it_began() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, base) = start_crm(&data);
    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let writers = Writers::start(&base, &token, "/api/crm/comms", 8, comms_entry);
    writers.until_acked(300).await;
    let began = Instant::now();
    let folder = dir.path().join("backups");
    let out = {
        let (data, folder) = (data.clone(), folder.clone());
        tokio::task::spawn_blocking(move || crm(&data, &["backup", folder.to_str().unwrap()]))
            .await
            .unwrap()
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("verified"), "{printed}");
    let file = PathBuf::from(printed.split(':').next().unwrap());
    assert!(file.starts_with(&folder) && file.is_file(), "{printed}");
    // writes go on after the backup too
    writers.until_acked(writers.acked() + 50).await;

    // a restore over the running server's data is refused
    let out = crm(&data, &["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("a CRM server is running"),
        "{}",
        text(&out.stderr)
    );

    let (acked, _) = writers.stop().await;
    server.kill().unwrap();
    server.wait().unwrap();

    let out = crm(&data, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("the replaced database is kept as"),
        "{}",
        text(&out.stdout)
    );

    let (mut server, base) = start_crm(&data);
    let mut missing = 0;
    let mut present_after = 0;
    for Acked { id, at } in &acked {
        let status = client
            .get(format!("{base}/api/crm/comms/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        match (status.as_u16(), *at < began) {
            (200, false) => present_after += 1,
            (200, true) | (404, false) => {}
            (_, true) => missing += 1,
            (other, false) => panic!("{id}: {other}"),
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let before = acked.iter().filter(|a| a.at < began).count();
    assert!(before >= 300);
    assert_eq!(
        missing, 0,
        "{missing} of {before} writes acknowledged before the backup lost"
    );
    // what was written after the backup finished is not in it: the restore went back in time
    assert!(present_after < acked.len() - before, "{present_after}");
}

#[tokio::test]
async fn backup_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out = crm(dir.path(), &["backup"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("there is no database"),
        "{}",
        text(&out.stderr)
    );
    let junk = dir.path().join("junk.sqlite.zst");
    std::fs::write(&junk, b"not a backup").unwrap();
    let out = crm(dir.path(), &["restore", junk.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not a backup"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn scheduled_backups_keep_the_newest_here_and_in_nextcloud() {
    let (dav, base) = webdav::fresh_folder("backup").await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.nextcloud = Some(
        nextcloud_dav::Config::new(
            webdav::env("WEBDAV_URL"),
            webdav::env("WEBDAV_USER"),
            webdav::env("WEBDAV_PASS"),
        )
        .with_base_path(base.clone()),
    );
    config.backup.keep = 2;
    config.backup.nextcloud_folder = Some("crm-backups".into());
    let config = config.checked().unwrap();
    let clock = FixedClock::new(Timestamp::parse("2026-12-06T03:00:00Z").unwrap());
    let state = crm_gateway::state::AppState::open(&config, Arc::new(clock.clone()))
        .await
        .unwrap();
    let folder = config.backup_dir();
    for _ in 0..3 {
        crm_gateway::backups::scheduled_once(&state, &config, &folder).await;
        clock.advance(time::Duration::hours(24));
    }
    let status = state.backups.status();
    assert_eq!(status.last_error, None);
    assert_eq!(
        status.last_success_at,
        Some(Timestamp::parse("2026-12-08T03:00:00Z").unwrap())
    );
    let here: Vec<String> = crm_core::backup::list(&folder)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected = [
        "crm-20261207T030000Z.sqlite.zst",
        "crm-20261208T030000Z.sqlite.zst",
    ];
    assert_eq!(here, expected);
    let mut there: Vec<String> = dav
        .list(&webdav::p("crm-backups"))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| !e.is_dir)
        .map(|e| e.name)
        .collect();
    there.sort();
    assert_eq!(there, expected);
}
