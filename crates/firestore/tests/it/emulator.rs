//! Against the Firestore emulator. Each test works in collections of its own
//! (`testing::collection_prefix`), or in a project of its own (`testing::isolated_client`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use firestore::testing::{client, collection_prefix, isolated_client};
use firestore::{
    Client, Direction, Document, Error, FieldTransform, Fields, Filter, LatLng, Precondition,
    Query, Timestamp, Value, Write, from_fields, mark_timestamps, to_fields,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn fields(j: serde_json::Value) -> Fields {
    to_fields(&j).unwrap()
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn create_get_patch_with_update_time_precondition() {
    let c = client();
    let coll = format!("{}products", collection_prefix("patch"));
    let path = format!("{coll}/p1");

    assert_eq!(c.get(&path).await.unwrap(), None, "nothing there yet");
    let created = c
        .create(
            &coll,
            "p1",
            &fields(json!({"name": "VESPER", "price": 12.5, "stock": 3})),
        )
        .await
        .unwrap();
    assert_eq!(created.path(), path);
    assert_eq!(created.id(), "p1");
    let v1 = created.update_time.unwrap();

    let got = c.get(&path).await.unwrap().unwrap();
    assert_eq!(got.fields, created.fields);
    assert_eq!(got.update_time, Some(v1));

    // a write based on the version read succeeds …
    let patched = c
        .patch(
            &path,
            &fields(json!({"stock": 4})),
            Some(&["stock"]),
            Some(Precondition::UpdateTime(v1)),
        )
        .await
        .unwrap();
    let v2 = patched.update_time.unwrap();
    assert!(v2 > v1);
    let now = c.get(&path).await.unwrap().unwrap();
    assert_eq!(now.update_time, Some(v2));
    assert_eq!(now.get("stock"), Some(&Value::Integer(4)));
    assert_eq!(
        now.get("name"),
        Some(&Value::from("VESPER")),
        "the mask left the rest alone"
    );

    // … a second one based on the same (now stale) version does not, and changes nothing
    let stale = c
        .patch(
            &path,
            &fields(json!({"stock": 99})),
            Some(&["stock"]),
            Some(Precondition::UpdateTime(v1)),
        )
        .await;
    assert!(
        matches!(stale, Err(Error::PreconditionFailed(_))),
        "{stale:?}"
    );
    let now = c.get(&path).await.unwrap().unwrap();
    assert_eq!(now.get("stock"), Some(&Value::Integer(4)));
    assert_eq!(now.update_time, Some(v2));

    // a masked field missing from the body is deleted; no mask replaces the document
    c.patch(
        &path,
        &Fields::new(),
        Some(&["price"]),
        Some(Precondition::Exists(true)),
    )
    .await
    .unwrap();
    let dropped = c.get(&path).await.unwrap().unwrap();
    assert_eq!(dropped.get("price"), None);
    assert_eq!(dropped.get("name"), Some(&Value::from("VESPER")));
    c.patch(&path, &fields(json!({"only": true})), None, None)
        .await
        .unwrap();
    let replaced = c.get(&path).await.unwrap().unwrap();
    assert_eq!(replaced.fields, fields(json!({"only": true})));

    // an update that must find the document fails on a missing one
    let missing = c
        .patch(
            &format!("{coll}/nope"),
            &fields(json!({"a": 1})),
            None,
            Some(Precondition::Exists(true)),
        )
        .await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
    assert_eq!(c.get(&format!("{coll}/nope")).await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn create_twice_is_already_exists() {
    let c = client();
    let coll = format!("{}customers", collection_prefix("twice"));
    c.create(&coll, "c1", &fields(json!({"name": "first"})))
        .await
        .unwrap();
    let again = c
        .create(&coll, "c1", &fields(json!({"name": "second"})))
        .await;
    assert!(matches!(again, Err(Error::AlreadyExists(_))), "{again:?}");
    // the same through a commit's precondition
    let write = Write::create(format!("{coll}/c1"), fields(json!({"name": "third"})));
    let again = c.commit(&[write]).await;
    assert!(matches!(again, Err(Error::AlreadyExists(_))), "{again:?}");
    let doc = c.get(&format!("{coll}/c1")).await.unwrap().unwrap();
    assert_eq!(doc.get("name"), Some(&Value::from("first")));
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn delete_with_preconditions() {
    let c = client();
    let coll = format!("{}orders", collection_prefix("delete"));
    let path = format!("{coll}/o1");

    // a delete that must find the document fails on a missing one; a plain delete does not
    let missing = c.delete(&path, Some(Precondition::Exists(true))).await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
    c.delete(&path, None).await.unwrap();

    let d = c
        .create(&coll, "o1", &fields(json!({"n": 1})))
        .await
        .unwrap();
    let v1 = d.update_time.unwrap();
    let d2 = c
        .patch(&path, &fields(json!({"n": 2})), None, None)
        .await
        .unwrap();
    let stale = c.delete(&path, Some(Precondition::UpdateTime(v1))).await;
    assert!(
        matches!(stale, Err(Error::PreconditionFailed(_))),
        "{stale:?}"
    );
    assert!(
        c.get(&path).await.unwrap().is_some(),
        "a stale delete deletes nothing"
    );

    c.delete(
        &path,
        Some(Precondition::UpdateTime(d2.update_time.unwrap())),
    )
    .await
    .unwrap();
    assert_eq!(c.get(&path).await.unwrap(), None);
    c.create(&coll, "o1", &fields(json!({"n": 3})))
        .await
        .unwrap();
    c.delete(&path, Some(Precondition::Exists(true)))
        .await
        .unwrap();
    assert_eq!(c.get(&path).await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn batch_get_keeps_order_and_reports_missing() {
    let c = client();
    let coll = format!("{}products", collection_prefix("batchget"));
    for id in ["a", "c"] {
        c.create(&coll, id, &fields(json!({"id": id})))
            .await
            .unwrap();
    }
    let paths: Vec<String> = ["c", "b", "a", "zz"]
        .iter()
        .map(|id| format!("{coll}/{id}"))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let docs = c.batch_get(&refs).await.unwrap();
    let ids: Vec<Option<&str>> = docs.iter().map(|d| d.as_ref().map(Document::id)).collect();
    assert_eq!(ids, [Some("c"), None, Some("a"), None]);
    assert_eq!(docs[0].as_ref().unwrap().get("id"), Some(&Value::from("c")));
    assert!(c.batch_get(&[]).await.unwrap().is_empty());
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn query_with_array_contains_order_and_cursor_pages() {
    let c = client();
    let coll = format!("{}customers", collection_prefix("query"));
    // 30 customers; every third has the key "nik"; ranks repeat so the name breaks ties
    let mut writes = Vec::new();
    for i in 0..30 {
        let mut keys = vec![format!("k{i}")];
        if i % 3 == 0 {
            keys.push("nik".into());
        }
        writes.push(Write::set(
            format!("{coll}/c{i:02}"),
            fields(
                json!({"rank": i % 4, "keys": keys, "lang": if i % 2 == 0 { "el" } else { "en" }}),
            ),
        ));
    }
    c.commit(&writes).await.unwrap();

    let base = Query::collection(&coll)
        .filter(Filter::array_contains("keys", "nik"))
        .order_by("rank", Direction::Descending);
    // expected: ids with the key, by rank descending, then by name descending (the implicit
    // order follows the last one's direction)
    let mut expected: Vec<(i64, String)> = (0..30)
        .filter(|i| i % 3 == 0)
        .map(|i| (i64::from(i % 4), format!("c{i:02}")))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    let mut got = Vec::new();
    let mut page = base.clone().limit(4);
    loop {
        let docs = c.run_query(&page).await.unwrap();
        got.extend(docs.iter().map(|d| d.id().to_owned()));
        match docs.last() {
            Some(last) if docs.len() == 4 => {
                page = base.clone().limit(4).start_after_document(last)
            }
            _ => break,
        }
    }
    assert_eq!(got, expected);
    assert_eq!(c.count(&base).await.unwrap(), 10);

    // composite AND with equality, ascending, explicit cursor values
    let q = Query::collection(&coll)
        .filter(Filter::array_contains("keys", "nik"))
        .filter(Filter::eq("lang", "el"))
        .order_by("rank", Direction::Ascending)
        .order_by("__name__", Direction::Ascending);
    let all: Vec<String> = c
        .run_query(&q)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id().to_owned())
        .collect();
    // i in {0, 6, 12, 18, 24} with ranks 0, 2, 0, 2, 0
    assert_eq!(all, ["c00", "c12", "c24", "c06", "c18"]);
    let after = q
        .clone()
        .start_after(vec![Value::Integer(0), c.reference(&format!("{coll}/c12"))]);
    let rest: Vec<String> = c
        .run_query(&after)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id().to_owned())
        .collect();
    assert_eq!(rest, ["c24", "c06", "c18"]);
    let from = q.clone().start_at(vec![Value::Integer(2)]).limit(1);
    let one: Vec<String> = c
        .run_query(&from)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id().to_owned())
        .collect();
    assert_eq!(one, ["c06"]);
    let projected = c
        .run_query(&q.clone().select(["rank"]).limit(1))
        .await
        .unwrap();
    assert_eq!(projected[0].fields.keys().collect::<Vec<_>>(), ["rank"]);
    assert!(
        c.run_query(&Query::collection(format!("{coll}_none")))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn subcollections_and_collection_groups() {
    let c = isolated_client();
    for (cust, note) in [("a", "n1"), ("a", "n2"), ("b", "n3")] {
        c.create(
            &format!("customers/{cust}/notes"),
            note,
            &fields(json!({"by": cust})),
        )
        .await
        .unwrap();
    }
    let under_a = c
        .run_query(&Query::subcollection("customers/a", "notes"))
        .await
        .unwrap();
    assert_eq!(
        under_a.iter().map(Document::id).collect::<Vec<_>>(),
        ["n1", "n2"]
    );
    assert_eq!(under_a[0].path(), "customers/a/notes/n1");
    let everywhere = Query::collection_group("notes");
    assert_eq!(c.count(&everywhere).await.unwrap(), 3);
    // the top-level collection `customers` has no documents of its own
    assert_eq!(c.count(&Query::collection("customers")).await.unwrap(), 0);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Everything {
    s: String,
    i: i64,
    big: i64,
    neg: i64,
    d: f64,
    whole_double: f64,
    b: bool,
    t: Timestamp,
    n: Option<String>,
    list: Vec<serde_json::Value>,
    nested: BTreeMap<String, BTreeMap<String, Vec<i32>>>,
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn every_kind_of_value_survives_the_emulator() {
    let c = client();
    let coll = format!("{}values", collection_prefix("values"));
    let e = Everything {
        s: "Ενορία Αγίου Νικολάου — ς".into(),
        i: 42,
        big: 9_007_199_254_740_993,
        neg: i64::MIN,
        d: 0.1 + 0.2,
        whole_double: 2.0,
        b: true,
        t: ts("2026-11-22T09:30:00.123456789Z"),
        n: None,
        list: vec![
            json!(1),
            json!("two"),
            json!(3.5),
            json!(null),
            json!({"x": [true]}),
        ],
        nested: BTreeMap::from([("a".into(), BTreeMap::from([("b".into(), vec![1, 2])]))]),
    };
    let mut f = to_fields(&e).unwrap();
    f.insert("bytes".into(), Value::Bytes(vec![0, 1, 254, 255]));
    f.insert(
        "geo".into(),
        Value::GeoPoint(LatLng {
            latitude: 37.9838,
            longitude: 23.7275,
        }),
    );
    f.insert("ref".into(), c.reference(&format!("{coll}/other")));
    f.insert("nan".into(), Value::Double(f64::NAN));
    f.insert("inf".into(), Value::Double(f64::NEG_INFINITY));
    f.insert("empty_list".into(), Value::Array(vec![]));
    f.insert("empty_map".into(), Value::Map(Fields::new()));
    f.insert(
        "created_at".into(),
        Value::from("2026-01-01T10:00:00+02:00"),
    );
    mark_timestamps(&mut f, &["created_at"]).unwrap();
    c.create(&coll, "all", &f).await.unwrap();

    let got = c.get(&format!("{coll}/all")).await.unwrap().unwrap();
    // (field, what comes back)
    let table = [
        ("s", Value::from("Ενορία Αγίου Νικολάου — ς")),
        ("i", Value::Integer(42)),
        ("big", Value::Integer(9_007_199_254_740_993)),
        ("neg", Value::Integer(i64::MIN)),
        ("d", Value::Double(0.1 + 0.2)),
        ("whole_double", Value::Double(2.0)),
        ("b", Value::Boolean(true)),
        // Firestore keeps microseconds
        ("t", Value::Timestamp(ts("2026-11-22T09:30:00.123456Z"))),
        ("n", Value::Null),
        ("bytes", Value::Bytes(vec![0, 1, 254, 255])),
        (
            "geo",
            Value::GeoPoint(LatLng {
                latitude: 37.9838,
                longitude: 23.7275,
            }),
        ),
        ("ref", c.reference(&format!("{coll}/other"))),
        ("inf", Value::Double(f64::NEG_INFINITY)),
        ("empty_list", Value::Array(vec![])),
        ("empty_map", Value::Map(Fields::new())),
        ("created_at", Value::Timestamp(ts("2026-01-01T08:00:00Z"))),
        (
            "nested.a.b",
            Value::Array(vec![Value::Integer(1), Value::Integer(2)]),
        ),
    ];
    for (field, expected) in table {
        assert_eq!(got.get(field), Some(&expected), "{field}");
    }
    assert!(matches!(got.get("nan"), Some(Value::Double(d)) if d.is_nan()));
    assert_eq!(
        got.get("list"),
        Some(&Value::Array(vec![
            Value::Integer(1),
            Value::from("two"),
            Value::Double(3.5),
            Value::Null,
            Value::Map(fields(json!({"x": [true]}))),
        ]))
    );
    let back: Everything = from_fields(&got.fields).unwrap();
    assert_eq!(
        back,
        Everything {
            t: e.t.truncated_to_micros(),
            ..e
        }
    );
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn transforms_and_their_results() {
    let c = client();
    let coll = format!("{}counters", collection_prefix("transform"));
    let path = format!("{coll}/n");
    let w = Write::transform(
        path.clone(),
        vec![
            FieldTransform::increment("n", 5),
            FieldTransform::server_time("at"),
        ],
    );
    let r = c.commit(std::slice::from_ref(&w)).await.unwrap();
    assert_eq!(r.write_results[0].transform_results[0], Value::Integer(5));
    let r = c.commit(&[w]).await.unwrap();
    assert_eq!(r.write_results[0].transform_results[0], Value::Integer(10));
    let doc = c.get(&path).await.unwrap().unwrap();
    assert_eq!(doc.get("n"), Some(&Value::Integer(10)));
    // the server's time (the emulator's differs from the commit time by a millisecond or so)
    let Some(Value::Timestamp(at)) = doc.get("at") else {
        panic!("at: {:?}", doc.get("at"))
    };
    let commit = r.commit_time.unwrap();
    assert!(
        (at.seconds() - commit.seconds()).abs() <= 1,
        "{at} vs {commit}"
    );
    let tags =
        Write::update(path.clone(), fields(json!({"tags": ["a"]})), ["tags"]).with_transform(
            FieldTransform::append_missing("tags", vec!["a".into(), "b".into()]),
        );
    c.commit(&[tags]).await.unwrap();
    let doc = c.get(&path).await.unwrap().unwrap();
    assert_eq!(
        doc.get("tags"),
        Some(&Value::Array(vec!["a".into(), "b".into()]))
    );
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn batch_write_reports_each_write() {
    let c = client();
    let coll = format!("{}products", collection_prefix("batchwrite"));
    c.create(&coll, "taken", &Fields::new()).await.unwrap();
    let writes = [
        Write::create(format!("{coll}/new"), fields(json!({"a": 1}))),
        Write::create(format!("{coll}/taken"), fields(json!({"a": 2}))),
        Write::delete(format!("{coll}/absent")).with_precondition(Precondition::Exists(true)),
        Write::set(format!("{coll}/other"), fields(json!({"a": 3}))),
    ];
    let results = c.batch_write(&writes).await.unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(Error::AlreadyExists(_))),
        "{:?}",
        results[1]
    );
    assert!(
        matches!(results[2], Err(Error::NotFound(_))),
        "{:?}",
        results[2]
    );
    assert!(results[3].is_ok(), "{:?}", results[3]);
    // not atomic: the good ones happened
    assert!(c.get(&format!("{coll}/new")).await.unwrap().is_some());
    assert!(c.get(&format!("{coll}/other")).await.unwrap().is_some());
}

/// Reads the counter inside the transaction and writes it back plus one.
async fn bump(c: &Client, path: &str, attempts: &AtomicU32) -> Result<i64, Error> {
    let (n, _) = c
        .run_transaction(|tx| {
            attempts.fetch_add(1, Ordering::Relaxed);
            let path = path.to_owned();
            async move {
                let doc = tx.get(&path).await?;
                let n = doc
                    .and_then(|d| d.get("n").and_then(Value::as_i64))
                    .unwrap_or(0)
                    + 1;
                Ok::<_, Error>((n, vec![Write::set(path, fields(json!({"n": n})))]))
            }
        })
        .await?;
    Ok(n)
}

#[tokio::test]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn a_transaction_reads_then_writes_a_counter() {
    let c = client();
    let path = format!("{}counters/orders-2026", collection_prefix("tx"));
    let attempts = AtomicU32::new(0);
    assert_eq!(bump(&c, &path, &attempts).await.unwrap(), 1);
    assert_eq!(bump(&c, &path, &attempts).await.unwrap(), 2);
    assert_eq!(
        attempts.load(Ordering::Relaxed),
        2,
        "no contention, no second attempt"
    );
    let doc = c.get(&path).await.unwrap().unwrap();
    assert_eq!(doc.get("n"), Some(&Value::Integer(2)));

    // a failing closure rolls back: nothing written, and its lock does not hold up the next
    // (a caller's own error type, as a store's would be)
    #[derive(Debug)]
    enum StoreError {
        Firestore(#[allow(dead_code)] Error),
        Rule(&'static str),
    }
    impl From<Error> for StoreError {
        fn from(e: Error) -> Self {
            StoreError::Firestore(e)
        }
    }
    let failed = c
        .run_transaction(|tx| {
            let path = path.clone();
            async move {
                tx.get(&path).await?;
                Err::<((), Vec<Write>), _>(StoreError::Rule("business rule said no"))
            }
        })
        .await;
    assert!(
        matches!(failed, Err(StoreError::Rule("business rule said no"))),
        "{failed:?}"
    );
    let started = Instant::now();
    c.patch(&path, &fields(json!({"n": 10})), None, None)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the rollback released the lock"
    );
    assert_eq!(bump(&c, &path, &attempts).await.unwrap(), 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn concurrent_transactions_on_one_counter_both_succeed() {
    let c = client();
    let path = format!("{}counters/shared", collection_prefix("contention"));
    let attempts = Arc::new(AtomicU32::new(0));
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (c, path, attempts, barrier) =
                (c.clone(), path.clone(), attempts.clone(), barrier.clone());
            tokio::spawn(async move {
                // both read before either commits: one of them must lose and start over
                let (n, _) = c
                    .run_transaction(|tx| {
                        attempts.fetch_add(1, Ordering::Relaxed);
                        let (path, barrier) = (path.clone(), barrier.clone());
                        async move {
                            let doc = tx.get(&path).await?;
                            let n = doc
                                .and_then(|d| d.get("n").and_then(Value::as_i64))
                                .unwrap_or(0)
                                + 1;
                            // only the first attempts meet; a retry goes straight on
                            if n == 1 {
                                tokio::time::timeout(Duration::from_secs(2), barrier.wait())
                                    .await
                                    .ok();
                            }
                            Ok::<_, Error>((n, vec![Write::set(path, fields(json!({"n": n})))]))
                        }
                    })
                    .await
                    .unwrap();
                n
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    results.sort();
    assert_eq!(results, [1, 2], "each saw the other's write or none");
    let doc = c.get(&path).await.unwrap().unwrap();
    assert_eq!(doc.get("n"), Some(&Value::Integer(2)));
    assert!(
        attempts.load(Ordering::Relaxed) >= 3,
        "one of them started over"
    );
}

fn product_writes(coll: &str, from: usize, n: usize) -> Vec<Write> {
    (from..from + n)
        .map(|i| {
            let mut f = fields(json!({
                "name": format!("Προϊόν {i}"),
                "sku": format!("SKU-{i:06}"),
                "price": 12.3,
                "stock": {"on_hand": i, "reserved": 0},
                "tags": ["bell", "controller"],
                "created_at": "2026-11-22T09:30:00.000000Z",
                "version": 1
            }));
            mark_timestamps(&mut f, &["created_at"]).unwrap();
            Write::set(format!("{coll}/p{i:06}"), f)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs FIRESTORE_EMULATOR_HOST: run ./scripts/test.sh"]
async fn a_commit_of_500_writes_and_the_rate_of_many() {
    let c = isolated_client();
    let coll = "products";
    let r = c.commit(&product_writes(coll, 0, 500)).await.unwrap();
    assert_eq!(r.write_results.len(), 500);
    assert_eq!(c.count(&Query::collection(coll)).await.unwrap(), 500);
    let last = c.get(&format!("{coll}/p000499")).await.unwrap().unwrap();
    assert_eq!(last.get("stock.on_hand"), Some(&Value::Integer(499)));

    // the rate of a loop of 500-write commits, one at a time and four at once (printed with
    // --nocapture; docs/performance.md quotes it)
    let batches = 10;
    let started = Instant::now();
    for b in 0..batches {
        c.commit(&product_writes(coll, 1000 + b * 500, 500))
            .await
            .unwrap();
    }
    let sequential = (batches * 500) as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut next = 100_000;
    for _ in 0..batches / 4 + 1 {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let (c, writes) = (c.clone(), product_writes(coll, next, 500));
            next += 500;
            set.spawn(async move { c.commit(&writes).await.map(|_| ()) });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap().unwrap();
        }
    }
    let concurrent = ((batches / 4 + 1) * 4 * 500) as f64 / started.elapsed().as_secs_f64();
    eprintln!(
        "firestore emulator: 500-write commits: {sequential:.0} documents/s one at a time, \
         {concurrent:.0} documents/s four at once"
    );
    let total = 500 + batches * 500 + (batches / 4 + 1) * 4 * 500;
    assert_eq!(
        c.count(&Query::collection(coll)).await.unwrap(),
        total as i64
    );
}
