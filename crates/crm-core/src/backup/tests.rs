use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite_migration::{M, Migrations};

use super::*;
use crate::{Db, DbError};

async fn insert(db: &Db, id: i64) {
    db.write(move |c| {
        c.execute("INSERT INTO backup_probe (id) VALUES (?1)", [id])
            .map_err(DbError::from)
    })
    .await
    .unwrap();
}

fn ids(path: &Path) -> Vec<i64> {
    let conn = Connection::open(path).unwrap();
    let mut s = conn
        .prepare("SELECT id FROM backup_probe ORDER BY id")
        .unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

async fn probe_db(dir: &Path) -> Db {
    let db = Db::open(dir.join("crm.sqlite")).unwrap();
    db.write(|c| {
        c.execute_batch("CREATE TABLE backup_probe (id INTEGER PRIMARY KEY)")
            .map_err(DbError::from)
    })
    .await
    .unwrap();
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_write_acknowledged_before_it_began() {
    let dir = tempfile::tempdir().unwrap();
    let db = probe_db(dir.path()).await;
    for id in 0..500 {
        insert(&db, id).await;
    }
    // writers keep going through the backup; `acked` is the highest id acknowledged
    let acked = Arc::new(AtomicI64::new(499));
    let writers = {
        let (db, acked) = (db.clone(), Arc::clone(&acked));
        tokio::spawn(async move {
            for id in 500..5_000 {
                insert(&db, id).await;
                acked.store(id, Ordering::SeqCst);
            }
        })
    };
    while acked.load(Ordering::SeqCst) < 700 {
        tokio::task::yield_now().await;
    }
    let before = acked.load(Ordering::SeqCst);
    let database = db.path().to_path_buf();
    let folder = dir.path().join("backups");
    let backup = tokio::task::spawn_blocking(move || {
        create(&database, &folder, &file_name("20261206T120000Z"))
    })
    .await
    .unwrap()
    .unwrap();
    writers.await.unwrap();
    assert!(backup.path.ends_with("crm-20261206T120000Z.sqlite.zst"));
    assert!(backup.bytes > 0 && backup.bytes < backup.database_bytes);
    let in_backup = backup.contents.tables["backup_probe"];

    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("crm.sqlite");
    let restored = restore(&backup.path, &target, "x").unwrap();
    assert_eq!(restored.contents, backup.contents);
    assert_eq!(restored.previous, None);
    let got = ids(&target);
    assert_eq!(i64::try_from(got.len()).unwrap(), in_backup);
    // a consistent snapshot: a prefix of the writes, containing every write acknowledged
    // before the backup began
    assert_eq!(got, (0..in_backup).collect::<Vec<_>>());
    assert!(
        in_backup > before,
        "{in_backup} rows, {before} acknowledged before"
    );
    // the restored file opens as the CRM's database, at the latest schema
    drop(Db::open(&target).unwrap());
}

#[tokio::test]
async fn restoring_keeps_the_replaced_database_and_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = probe_db(dir.path()).await;
    insert(&db, 1).await;
    let database = db.path().to_path_buf();
    let folder = dir.path().join("backups");
    let backup = create(&database, &folder, &file_name("a")).unwrap();
    insert(&db, 2).await;
    drop(db);

    let restored = restore(&backup.path, &database, "20261206T130000Z").unwrap();
    assert_eq!(ids(&database), [1]);
    let previous = restored.previous.unwrap();
    assert!(previous.ends_with("crm.sqlite.before-restore-20261206T130000Z"));
    assert_eq!(
        ids(&previous),
        [1, 2],
        "the replaced database is kept as it was"
    );

    // a truncated backup is refused, and the database stays
    let bytes = fs::read(&backup.path).unwrap();
    let broken = folder.join(file_name("broken"));
    fs::write(&broken, &bytes[..bytes.len() / 2]).unwrap();
    let err = restore(&broken, &database, "y").unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err}");
    let junk = folder.join("notes.txt");
    fs::write(&junk, "not a database").unwrap();
    let err = restore(&junk, &database, "z").unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err}");
    assert_eq!(ids(&database), [1]);
}

