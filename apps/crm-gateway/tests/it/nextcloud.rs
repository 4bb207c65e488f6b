//! `/api/crm/nextcloud` and `/api/crm/customers/{id}/media` against the real Apache WebDAV of
//! `scripts/infra/start-webdav.sh` (Nextcloud's URL layout). Tests that need it are ignored
//! unless run with `--include-ignored`; a missing WEBDAV_URL then fails them. The tests that
//! need no server (not configured, server down) always run.

use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use futures_util::StreamExt;
use nextcloud_dav::testing::{p, pseudo_random, pseudo_random_chunks, read_all};
use nextcloud_dav::{DavPath, UploadBody};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn put(nc: &NextcloudApp, path: &str, content: impl Into<Bytes>) {
    nc.dav
        .upload(&p(path), UploadBody::from_bytes(content.into()))
        .await
        .unwrap();
}

async fn read_dav(nc: &NextcloudApp, path: &str) -> Vec<u8> {
    read_all(nc.dav.download(&p(path), None).await.unwrap()).await
}

async fn browse(app: &TestApp, path: &str) -> Response {
    app.get(&format!("/api/crm/nextcloud/browse?path={}", q(path)))
        .await
}

async fn file(app: &TestApp, path: &str) -> Response {
    app.get(&format!("/api/crm/nextcloud/file?path={}", q(path)))
        .await
}

fn upload_form(folder: &str, customer_id: Option<&str>, file: Part) -> Form {
    let mut form = Form::new().text("nextcloud_path", folder.to_owned());
    if let Some(id) = customer_id {
        form = form.text("customer_id", id.to_owned());
    }
    form.part("file", file)
}

