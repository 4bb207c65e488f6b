//! Parse throughput on one core: 10,000 distinct "typical" messages (20–200 KB; Greek text in
//! UTF-8, ISO-8859-7 and Windows-1253; RFC 2047 headers; QP and base64; alternative, mixed and
//! related parts with attachments). Only `parse` is timed; each message is generated just
//! before, so memory stays small. Target: above 2,000 messages/s.
//!
//!   cargo bench -p mail-bridge --bench parse          (MAIL_BENCH_MESSAGES=n to change 10,000)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use mail_bridge::testing::generate;

fn main() {
    let n: u64 = std::env::var("MAIL_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // warm-up (caches, lazy parser set-up)
    for i in 0..200 {
        black_box(mail_bridge::parse(&generate::typical(1_000_000 + i), None));
    }
    let mut parse_time = Duration::ZERO;
    let mut bytes = 0u64;
    let mut attachments = 0usize;
    let mut sizes = Vec::with_capacity(n as usize);
    for i in 0..n {
        let raw = generate::typical(i);
        let t = Instant::now();
        let m = mail_bridge::parse(black_box(&raw), None);
        parse_time += t.elapsed();
        assert!(m.flags.is_empty(), "message {i}: {:?}", m.flags);
        assert!(
            m.subject
                .as_deref()
                .is_some_and(|s| s.ends_with(&format!("#{i}")))
        );
        attachments += m.attachments.len();
        bytes += raw.len() as u64;
        sizes.push(raw.len());
        black_box(m);
    }
    sizes.sort_unstable();
    let secs = parse_time.as_secs_f64();
    let rate = n as f64 / secs;
    println!(
        "parse: {n} messages, {:.1} MB (sizes {}..{} KB, median {} KB), {attachments} attachments",
        bytes as f64 / 1e6,
        sizes[0] / 1000,
        sizes[sizes.len() - 1] / 1000,
        sizes[sizes.len() / 2] / 1000,
    );
    println!(
        "parse: {secs:.3} s on one core = {rate:.0} messages/s, {:.0} MB/s (target > 2000 messages/s: {})",
        bytes as f64 / 1e6 / secs,
        if rate > 2000.0 { "met" } else { "NOT met" }
    );
}
