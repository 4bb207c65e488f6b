//! Listing a 5,000-entry folder: parsing a generated Nextcloud-shaped multistatus body, and,
//! when WEBDAV_URL/WEBDAV_USER/WEBDAV_PASS are set, a real PROPFIND Depth 1 against the
//! server (request + transfer + parsing). Target: under 200 ms.
//!
//!   cargo bench -p nextcloud-dav --bench list

// Benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use nextcloud_dav::proto::{DavRoot, encode_segment, parse_listing};
use nextcloud_dav::{Client, Config, DavPath, UploadBody};

const ENTRIES: usize = 5_000;
const FOLDER: &str = "bench-list-5000";

fn name(i: usize) -> String {
    format!("Πελάτης {i:04} #προσφορά + ΦΠΑ.pdf")
}

/// A Depth 1 answer shaped like Nextcloud's: the folder, then `n` files, each with a 200
/// propstat and a 404 propstat.
fn generate(n: usize) -> String {
    let base = "/remote.php/dav/files/alice/CRM/Customers";
    let mut xml = String::with_capacity(n * 900);
    xml.push_str(r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">"#);
    xml.push_str(&format!(
        "<d:response><d:href>{base}/</d:href><d:propstat><d:prop>\
         <d:getlastmodified>Fri, 14 Mar 2025 09:30:00 GMT</d:getlastmodified>\
         <d:resourcetype><d:collection/></d:resourcetype><d:getetag>&quot;6655f3b1a2c40&quot;</d:getetag>\
         <oc:fileid>1</oc:fileid><oc:size>{}</oc:size></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\n",
        n * 1000
    ));
    for i in 0..n {
        xml.push_str(&format!(
            "<d:response><d:href>{base}/{}</d:href><d:propstat><d:prop>\
             <d:getlastmodified>Fri, 14 Mar 2025 09:26:53 GMT</d:getlastmodified>\
             <d:getcontentlength>{}</d:getcontentlength><d:getcontenttype>application/pdf</d:getcontenttype>\
             <d:resourcetype/><d:getetag>&quot;{:013x}&quot;</d:getetag><oc:fileid>{}</oc:fileid><oc:size>{}</oc:size>\
             </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>\
             <d:propstat><d:prop><nc:has-preview/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>\n",
            encode_segment(&name(i)),
            1000 + i,
            i * 7919,
            i + 2,
            1000 + i
        ));
    }
    xml.push_str("</d:multistatus>");
    xml
}

fn parse(c: &mut Criterion) {
    let body = generate(ENTRIES);
    let root = DavRoot::new(
        "https://cloud.example.com",
        "",
        "alice",
        &DavPath::parse("CRM").unwrap(),
    )
    .unwrap();
    let folder = DavPath::parse("Customers").unwrap();
    assert_eq!(
        parse_listing(body.as_bytes(), &root, &folder)
            .unwrap()
            .children
            .len(),
        ENTRIES
    );
    eprintln!(
        "generated multistatus: {} entries, {} bytes",
        ENTRIES,
        body.len()
    );
    c.bench_function("parse_listing/5000 entries", |b| {
        b.iter(|| parse_listing(black_box(body.as_bytes()), &root, &folder).unwrap())
    });
}

fn real_server(c: &mut Criterion) {
    let (Ok(url), Ok(user), Ok(pass)) = (
        std::env::var("WEBDAV_URL"),
        std::env::var("WEBDAV_USER"),
        std::env::var("WEBDAV_PASS"),
    ) else {
        eprintln!(
            "WEBDAV_URL/WEBDAV_USER/WEBDAV_PASS not set: skipping the real-server list benchmark"
        );
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(Config::new(url, user, pass)).unwrap();
    let folder = DavPath::parse(FOLDER).unwrap();
    rt.block_on(async {
        client.mkdir_all(&folder).await.unwrap();
        let present: std::collections::HashSet<String> = client
            .list(&folder)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        let missing: Vec<usize> = (0..ENTRIES)
            .filter(|i| !present.contains(&name(*i)))
            .collect();
        if !missing.is_empty() {
            let started = Instant::now();
            let n = missing.len();
            futures_util::stream::iter(missing)
                .map(|i| {
                    let client = &client;
                    let path = folder.join(&name(i)).unwrap();
                    async move {
                        client
                            .upload(&path, UploadBody::from_bytes(vec![b'x'; 1000 + i]))
                            .await
                            .unwrap()
                    }
                })
                .buffer_unordered(16)
                .for_each(|_| async {})
                .await;
            eprintln!("created {n} files in {:?}", started.elapsed());
        }
        assert_eq!(client.list(&folder).await.unwrap().len(), ENTRIES);
    });

    let mut group = c.benchmark_group("list");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("real server/5000 entries", |b| {
        b.iter(|| rt.block_on(client.list(&folder)).unwrap())
    });
    group.finish();

    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let started = Instant::now();
            let n = rt.block_on(client.list(&folder)).unwrap().len();
            assert_eq!(n, ENTRIES);
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "list of a real {ENTRIES}-entry folder: median {:.1} ms, max {:.1} ms (target < 200 ms)",
        median.as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

criterion_group!(benches, parse, real_server);
criterion_main!(benches);