async fn upload(app: &TestApp, form: Form) -> Response {
    app.req(Method::POST, "/api/crm/nextcloud/upload")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn media_of(app: &TestApp, customer_id: &str) -> Value {
    expect(
        app.get(&format!("/api/crm/media?customer_id={customer_id}"))
            .await,
        200,
    )
    .await
}

fn header<'a>(resp: &'a Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn browse_lists_folders_first_then_files_by_name() {
    let nc = spawn_app_with_nextcloud().await;
    put(&nc, "docs/b.txt", "bee").await;
    put(&nc, "docs/Άλφα.txt", "alpha").await;
    put(&nc, "docs/zeta/inner.txt", "z").await;
    put(&nc, "docs/a.pdf", vec![0u8; 1234]).await;

    let body = expect(browse(&nc, "docs").await, 200).await;
    assert_eq!(body["path"], "docs");
    assert_eq!(body["total"], 4);
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["zeta", "a.pdf", "b.txt", "Άλφα.txt"]);
    let pdf = &body["items"][1];
    assert_eq!(pdf["path"], "docs/a.pdf");
    assert_eq!(pdf["is_dir"], false);
    assert_eq!(pdf["size"], 1234);
    assert_eq!(pdf["mime_type"], "application/pdf");
    assert!(pdf["last_modified"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["items"][0]["is_dir"], true);
    assert!(body["items"][0]["mime_type"].is_null());

    // the base folder, with or without slashes; a leading `/` is the base folder, not the disk
    for root in ["", "/"] {
        let body = expect(browse(&nc, root).await, 200).await;
        assert_eq!(body["items"][0]["filename"], "docs", "{root:?}");
        assert_eq!(body["total"], 1);
    }
    let body = expect(browse(&nc, "/docs/").await, 200).await;
    assert_eq!(body["total"], 4);

    expect_error(browse(&nc, "nope").await, 404, "not_found").await;
    let e = expect_error(browse(&nc, "docs/b.txt").await, 422, "invalid_field").await;
    assert_eq!(e["error"]["details"]["field"], "path");

    // a view-only token reads
    let resp = nc
        .client
        .get(format!(
            "{}/api/crm/nextcloud/browse?path=docs",
            nc.app.base
        ))
        .bearer_auth(&nc.view_token)
        .send()
        .await
        .unwrap();
    expect(resp, 200).await;
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn greek_names_and_spaces_go_through() {
    let nc = spawn_app_with_nextcloud().await;
    let folder = "05_Customers/ΕΝΟΡΙΑ ΑΓ. ΝΙΚΟΛΑΟΥ/Sent Media";
    let name = "Προσφορά καμπάνας #1 + 100%.pdf";
    put(&nc, &format!("{folder}/{name}"), "προσφορά").await;

    let body = expect(browse(&nc, folder).await, 200).await;
    assert_eq!(body["items"][0]["filename"], name);
    let path = body["items"][0]["path"].as_str().unwrap().to_owned();
    assert_eq!(path, format!("{folder}/{name}"));

    let resp = file(&nc, &path).await;
    assert_eq!(resp.status(), 200);
    let cd = header(&resp, "content-disposition").to_owned();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%CE%A0%CF%81%CE%BF%CF%83%CF%86%CE%BF%CF%81%CE%AC%20"),
        "{cd}"
    );
    assert_eq!(resp.text().await.unwrap(), "προσφορά");

    // uploaded through the gateway with a Greek name, as a browser sends it (raw UTF-8) and
    // as reqwest does by default (RFC 5987 `filename*`)
    let raw = Form::new()
        .percent_encode_noop()
        .text("nextcloud_path", folder)
        .part(
            "file",
            Part::bytes(&b"one"[..]).file_name("Φωτογραφία καμπαναριού.jpg"),
        );
    expect(upload(&nc, raw).await, 201).await;
    let encoded = upload_form(
        folder,
        None,
        Part::bytes(&b"two"[..]).file_name("Τιμολόγιο 7.pdf"),
    );
    expect(upload(&nc, encoded).await, 201).await;
    assert_eq!(
        read_dav(&nc, &format!("{folder}/Φωτογραφία καμπαναριού.jpg")).await,
        b"one"
    );
    assert_eq!(
        read_dav(&nc, &format!("{folder}/Τιμολόγιο 7.pdf")).await,
        b"two"
    );
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn download_streams_whole_files_and_ranges() {
    let nc = spawn_app_with_nextcloud().await;
    let data = pseudo_random(7, 1_000_003);
    put(&nc, "f/data.bin", data.clone()).await;
    let len = data.len();

    let resp = file(&nc, "f/data.bin").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-length"), len.to_string());
    assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
    assert_eq!(header(&resp, "accept-ranges"), "bytes");
    assert!(header(&resp, "content-disposition").starts_with("attachment;"));
    assert!(header(&resp, "content-security-policy").contains("sandbox"));
    let etag = header(&resp, "etag").to_owned();
    let last_modified = header(&resp, "last-modified").to_owned();
    assert_eq!(resp.bytes().await.unwrap(), data);

    let ranged = |range: &'static str| {
        nc.req(
            Method::GET,
            &format!("/api/crm/nextcloud/file?path={}", q("f/data.bin")),
        )
        .header("range", range)
        .send()
    };
    // a browser accepting gzip still gets the file as it is, with its length
    let resp = nc
        .req(
            Method::GET,
            &format!("/api/crm/nextcloud/file?path={}", q("f/data.bin")),
        )
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-encoding").is_none());
    assert_eq!(header(&resp, "content-length"), len.to_string());
    assert_eq!(resp.bytes().await.unwrap(), data);

    let resp = ranged("bytes=100-199").await.unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(
        header(&resp, "content-range"),
        format!("bytes 100-199/{len}")
    );
    assert_eq!(header(&resp, "content-length"), "100");
    assert_eq!(resp.bytes().await.unwrap(), &data[100..200]);

    let resp = ranged("bytes=999990-").await.unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.bytes().await.unwrap(), &data[999_990..]);

    let resp = ranged("bytes=-10").await.unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(
        header(&resp, "content-range"),
        format!("bytes {}-{}/{len}", len - 10, len - 1)
    );
    assert_eq!(resp.bytes().await.unwrap(), &data[len - 10..]);

    let resp = ranged("bytes=2000000-").await.unwrap();
    let body = expect_error(resp, 416, "range_not_satisfiable").await;
    assert_eq!(body["error"]["details"]["size"], len);

    // several ranges, or a malformed one: the whole file
    let resp = ranged("bytes=0-1,5-6").await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().len(), len);

    // If-Range: the range while the file is unchanged, the whole file once it changed (or
    // for a weak validator, which never matches)
    let if_range = |validator: String| {
        nc.req(Method::GET, "/api/crm/nextcloud/file?path=f/data.bin")
            .header("range", "bytes=0-9")
            .header("if-range", validator)
            .send()
    };
    let resp = if_range(last_modified.clone()).await.unwrap();
    assert_eq!(resp.status(), 206, "{last_modified}");
    assert_eq!(resp.bytes().await.unwrap(), &data[..10]);
    let strong = etag.trim_start_matches("W/").to_owned();
    for validator in [
        "\"some-older-version\"".to_owned(),
        format!("W/{strong}"),
        "Sat, 01 Jan 2000 00:00:00 GMT".to_owned(),
    ] {
        let resp = if_range(validator.clone()).await.unwrap();
        assert_eq!(resp.status(), 200, "{validator}");
        assert_eq!(resp.bytes().await.unwrap().len(), len);
    }

    expect_error(file(&nc, "f/missing.bin").await, 404, "not_found").await;
    let e = expect_error(file(&nc, "f").await, 422, "invalid_field").await;
    assert_eq!(e["error"]["details"]["field"], "path");
    let e = expect_error(file(&nc, "").await, 422, "invalid_field").await;
    assert_eq!(e["error"]["details"]["field"], "path");
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn only_raster_images_are_shown_inline() {
    let nc = spawn_app_with_nextcloud().await;
    let cases = [
        ("photo.png", "image/png", true),
        ("photo.jpg", "image/jpeg", true),
        ("drawing.svg", "image/svg+xml", false),
        ("page.html", "text/html", false),
        ("invoice.pdf", "application/pdf", false),
    ];
    for (name, mime, inline) in cases {
        put(&nc, &format!("m/{name}"), "<svg onload=alert(1)>").await;
        let resp = file(&nc, &format!("m/{name}")).await;
        assert_eq!(resp.status(), 200, "{name}");
        assert!(header(&resp, "content-type").starts_with(mime), "{name}");
        let cd = header(&resp, "content-disposition");
        let want = if inline { "inline;" } else { "attachment;" };
        assert!(cd.starts_with(want), "{name}: {cd}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn upload_creates_the_file_and_a_record_with_the_subfolder_direction() {
    let nc = spawn_app_with_nextcloud().await;
    let customer = nc.customer("Ενορία Αγίου Νικολάου").await;
    let cid = customer["id"].as_str().unwrap();
    let base = "05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ";
    let cases = [
        ("Sent Media", "sent"),
        ("Received Media", "received"),
        ("Internal", "internal"),
        ("Photos 2026", "internal"),
    ];
    for (sub, direction) in cases {
        let folder = format!("{base}/{sub}");
        let form = upload_form(
            &folder,
            Some(cid),
            Part::bytes(format!("content of {sub}").into_bytes())
                .file_name("report.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
        let body = expect(upload(&nc, form).await, 201).await;
        assert_eq!(body["replaced"], false);
        assert_eq!(body["file"]["path"], format!("{folder}/report.pdf"));
        assert_eq!(body["file"]["size"], format!("content of {sub}").len());
        let media = &body["media"];
        assert_eq!(media["direction"], direction, "{sub}");
        assert_eq!(media["customer_id"], cid);
        assert_eq!(media["nextcloud_path"], format!("{folder}/report.pdf"));
        assert_eq!(media["mime_type"], "application/pdf");
        assert_eq!(media["uploaded_by"], "tester");
        assert_eq!(
            read_dav(&nc, &format!("{folder}/report.pdf")).await,
            format!("content of {sub}").as_bytes()
        );
    }
    let records = media_of(&nc, cid).await;
    assert_eq!(records["total"], 4);

    // the same name again: the file is replaced, the record stays the one it was, with the
    // new file's size and type
    let folder = format!("{base}/Sent Media");
    let first = records["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nextcloud_path"] == format!("{folder}/report.pdf"))
        .unwrap()
        .clone();
    let form = upload_form(
        &folder,
        Some(cid),
        Part::bytes(&b"second version"[..])
            .file_name("report.pdf")
            .mime_str("text/plain")
            .unwrap(),
    );
    let body = expect(upload(&nc, form).await, 200).await;
    assert_eq!(body["replaced"], true);
    assert_eq!(body["media"]["id"], first["id"]);
    assert_eq!(body["media"]["size"], 14);
    assert_eq!(body["media"]["mime_type"], "text/plain");
    assert_eq!(
        body["media"]["version"],
        first["version"].as_i64().unwrap() + 1
    );
    assert_eq!(body["media"]["created_at"], first["created_at"]);
    assert_eq!(
        read_dav(&nc, &format!("{folder}/report.pdf")).await,
        b"second version"
    );
    assert_eq!(media_of(&nc, cid).await["total"], 4);

    // an order's file belongs to the order's customer
    let order = nc
        .create(
            "/api/crm/orders",
            json!({ "customer_id": cid, "items": [] }),
        )
        .await;
    let oid = order["id"].as_str().unwrap();
    let form = Form::new()
        .text("nextcloud_path", format!("{base}/Received Media"))
        .text("order_id", oid.to_owned())
        .part("file", Part::bytes(&b"po"[..]).file_name("order.pdf"));
    let body = expect(upload(&nc, form).await, 201).await;
    assert_eq!(body["media"]["order_id"], oid);
    assert_eq!(body["media"]["customer_id"], cid);
    assert_eq!(body["media"]["direction"], "received");

    // no owner: the file, without a record
    let form = upload_form("loose", None, Part::bytes(&b"x"[..]).file_name("x.txt"));
    let body = expect(upload(&nc, form).await, 201).await;
    assert!(body["media"].is_null());
    assert_eq!(read_dav(&nc, "loose/x.txt").await, b"x");
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn bad_upload_forms_are_refused_before_anything_is_written() {
    let nc = spawn_app_with_nextcloud().await;
    let part = || Part::bytes(&b"data"[..]).file_name("a.txt");
    let cases: Vec<(Form, u16, &str)> = vec![
        // the file before its destination
        (
            Form::new().part("file", part()).text("nextcloud_path", "x"),
            422,
            "nextcloud_path",
        ),
        (Form::new().part("file", part()), 422, "nextcloud_path"),
        (Form::new().text("nextcloud_path", "x"), 422, "file"),
        (upload_form("../x", None, part()), 422, "nextcloud_path"),
        (
            upload_form("x/%2e%2e/y", None, part()),
            422,
            "nextcloud_path",
        ),
        (upload_form("x\\y", None, part()), 422, "nextcloud_path"),
        (
            upload_form("x", None, Part::bytes(&b"d"[..]).file_name("../a.txt")),
            422,
            "file",
        ),
        (
            upload_form("x", None, Part::bytes(&b"d"[..]).file_name("..")),
            422,
            "file",
        ),
        (upload_form("x", None, Part::bytes(&b"d"[..])), 422, "file"),
        (
            upload_form("x", Some("00000000-0000-4000-8000-000000000000"), part()),
            422,
            "customer_id",
        ),
        (
            upload_form("x", Some("not-a-uuid"), part()),
            422,
            "customer_id",
        ),
        (
            Form::new()
                .text("nextcloud_path", "x")
                .text("order_id", "00000000-0000-4000-8000-000000000000")
                .part("file", part()),
            422,
            "order_id",
        ),
    ];
    for (i, (form, status, field)) in cases.into_iter().enumerate() {
        let body = expect(upload(&nc, form).await, status).await;
        assert_eq!(body["error"]["details"]["field"], field, "case {i}: {body}");
    }
    // a JSON body is not a form
    let resp = nc
        .post(
            "/api/crm/nextcloud/upload",
            &json!({ "nextcloud_path": "x" }),
        )
        .await;
    expect_error(resp, 400, "malformed_body").await;
    // a field after the file: refused, and the file it followed is gone again
    let form = Form::new()
        .text("nextcloud_path", "late")
        .part("file", part())
        .text("customer_id", "00000000-0000-4000-8000-000000000000");
    let body = expect(upload(&nc, form).await, 422).await;
    assert_eq!(body["error"]["details"]["field"], "customer_id");

    assert!(
        nc.dav.list(&DavPath::root()).await.unwrap().is_empty(),
        "nothing may be left in the base folder"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn a_100_mb_upload_streams_through() {
    let nc = spawn_app_with_nextcloud().await;
    let customer = nc.customer("Μονή Αγίας Τριάδος").await;
    let cid = customer["id"].as_str().unwrap();
    const SIZE: u64 = 100 * 1024 * 1024;
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(
        pseudo_random_chunks(42, SIZE, 256 * 1024).map(Ok::<_, std::io::Error>),
    ));
    // no length: the request is chunked, as the gateway must not count on one
    let form = upload_form(
        "big/Received Media",
        Some(cid),
        Part::stream(body).file_name("video.mp4"),
    );
    let started = Instant::now();
    let resp = nc
        .req(Method::POST, "/api/crm/nextcloud/upload")
        .multipart(form)
        .timeout(Duration::from_secs(300))
        .send()
        .await
        .unwrap();
    let body = expect(resp, 201).await;
    eprintln!("100 MB upload through the gateway: {:?}", started.elapsed());
    assert_eq!(body["file"]["size"], SIZE);
    assert_eq!(body["media"]["direction"], "received");
    assert_eq!(body["media"]["size"], SIZE);

    // what Nextcloud has is byte for byte what was sent: compared while it streams back
    let resp = file(&nc, "big/Received Media/video.mp4").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-length"), SIZE.to_string());
    let mut expected = pseudo_random_chunks(42, SIZE, 256 * 1024).flat_map(|b| b.to_vec());
    let mut got = resp.bytes_stream();
    let mut n = 0u64;
    while let Some(chunk) = got.next().await {
        for byte in chunk.unwrap() {
            assert_eq!(Some(byte), expected.next(), "byte {n} differs");
            n += 1;
        }
    }
    assert_eq!(n, SIZE);
    assert_eq!(expected.next(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn uploads_over_the_limit_are_413_and_leave_nothing() {
    const LIMIT: u64 = 256 * 1024;
    let nc = spawn_app_with_nextcloud_and(|c| c.max_upload_bytes = LIMIT).await;
    let customer = nc.customer("Ενορία Υπερμεγέθους").await;
    let cid = customer["id"].as_str().unwrap();

    // exactly the limit goes through
    let form = upload_form(
        "ok",
        Some(cid),
        Part::bytes(pseudo_random(1, LIMIT as usize)).file_name("exact.bin"),
    );
    expect(upload(&nc, form).await, 201).await;

    // a declared length past the limit: refused before the body is read
    let form = upload_form(
        "new/folder",
        Some(cid),
        Part::bytes(pseudo_random(2, 2 * LIMIT as usize)).file_name("declared.bin"),
    );
    let body = expect_error(upload(&nc, form).await, 413, "payload_too_large").await;
    assert_eq!(body["error"]["details"]["limit_bytes"], LIMIT);

    // no declared length (chunked): refused once the limit is passed, while it streams, and
    // what had reached Nextcloud is removed, with the folders made for it
    for (i, folder) in ["new/folder", "ok"].into_iter().enumerate() {
        let chunks = pseudo_random_chunks(3, LIMIT + 1, 16 * 1024).map(Ok::<_, std::io::Error>);
        let form = upload_form(
            folder,
            Some(cid),
            Part::stream(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            )))
            .file_name("streamed.bin"),
        );
        let body = expect_error(upload(&nc, form).await, 413, "payload_too_large").await;
        assert_eq!(body["error"]["details"]["limit_bytes"], LIMIT, "case {i}");
    }
    assert!(
        !nc.dav.exists(&p("new")).await.unwrap(),
        "folders made for it stay"
    );
    let ok: Vec<String> = nc
        .dav
        .list(&p("ok"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(ok, ["exact.bin"]);
    assert_eq!(media_of(&nc, cid).await["total"], 1);

    // an existing file survives a refused replacement
    let chunks = pseudo_random_chunks(4, 2 * LIMIT, 16 * 1024).map(Ok::<_, std::io::Error>);
    let form = upload_form(
        "ok",
        Some(cid),
        Part::stream(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .file_name("exact.bin"),
    );
    expect_error(upload(&nc, form).await, 413, "payload_too_large").await;
    assert_eq!(
        read_dav(&nc, "ok/exact.bin").await,
        pseudo_random(1, LIMIT as usize)
    );
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn delete_removes_the_file_and_its_record() {
    let nc = spawn_app_with_nextcloud().await;
    let customer = nc.customer("Ενορία Διαγραφής").await;
    let cid = customer["id"].as_str().unwrap();
    let form = upload_form(
        "c/Sent Media",
        Some(cid),
        Part::bytes(&b"bye"[..]).file_name("old photo.jpg"),
    );
    expect(upload(&nc, form).await, 201).await;
    put(&nc, "c/Sent Media/keep.jpg", "keep").await;
    assert_eq!(media_of(&nc, cid).await["total"], 1);

    let path = q("c/Sent Media/old photo.jpg");
    let resp = nc
        .delete(&format!("/api/crm/nextcloud/file?path={path}"))
        .await;
    assert_eq!(resp.status(), 204);
    assert!(
        !nc.dav
            .exists(&p("c/Sent Media/old photo.jpg"))
            .await
            .unwrap()
    );
    assert!(nc.dav.exists(&p("c/Sent Media/keep.jpg")).await.unwrap());
    assert_eq!(media_of(&nc, cid).await["total"], 0);
    expect_error(
        nc.delete(&format!("/api/crm/nextcloud/file?path={path}"))
            .await,
        404,
        "not_found",
    )
    .await;

    // a file removed behind the CRM's back: its record still goes
    let form = upload_form("c", Some(cid), Part::bytes(&b"x"[..]).file_name("gone.txt"));
    expect(upload(&nc, form).await, 201).await;
    nc.dav.delete(&p("c/gone.txt")).await.unwrap();
    let resp = nc.delete("/api/crm/nextcloud/file?path=c/gone.txt").await;
    assert_eq!(resp.status(), 204);
    assert_eq!(media_of(&nc, cid).await["total"], 0);

    // folders are not deleted here; the base folder even less
    for path in ["c", "c/Sent Media", "", "/"] {
        let resp = nc
            .delete(&format!("/api/crm/nextcloud/file?path={}", q(path)))
            .await;
        let e = expect_error(resp, 422, "invalid_field").await;
        assert_eq!(e["error"]["details"]["field"], "path");
    }
    assert!(nc.dav.exists(&p("c/Sent Media/keep.jpg")).await.unwrap());

    // view-only tokens may not
    let resp = nc
        .client
        .delete(format!(
            "{}/api/crm/nextcloud/file?path={}",
            nc.app.base,
            q("c/Sent Media/keep.jpg")
        ))
        .bearer_auth(&nc.view_token)
        .send()
        .await
        .unwrap();
    expect_error(resp, 403, "forbidden").await;
    assert!(nc.dav.exists(&p("c/Sent Media/keep.jpg")).await.unwrap());
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn customer_media_merges_the_folder_and_the_records() {
    let nc = spawn_app_with_nextcloud().await;
    let folder = "05_Customers/ΕΝΟΡΙΑ ΑΓ. ΓΕΩΡΓΙΟΥ";
    let customer = nc
        .create(
            "/api/crm/customers",
            json!({ "name": "Ενορία Αγίου Γεωργίου", "nextcloud_folder": folder }),
        )
        .await;
    let cid = customer["id"].as_str().unwrap();
    put(&nc, &format!("{folder}/σχέδιο.pdf"), "top").await;
    put(&nc, &format!("{folder}/Sent Media/προσφορά.pdf"), "sent").await;
    put(&nc, &format!("{folder}/Received Media/φωτό.jpg"), "recv").await;
    put(&nc, &format!("{folder}/Other/ignored.txt"), "other").await;
    // uploaded through the CRM: in the folder and recorded
    let form = upload_form(
        &format!("{folder}/Internal"),
        Some(cid),
        Part::bytes(&b"note"[..]).file_name("σημείωση.txt"),
    );
    expect(upload(&nc, form).await, 201).await;
    // recorded, but kept elsewhere
    nc.create(
        "/api/crm/media",
        json!({ "customer_id": cid, "nextcloud_path": "Archive/παλιό.pdf", "direction": "sent" }),
    )
    .await;

    let body = expect(
        nc.get(&format!("/api/crm/customers/{cid}/media")).await,
        200,
    )
    .await;
    assert_eq!(body["folder"], folder);
    assert_eq!(body["folder_read"], true);
    assert_eq!(body["folder_status"], "read");
    let items = body["items"].as_array().unwrap();
    let mut seen: Vec<(String, String, String)> = items
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_owned(),
                i["source"].as_str().unwrap().to_owned(),
                i["direction"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    let t = |path: &str, source: &str, direction: &str| {
        (path.to_owned(), source.to_owned(), direction.to_owned())
    };
    assert_eq!(
        seen,
        [
            t(
                &format!("{folder}/Internal/σημείωση.txt"),
                "both",
                "internal"
            ),
            t(
                &format!("{folder}/Received Media/φωτό.jpg"),
                "nextcloud",
                "received"
            ),
            t(
                &format!("{folder}/Sent Media/προσφορά.pdf"),
                "nextcloud",
                "sent"
            ),
            t(&format!("{folder}/σχέδιο.pdf"), "nextcloud", "internal"),
            t("Archive/παλιό.pdf", "record", "sent"),
        ]
    );
    assert_eq!(body["total"], 5);
    let both = items.iter().find(|i| i["source"] == "both").unwrap();
    assert_eq!(both["record"]["customer_id"], cid);
    assert_eq!(both["size"], 4);
    assert!(both["last_modified"].is_string());
    assert!(items.iter().find(|i| i["source"] == "nextcloud").unwrap()["record"].is_null());

    // a folder that is not there: the records, and a status that says so
    let lost = nc
        .create(
            "/api/crm/customers",
            json!({ "name": "Χαμένος φάκελος", "nextcloud_folder": "05_Customers/nowhere" }),
        )
        .await;
    let body = expect(
        nc.get(&format!(
            "/api/crm/customers/{}/media",
            lost["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(body["folder_read"], false);
    assert_eq!(body["folder_status"], "not_found");
    assert_eq!(body["total"], 0);

    // no folder at all
    let plain = nc.customer("Χωρίς φάκελο").await;
    let body = expect(
        nc.get(&format!(
            "/api/crm/customers/{}/media",
            plain["id"].as_str().unwrap()
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(body["folder_status"], "no_folder");

    expect_error(
        nc.get("/api/crm/customers/00000000-0000-4000-8000-000000000000/media")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn without_nextcloud_the_endpoints_are_503_and_media_is_records_only() {
    let app = spawn_app().await;
    let customer = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ενορία", "nextcloud_folder": "05_Customers/Ενορία" }),
        )
        .await;
    let cid = customer["id"].as_str().unwrap();
    app.create(
        "/api/crm/media",
        json!({ "customer_id": cid, "nextcloud_path": "05_Customers/Ενορία/a.pdf", "direction": "sent" }),
    )
    .await;

    expect_error(browse(&app, "").await, 503, "nextcloud_not_configured").await;
    expect_error(file(&app, "a.pdf").await, 503, "nextcloud_not_configured").await;
    expect_error(
        app.delete("/api/crm/nextcloud/file?path=a.pdf").await,
        503,
        "nextcloud_not_configured",
    )
    .await;
    let form = upload_form("x", None, Part::bytes(&b"x"[..]).file_name("x.txt"));
    expect_error(upload(&app, form).await, 503, "nextcloud_not_configured").await;

    let body = expect(
        app.get(&format!("/api/crm/customers/{cid}/media")).await,
        200,
    )
    .await;
    assert_eq!(body["folder_read"], false);
    assert_eq!(body["folder_status"], "not_configured");
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["source"], "record");
    assert_eq!(body["items"][0]["path"], "05_Customers/Ενορία/a.pdf");
}

#[tokio::test]
async fn a_server_that_is_down_is_503_quickly() {
    // a port that nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(|c| {
        let mut nc =
            nextcloud_dav::Config::new(format!("http://127.0.0.1:{port}"), "alice", "app-password");
        nc.timeout = Duration::from_secs(5);
        c.nextcloud = Some(nc);
    })
    .await;
    let customer = app
        .create(
            "/api/crm/customers",
            json!({ "name": "Ενορία", "nextcloud_folder": "05_Customers/Ενορία" }),
        )
        .await;
    let cid = customer["id"].as_str().unwrap();

    let started = Instant::now();
    expect_error(browse(&app, "").await, 503, "nextcloud_unavailable").await;
    expect_error(file(&app, "a.pdf").await, 503, "nextcloud_unavailable").await;
    let form = upload_form("x", None, Part::bytes(&b"x"[..]).file_name("x.txt"));
    expect_error(upload(&app, form).await, 503, "nextcloud_unavailable").await;
    let body = expect(
        app.get(&format!("/api/crm/customers/{cid}/media")).await,
        200,
    )
    .await;
    assert_eq!(body["folder_status"], "unavailable");
    let elapsed = started.elapsed();
    // each request retries a refused connection a few times with back-off: seconds, no hang
    assert!(elapsed < Duration::from_secs(12), "{elapsed:?}");
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn a_wrong_password_is_503_not_401() {
    let nc = spawn_app_with_nextcloud_and(|c| {
        c.nextcloud.as_mut().unwrap().password = "not-the-password".into();
    })
    .await;
    let body = expect_error(browse(&nc, "").await, 503, "nextcloud_unauthorized").await;
    assert!(!body.to_string().contains("not-the-password"));
    expect_error(file(&nc, "a.pdf").await, 503, "nextcloud_unauthorized").await;
    let form = upload_form("x", None, Part::bytes(&b"x"[..]).file_name("x.txt"));
    expect_error(upload(&nc, form).await, 503, "nextcloud_unauthorized").await;
}

/// Paths that try to leave the base folder, in every disguise: each is a 422 on `path` on
/// browse, download and delete, and none of them reaches the WebDAV server (its access log
/// is checked).
#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn hostile_paths_are_422_and_never_leave_the_gateway() {
    let nc = spawn_app_with_nextcloud().await;
    let long_segment = "x".repeat(300);
    let long_path = "a/".repeat(2100);
    let hostile: Vec<&str> = vec![
        "..",
        "../",
        "../etc/passwd",
        "a/../../b",
        "a/..",
        "./a",
        "a/./b",
        "//etc/passwd",
        "///",
        "a//b",
        "C:\\Windows\\win.ini",
        "\\\\server\\share",
        "a\\..\\b",
        "..\\..\\etc",
        "a\0b",
        "a\nb",
        "a\rb",
        "tab\there",
        "\u{7f}",
        "\u{85}x",
        "\u{202e}fdp.exe",
        "%2e%2e",
        "%2E%2E/etc",
        "a/%2e%2e/%2e%2e/etc",
        "..%2fetc",
        "%2e%2e%2fetc%2fpasswd",
        "%252e%252e/etc",
        "%25252e%25252e",
        "a%2fb",
        "%2fetc%2fpasswd",
        "%5c..%5cetc",
        "..%5c..%5cetc",
        "%00",
        "a%0ab",
        "%c0%ae%c0%ae",
        "%ff",
        "%2e",
        "a/%2E",
        "file:///etc/passwd",
        "http://evil.example/x",
        &long_segment,
        &long_path,
    ];
    assert!(hostile.len() >= 30);
    let mut tried = 0;
    for path in &hostile {
        let encoded = q(path);
        for (method, route) in [
            (Method::GET, "browse"),
            (Method::GET, "file"),
            (Method::DELETE, "file"),
        ] {
            let resp = nc
                .req(
                    method.clone(),
                    &format!("/api/crm/nextcloud/{route}?path={encoded}"),
                )
                .send()
                .await
                .unwrap();
            let body = expect_error(resp, 422, "invalid_field").await;
            assert_eq!(
                body["error"]["details"]["field"], "path",
                "{method} {route} {path:?}: {body}"
            );
            tried += 1;
        }
    }
    // the same, written raw in the URL: decoded once by the query parser, then refused
    for raw in [
        "..%2F..%2Fetc",
        "%252e%252e%252fetc",
        "..%5C..%5Cetc",
        "a%00b",
        "%2e%2e/%2e%2e",
    ] {
        for route in ["browse", "file"] {
            let resp = nc
                .get(&format!("/api/crm/nextcloud/{route}?path={raw}"))
                .await;
            expect_error(resp, 422, "invalid_field").await;
            tried += 1;
        }
    }
    // the upload's destination too
    for path in hostile.iter().take(30) {
        let form = upload_form(path, None, Part::bytes(&b"x"[..]).file_name("x.txt"));
        let body = expect(upload(&nc, form).await, 422).await;
        assert_eq!(
            body["error"]["details"]["field"], "nextcloud_path",
            "{path:?}"
        );
        tried += 1;
    }
    assert!(tried > 150);

    // A control request that does reach the server, then the log is read: the base folder's
    // lines are the test's own set-up and the control, nothing below the base folder else.
    let control = unique("control");
    expect_error(browse(&nc, &control).await, 404, "not_found").await;
    let log_path = format!("{}/access.log", webdav::env("WEBDAV_DIR"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let log = std::fs::read_to_string(&log_path).unwrap();
        let lines: Vec<String> = log
            .lines()
            .filter(|l| l.contains(&nc.dav_base))
            .map(str::to_owned)
            .collect();
        if lines.iter().any(|l| l.contains(&control)) {
            break lines;
        }
        assert!(
            Instant::now() < deadline,
            "the control request never reached the log"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let below_base = format!("{}/", nc.dav_base);
    let leaked: Vec<&String> = lines
        .iter()
        .filter(|l| {
            l.split_once(&below_base)
                .is_some_and(|(_, rest)| !rest.starts_with(' ') && !rest.starts_with(&control))
        })
        .collect();
    assert!(leaked.is_empty(), "requests reached WebDAV: {leaked:#?}");
    assert!(
        lines.len() <= 4,
        "only set-up and control expected: {lines:#?}"
    );
}

#[tokio::test]
#[ignore = "needs WEBDAV_URL: run ./scripts/test.sh"]
async fn paths_stay_inside_the_base_folder() {
    // Another tree on the same server, next to this app's base folder: nothing in it is
    // reachable through the gateway, whatever the path says.
    let nc = spawn_app_with_nextcloud().await;
    let neighbour = unique("neighbour");
    webdav::client("")
        .upload(
            &p(&format!("{neighbour}/secret.txt")),
            UploadBody::from_bytes("secret"),
        )
        .await
        .unwrap();
    for path in [
        format!("../{neighbour}/secret.txt"),
        format!("/../{neighbour}/secret.txt"),
        format!("%2e%2e/{neighbour}/secret.txt"),
    ] {
        let resp = file(&nc, &path).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
    // a leading slash means the base folder, not the server's root
    let resp = file(&nc, &format!("/{neighbour}/secret.txt")).await;
    expect_error(resp, 404, "not_found").await;
    webdav::client("").delete(&p(&neighbour)).await.unwrap();
}
