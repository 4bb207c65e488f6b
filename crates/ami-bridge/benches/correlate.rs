//! Parse and correlate AMI events from an in-memory byte stream: many calls' worth of the
//! fixtures' event text (queue calls with Local channels, missed calls, outbound calls,
//! transfers, interleaved calls), each copy with its own Uniqueid/Linkedid range, fed to the
//! decoder in 16 KiB chunks as the client reads them. Target: > 200,000 events/s on one core.
//!
//! `cargo bench -p ami-bridge` prints criterion's figures and, at the end, one plain line
//! `parse+correlate: N events/s`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_bridge::correlate::{CallRules, Clock, Correlator};
use ami_bridge::proto::{Decoded, Decoder, Frame};
use criterion::{Criterion, Throughput, criterion_group};
use time::OffsetDateTime;

const FIXTURES: &[&str] = &[
    include_str!("../tests/fixtures/inbound_queue_answered.txt"),
    include_str!("../tests/fixtures/inbound_missed.txt"),
    include_str!("../tests/fixtures/outbound.txt"),
    include_str!("../tests/fixtures/attended_transfer.txt"),
    include_str!("../tests/fixtures/blind_transfer.txt"),
    include_str!("../tests/fixtures/concurrent_interleaved.txt"),
    include_str!("../tests/fixtures/originate_call.txt"),
];
const COPIES: usize = 150;

/// Events without `Timestamp:` are dated by a clock; a bench needs no real one.
#[derive(Debug)]
struct Epoch;

impl Clock for Epoch {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH
    }
}
const CHUNK: usize = 16 * 1024;

struct Stream {
    bytes: Vec<u8>,
    events: u64,
    calls: u64,
}

/// The fixtures repeated `COPIES` times; copy `i` lives `i` seconds later, so its
/// Uniqueid/Linkedid values (and timestamps) never clash with another copy's.
fn stream() -> Stream {
    let mut bytes = b"Asterisk Call Manager/7.0.3\r\n".to_vec();
    let mut events = 0;
    let mut calls = 0;
    for i in 0..COPIES {
        for fixture in FIXTURES {
            let shifted = fixture.replace("1717236000.", &format!("{}.", 1_717_236_000 + i * 1000));
            for line in shifted.lines().skip_while(|l| l.starts_with('#')) {
                if line.starts_with("Event: ") {
                    events += 1;
                }
                bytes.extend_from_slice(line.as_bytes());
                bytes.extend_from_slice(b"\r\n");
            }
            calls += if fixture.contains("Linkedid: 1717236000.700") {
                2
            } else {
                1
            };
        }
    }
    Stream {
        bytes,
        events,
        calls,
    }
}

fn rules() -> Arc<CallRules> {
    match CallRules::new(&["PJSIP/trunk-", "SIP/provider"], &["_XXX", "_XXXX"], "GR") {
        Ok(r) => Arc::new(r),
        Err(e) => panic!("rules: {e}"),
    }
}

/// Decodes the whole stream; returns the number of messages.
fn decode_only(bytes: &[u8]) -> u64 {
    let mut decoder = Decoder::new();
    let mut n = 0;
    for chunk in bytes.chunks(CHUNK) {
        decoder.feed(chunk);
        while let Ok(Decoded::Frame(frame)) = decoder.decode() {
            if let Frame::Message(m) = frame {
                black_box(&m);
                n += 1;
            }
        }
    }
    n
}

/// Decodes and correlates the whole stream; returns the number of call records.
fn decode_and_correlate(bytes: &[u8], rules: &Arc<CallRules>) -> u64 {
    let mut decoder = Decoder::new();
    let mut correlator = Correlator::new(Arc::clone(rules), Arc::new(Epoch));
    let mut records = 0;
    for chunk in bytes.chunks(CHUNK) {
        decoder.feed(chunk);
        while let Ok(Decoded::Frame(frame)) = decoder.decode() {
            if let Frame::Message(m) = frame {
                records += correlator.feed(&m).len() as u64;
            }
        }
    }
    records
}

fn bench(c: &mut Criterion) {
    let stream = stream();
    let rules = rules();
    assert_eq!(decode_only(&stream.bytes), stream.events);
    assert_eq!(decode_and_correlate(&stream.bytes, &rules), stream.calls);

    let mut group = c.benchmark_group("ami");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(stream.events));
    group.bench_function("decode", |b| {
        b.iter(|| decode_only(black_box(&stream.bytes)))
    });
    group.bench_function("decode+correlate", |b| {
        b.iter(|| decode_and_correlate(black_box(&stream.bytes), &rules))
    });
    group.finish();
}

/// One plain figure after criterion's: the best of a few full passes.
fn summary() {
    let stream = stream();
    let rules = rules();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        black_box(decode_and_correlate(black_box(&stream.bytes), &rules));
        best = best.min(start.elapsed());
    }
    let per_sec = stream.events as f64 / best.as_secs_f64();
    println!(
        "parse+correlate: {per_sec:.0} events/s ({} events, {} calls, {:.1} MiB, best pass {best:?})",
        stream.events,
        stream.calls,
        stream.bytes.len() as f64 / (1024.0 * 1024.0),
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