#[test]
fn restoring_over_a_running_servers_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crm.sqlite");
    drop(Db::open(&database).unwrap());
    let backup = create(&database, dir.path(), &file_name("a")).unwrap();
    let server = ServerLock::acquire(&database).unwrap();
    let err = restore(&backup.path, &database, "b").unwrap_err();
    assert!(err.to_string().contains("a CRM server is running"), "{err}");
    drop(server);
    restore(&backup.path, &database, "b").unwrap();
}

#[test]
fn pruning_keeps_the_newest_backups() {
    let dir = tempfile::tempdir().unwrap();
    for stamp in ["20261201T000000Z", "20261203T000000Z", "20261202T000000Z"] {
        fs::write(dir.path().join(file_name(stamp)), b"x").unwrap();
    }
    fs::write(dir.path().join("upgrade-from-v3-x.sqlite.zst"), b"x").unwrap();
    let gone = prune(dir.path(), 2).unwrap();
    assert_eq!(gone, [dir.path().join(file_name("20261201T000000Z"))]);
    let left = list(dir.path()).unwrap();
    assert_eq!(
        left,
        [
            dir.path().join(file_name("20261202T000000Z")),
            dir.path().join(file_name("20261203T000000Z")),
        ]
    );
    assert!(dir.path().join("upgrade-from-v3-x.sqlite.zst").exists());
}

fn now() -> crate::Timestamp {
    crate::Timestamp::parse("2026-12-06T12:00:00Z").unwrap()
}

fn parishes(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut s = conn
        .prepare("SELECT name FROM parish ORDER BY name")
        .unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn an_upgrade_backs_up_first_and_a_failed_one_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.sqlite");
    let v1 = M::up("CREATE TABLE parish (name TEXT NOT NULL);");
    let mut conn = Connection::open(&path).unwrap();
    crate::db::upgrade(&mut conn, &path, &Migrations::new(vec![v1.clone()]), now()).unwrap();
    assert!(
        !crate::db::upgrade_backups(&path).exists(),
        "nothing to back up at first"
    );
    conn.execute("INSERT INTO parish VALUES ('Αγία Σοφία')", [])
        .unwrap();

    let broken = Migrations::new(vec![
        v1.clone(),
        M::up("ALTER TABLE parish ADD COLUMN town TEXT;"),
        M::up("INSERT INTO no_such_table VALUES (1);"),
    ]);
    let err = crate::db::upgrade(&mut conn, &path, &broken, now()).unwrap_err();
    let message = err.to_string();
    assert!(
        message
            .contains("from schema version 1 to 3 failed, so it was left as it was at version 1"),
        "{message}"
    );
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    // the first pending migration's column is not there either: all or nothing
    assert!(conn.prepare("SELECT town FROM parish").is_err());
    assert_eq!(parishes(&path), ["Αγία Σοφία"]);
    let DbError::Upgrade {
        backup: Some(backup),
        ..
    } = err
    else {
        panic!("no backup named: {err}");
    };
    assert!(backup.starts_with(crate::db::upgrade_backups(&path)));
    let copy = dir.path().join("copy.sqlite");
    restore(&backup, &copy, "x").unwrap();
    assert_eq!(parishes(&copy), ["Αγία Σοφία"]);

    let good = Migrations::new(vec![v1, M::up("ALTER TABLE parish ADD COLUMN town TEXT;")]);
    crate::db::upgrade(&mut conn, &path, &good, now()).unwrap();
    conn.execute("UPDATE parish SET town = 'Θεσσαλονίκη'", [])
        .unwrap();
    assert_eq!(
        fs::read_dir(crate::db::upgrade_backups(&path))
            .unwrap()
            .count(),
        2
    );
}
