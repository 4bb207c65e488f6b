//! The page cache wrapper (crm_core::db's `page_cache`) in a process of its own, installed
//! before SQLite is first used, as `main` does: page splits that park a page under the lock
//! page's number, a grown transaction rolled back (whose pages past the end must be dropped),
//! then more writes — and the database reads back whole.

use crm_core::{Db, DbError};
use rusqlite::params;

/// A well-spread 64-bit key for `i` (splitmix64), so inserts land all over the index.
fn key(i: u64) -> String {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    format!("{:016x}", z ^ (z >> 31))
}

fn value(i: u64) -> String {
    format!("{i}:").repeat(40)
}

async fn insert(db: &Db, range: std::ops::Range<u64>) -> Result<(), DbError> {
    db.write(move |c| {
        let mut insert = c.prepare_cached("INSERT INTO t (k, v) VALUES (?1, ?2)")?;
        for i in range {
            insert.execute(params![key(i), value(i)])?;
        }
        Ok(())
    })
    .await
}

async fn pages(db: &Db) -> Result<i64, DbError> {
    db.read(|c| {
        c.query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0))
            .map_err(DbError::from)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn splits_rollbacks_and_reopening_keep_every_row() {
    assert!(
        crm_core::db::install_page_cache(),
        "the wrapper installs before SQLite is first used"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let db = Db::open(&path).unwrap();
    db.write(|c| {
        c.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            .map_err(DbError::from)
    })
    .await
    .unwrap();

    // groups of concurrent writes: random keys split index pages all the time
    let writes = (0..40u64).map(|g| {
        let db = db.clone();
        tokio::spawn(async move { insert(&db, g * 500..(g + 1) * 500).await })
    });
    for w in writes {
        w.await.unwrap().unwrap();
    }

    // a write that grows the file by thousands of pages, then fails: rolled back, and the
    // cache must forget the pages it held past the database's end
    let before = pages(&db).await.unwrap();
    let failed = db
        .write(|c| {
            let mut insert = c.prepare("INSERT INTO t (k, v) VALUES (?1, ?2)")?;
            for i in 1_000_000..1_010_000u64 {
                insert.execute(params![key(i), value(i).repeat(4)])?;
            }
            Err::<(), _>(DbError::Task("refused on purpose".into()))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(
        pages(&db).await.unwrap(),
        before,
        "the grown pages are gone"
    );

    // the same page numbers written again, with other content
    insert(&db, 20_000..30_000).await.unwrap();

    let check = |db: Db| async move {
        db.read(|c| {
            let integrity: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            let mut rows = Vec::new();
            let mut all = c.prepare("SELECT k, v FROM t")?;
            for row in
                all.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            {
                rows.push(row?);
            }
            Ok::<_, DbError>((integrity, rows))
        })
        .await
        .unwrap()
    };
    let expected: std::collections::BTreeMap<String, String> =
        (0..30_000u64).map(|i| (key(i), value(i))).collect();
    let (integrity, rows) = check(db.clone()).await;
    assert_eq!(integrity, "ok");
    assert_eq!(
        rows.into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        expected
    );

    drop(db);
    let (integrity, rows) = check(Db::open(&path).unwrap()).await;
    assert_eq!(integrity, "ok");
    assert_eq!(
        rows.len(),
        expected.len(),
        "every row is there after reopening"
    );
}
