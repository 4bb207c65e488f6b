//! Against the real Apache mod_dav from `scripts/infra/start-webdav.sh` (Nextcloud's URL
//! layout). Ignored unless run with `--include-ignored`; a missing WEBDAV_URL then fails.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use nextcloud_dav::{Client, Config, DavPath, Error, UploadBody};
use sha2::{Digest, Sha256};

use nextcloud_dav::testing::{
    client, config, env, fresh_client, fresh_folder, hash_download, p, peak_rss,
    pseudo_random_chunks, read_all,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn upload_list_stat_download_roundtrip() {
    let (c, base) = fresh_folder("roundtrip").await;
    // the server's clock, not ours: when it made the test's folder
    let before = client("")
        .stat(&p(&base))
        .await
        .unwrap()
        .last_modified
        .unwrap();
    let up = c
        .upload(
            &p("a/b/hello.txt"),
            UploadBody::from_bytes("hello dav\n").with_content_type("text/plain"),
        )
        .await
        .unwrap();
    assert!(up.created);
    let again = c
        .upload(&p("a/b/hello.txt"), UploadBody::from_bytes("hello again\n"))
        .await
        .unwrap();
    assert!(!again.created, "a second PUT replaces");

    let root = c.list(&DavPath::root()).await.unwrap();
    assert_eq!(root.len(), 1);
    assert_eq!((root[0].name.as_str(), root[0].is_dir), ("a", true));

    let entries = c.list(&p("a/b")).await.unwrap();
    assert_eq!(
        entries.len(),
        1,
        "the folder itself is excluded: {entries:?}"
    );
    let e = &entries[0];
    assert_eq!(e.name, "hello.txt");
    assert_eq!(e.path.as_str(), "a/b/hello.txt");
    assert!(!e.is_dir);
    assert_eq!(e.size, Some(12));
    assert_eq!(e.mime_type.as_deref(), Some("text/plain"));
    assert!(e.last_modified.unwrap() >= before);
    assert!(e.etag.is_some());

    let st = c.stat(&p("a/b/hello.txt")).await.unwrap();
    assert_eq!(st.size, Some(12));
    assert!(st.etag.as_ref().unwrap().weak_eq(e.etag.as_ref().unwrap()));
    assert!(c.stat(&p("a/b")).await.unwrap().is_dir);
    assert!(c.exists(&p("a/b/hello.txt")).await.unwrap());
    assert!(!c.exists(&p("a/b/nope.txt")).await.unwrap());

    let d = c.download(&p("a/b/hello.txt"), None).await.unwrap();
    assert_eq!(d.status, 200);
    assert_eq!(d.content_length, Some(12));
    assert!(d.etag.is_some() && d.last_modified.is_some());
    assert_eq!(read_all(d).await, b"hello again\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn greek_names_with_spaces_and_special_characters() {
    let c = fresh_client("greek").await;
    let names = [
        "Πελάτες #1/Γιώργος Παπαδόπουλος/προσφορά 100% + ΦΠΑ?.txt",
        "Πελάτες #1/Γιώργος Παπαδόπουλος/a+b#c%d e&f=g;h.txt",
        "Πελάτες #1/Γιώργος Παπαδόπουλος/50%25 ΑΒΓ ά.txt",
        "Πελάτες #1/Γιώργος Παπαδόπουλος/Sent Media/φωτό 📎.jpg",
    ];
    for (i, name) in names.iter().enumerate() {
        c.upload(&p(name), UploadBody::from_bytes(format!("content {i}")))
            .await
            .unwrap();
    }
    let folder = p("Πελάτες #1/Γιώργος Παπαδόπουλος");
    let mut listed: Vec<(String, bool)> = c
        .list(&folder)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.is_dir))
        .collect();
    listed.sort();
    let mut want = vec![
        ("50%25 ΑΒΓ ά.txt".to_owned(), false),
        ("Sent Media".to_owned(), true),
        ("a+b#c%d e&f=g;h.txt".to_owned(), false),
        ("προσφορά 100% + ΦΠΑ?.txt".to_owned(), false),
    ];
    want.sort();
    assert_eq!(listed, want);
    for (i, name) in names.iter().enumerate() {
        let st = c.stat(&p(name)).await.unwrap();
        assert_eq!(st.path.as_str(), *name);
        let body = read_all(c.download(&p(name), None).await.unwrap()).await;
        assert_eq!(body, format!("content {i}").as_bytes(), "{name}");
    }
    // The Greek folder chain as the server sees it, from the top.
    let top = c.list(&DavPath::root()).await.unwrap();
    assert_eq!(
        top.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Πελάτες #1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn streamed_100_mib_upload_and_download_in_constant_memory() {
    const SIZE: u64 = 100 << 20;
    let c = fresh_client("big").await;
    let hasher = Arc::new(Mutex::new(Sha256::new()));
    let h = Arc::clone(&hasher);
    let stream =
        futures_util::stream::iter(pseudo_random_chunks(42, SIZE, 256 << 10)).map(move |chunk| {
            h.lock().unwrap().update(&chunk);
            Ok::<Bytes, std::io::Error>(chunk)
        });
    let rss_before = peak_rss();
    let started = Instant::now();
    c.upload(
        &p("media/big.bin"),
        UploadBody::from_stream(stream).with_length(SIZE),
    )
    .await
    .unwrap();
    let upload_s = started.elapsed().as_secs_f64();
    let sent: [u8; 32] = hasher.lock().unwrap().clone().finalize().into();

    assert_eq!(c.stat(&p("media/big.bin")).await.unwrap().size, Some(SIZE));
    let started = Instant::now();
    let d = c.download(&p("media/big.bin"), None).await.unwrap();
    assert_eq!(d.content_length, Some(SIZE));
    let (n, got) = hash_download(d).await;
    let download_s = started.elapsed().as_secs_f64();
    assert_eq!(n, SIZE);
    assert_eq!(got, sent, "sha256 of the download differs from the upload");
    let growth = peak_rss().saturating_sub(rss_before);
    eprintln!(
        "100 MiB: upload {upload_s:.2} s, download+sha256 {download_s:.2} s, peak RSS growth {} MiB",
        growth >> 20
    );
    assert!(
        growth < 64 << 20,
        "peak RSS grew by {growth} bytes: not streaming?"
    );

    // A stream of unknown length goes out chunked.
    let stream = futures_util::stream::iter(pseudo_random_chunks(7, 3 << 20, 100_000))
        .map(Ok::<_, std::io::Error>);
    c.upload(&p("media/chunked.bin"), UploadBody::from_stream(stream))
        .await
        .unwrap();
    let want: Vec<u8> = pseudo_random_chunks(7, 3 << 20, 100_000)
        .flat_map(|b| b.to_vec())
        .collect();
    assert_eq!(
        read_all(c.download(&p("media/chunked.bin"), None).await.unwrap()).await,
        want
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn upload_from_a_file_into_missing_folders() {
    let c = fresh_client("file").await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("scan.pdf");
    let data: Vec<u8> = pseudo_random_chunks(3, 3_000_001, 65536)
        .flat_map(|b| b.to_vec())
        .collect();
    std::fs::write(&local, &data).unwrap();
    let up = c
        .upload(
            &p("Received Media/2026/scan.pdf"),
            UploadBody::from_file(&local).with_content_type("application/pdf"),
        )
        .await
        .unwrap();
    assert!(up.created);
    let st = c.stat(&p("Received Media/2026/scan.pdf")).await.unwrap();
    assert_eq!(st.size, Some(3_000_001));
    assert_eq!(
        read_all(
            c.download(&p("Received Media/2026/scan.pdf"), None)
                .await
                .unwrap()
        )
        .await,
        data
    );
    let missing = c
        .upload(&p("x.bin"), UploadBody::from_file(dir.path().join("nope")))
        .await;
    assert!(matches!(missing, Err(Error::Io(_))), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn download_with_and_without_range() {
    let c = fresh_client("range").await;
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 256) as u8).collect();
    c.upload(&p("r.bin"), UploadBody::from_bytes(data.clone()))
        .await
        .unwrap();

    let whole = c.download(&p("r.bin"), None).await.unwrap();
    assert_eq!(
        (whole.status, whole.is_partial(), whole.content_range),
        (200, false, None)
    );
    assert_eq!(read_all(whole).await, data);

    let part = c
        .download(&p("r.bin"), Some((100, Some(199))))
        .await
        .unwrap();
    assert_eq!(part.status, 206);
    assert_eq!(part.content_length, Some(100));
    let cr = part.content_range.unwrap();
    assert_eq!(
        (cr.range, cr.complete_length),
        (Some((100, 199)), Some(1000))
    );
    assert_eq!(read_all(part).await, &data[100..200]);

    let tail = c.download(&p("r.bin"), Some((990, None))).await.unwrap();
    assert_eq!(tail.status, 206);
    assert_eq!(read_all(tail).await, &data[990..]);

    let beyond = c.download(&p("r.bin"), Some((5000, None))).await;
    assert!(
        matches!(beyond, Err(Error::RangeNotSatisfiable { .. })),
        "{beyond:?}"
    );
    let backwards = c.download(&p("r.bin"), Some((10, Some(9)))).await;
    assert!(
        matches!(backwards, Err(Error::RangeNotSatisfiable { .. })),
        "{backwards:?}"
    );
    let missing = c.download(&p("nope.bin"), None).await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    let root = c.download(&DavPath::root(), None).await;
    assert!(matches!(root, Err(Error::InvalidPath { .. })), "{root:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn delete_files_and_folders() {
    let c = fresh_client("delete").await;
    c.upload(&p("d/one.txt"), UploadBody::from_bytes("1"))
        .await
        .unwrap();
    c.upload(&p("d/sub/two.txt"), UploadBody::from_bytes("2"))
        .await
        .unwrap();
    c.delete(&p("d/one.txt")).await.unwrap();
    assert!(matches!(
        c.stat(&p("d/one.txt")).await,
        Err(Error::NotFound { .. })
    ));
    c.delete(&p("d")).await.unwrap();
    assert!(matches!(c.list(&p("d")).await, Err(Error::NotFound { .. })));
    let again = c.delete(&p("d")).await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "{again:?}");
    assert!(matches!(
        c.delete(&DavPath::root()).await,
        Err(Error::InvalidPath { .. })
    ));
    assert!(c.list(&DavPath::root()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn move_rename_overwrite_and_conflicts() {
    let c = fresh_client("move").await;
    c.upload(&p("in/α.txt"), UploadBody::from_bytes("alpha"))
        .await
        .unwrap();
    c.upload(&p("in/β.txt"), UploadBody::from_bytes("beta"))
        .await
        .unwrap();

    c.move_to(&p("in/α.txt"), &p("in/Άλφα #1.txt"), false)
        .await
        .unwrap();
    assert!(!c.exists(&p("in/α.txt")).await.unwrap());
    assert_eq!(
        read_all(c.download(&p("in/Άλφα #1.txt"), None).await.unwrap()).await,
        b"alpha"
    );

    let exists = c.move_to(&p("in/β.txt"), &p("in/Άλφα #1.txt"), false).await;
    assert!(
        matches!(exists, Err(Error::PreconditionFailed { .. })),
        "{exists:?}"
    );
    c.move_to(&p("in/β.txt"), &p("in/Άλφα #1.txt"), true)
        .await
        .unwrap();
    assert_eq!(
        read_all(c.download(&p("in/Άλφα #1.txt"), None).await.unwrap()).await,
        b"beta"
    );

    let no_parent = c
        .move_to(&p("in/Άλφα #1.txt"), &p("missing/x.txt"), false)
        .await;
    assert!(
        matches!(no_parent, Err(Error::Conflict { .. })),
        "{no_parent:?}"
    );
    let no_source = c.move_to(&p("in/nope"), &p("in/x"), false).await;
    assert!(
        matches!(no_source, Err(Error::NotFound { .. })),
        "{no_source:?}"
    );

    c.move_to(&p("in"), &p("Αρχείο 2026"), false).await.unwrap();
    let names: Vec<String> = c
        .list(&p("Αρχείο 2026"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["Άλφα #1.txt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn mkdir_and_mkdir_all() {
    let c = fresh_client("mkdir").await;
    c.mkdir_all(&p("x/Ψ ω/z")).await.unwrap();
    assert!(c.stat(&p("x/Ψ ω/z")).await.unwrap().is_dir);
    c.mkdir_all(&p("x/Ψ ω/z")).await.unwrap(); // idempotent
    c.mkdir_all(&DavPath::root()).await.unwrap();
    let exists = c.mkdir(&p("x")).await;
    assert!(
        matches!(exists, Err(Error::AlreadyExists { .. })),
        "{exists:?}"
    );
    let orphan = c.mkdir(&p("nope/child")).await;
    assert!(matches!(orphan, Err(Error::Conflict { .. })), "{orphan:?}");
    c.mkdir(&p("x/new")).await.unwrap();
    c.upload(&p("x/file"), UploadBody::from_bytes("f"))
        .await
        .unwrap();
    let through_file = c.mkdir_all(&p("x/file/sub")).await;
    assert!(
        matches!(through_file, Err(Error::Conflict { .. })),
        "{through_file:?}"
    );
    let list_file = c.list(&p("x/file")).await;
    assert!(
        matches!(list_file, Err(Error::Conflict { .. })),
        "{list_file:?}"
    );
    let missing = c.list(&p("nope")).await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn wrong_password_is_unauthorized() {
    let bad = Client::new(Config {
        password: "wrong".into(),
        ..config()
    })
    .unwrap();
    assert!(matches!(
        bad.list(&DavPath::root()).await,
        Err(Error::Unauthorized)
    ));
    assert!(matches!(
        bad.download(&p("x"), None).await,
        Err(Error::Unauthorized)
    ));
    let up = bad.upload(&p("x"), UploadBody::from_bytes("x")).await;
    assert!(matches!(up, Err(Error::Unauthorized)), "{up:?}");
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"x"))]);
    let up = bad
        .upload(&p("dir/x"), UploadBody::from_stream(stream))
        .await;
    assert!(matches!(up, Err(Error::Unauthorized)), "{up:?}");
    let other_user = Client::new(Config {
        user: "bob".into(),
        ..config()
    })
    .unwrap();
    assert!(matches!(
        other_user.list(&DavPath::root()).await,
        Err(Error::Unauthorized)
    ));
}

/// A private Apache from the project's start script, stopped while a download streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn server_stopped_mid_download_ends_the_stream_with_an_error() {
    let _ = env("WEBDAV_URL"); // same prerequisites as the other real-server tests
    let scripts = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/infra");
    let dir = tempfile::Builder::new()
        .prefix("webdav-stop-")
        .tempdir_in("/tmp")
        .unwrap();
    let out = tokio::process::Command::new(format!("{scripts}/start-webdav.sh"))
        .env("INFRA_DIR", dir.path())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "start-webdav.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exports = String::from_utf8(out.stdout).unwrap();
    let var = |name: &str| {
        exports
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing in {exports}"))
            .to_owned()
    };
    let (url, pidfile) = (var("WEBDAV_URL"), var("WEBDAV_PIDFILE"));
    let stop = || {
        std::process::Command::new(format!("{scripts}/stop-webdav.sh"))
            .arg(&pidfile)
            .status()
            .unwrap()
    };

    let mut cfg = Config::new(url, "alice", "alice-pass");
    cfg.timeout = Duration::from_secs(5);
    cfg.retries = 0;
    let c = Client::new(cfg).unwrap();
    let size = 64u64 << 20;
    let stream = futures_util::stream::iter(pseudo_random_chunks(9, size, 1 << 20))
        .map(Ok::<_, std::io::Error>);
    c.upload(
        &p("big.bin"),
        UploadBody::from_stream(stream).with_length(size),
    )
    .await
    .unwrap();

    let mut d = c.download(&p("big.bin"), None).await.unwrap();
    let first = d.next().await.unwrap().unwrap();
    let mut received = first.len() as u64;
    assert!(stop().success());
    let started = Instant::now();
    let mut failure = None;
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(20), d.next())
        .await
        .expect("stream hung")
    {
        match chunk {
            Ok(b) => received += b.len() as u64,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    stop();
    let e =
        failure.unwrap_or_else(|| panic!("stream ended cleanly after {received} of {size} bytes"));
    assert!(
        matches!(e, Error::Interrupted(_) | Error::Timeout(_)),
        "{e:?}"
    );
    assert!(received < size);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}
