//! The correlator on the fixtures, and on small hand-made event sequences for the orderings
//! the fixtures do not show.

use ami_bridge::correlate::{Correlator, Limits};
use ami_bridge::proto::Message;
use ami_bridge::{CallRecord, Direction, Disposition, Number};

use crate::support::{FixedClock, clock, decode_messages, fixture, rules, ts};

const T0: f64 = 1_717_236_000.0;

fn feed_all(c: &mut Correlator, messages: &[Message]) -> Vec<CallRecord> {
    messages.iter().flat_map(|m| c.feed(m)).collect()
}

fn records(name: &str) -> Vec<CallRecord> {
    let mut c = Correlator::new(rules(), clock());
    let out = feed_all(&mut c, &decode_messages(&fixture(name)));
    assert_eq!(c.open_calls(), 0, "{name}: calls left open");
    out
}

fn one(name: &str) -> CallRecord {
    let mut all = records(name);
    assert_eq!(all.len(), 1, "{name}: {all:#?}");
    all.remove(0)
}

fn e164(n: &str) -> Number {
    Number::E164(n.into())
}

fn ext(n: &str) -> Number {
    Number::Extension(n.into())
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn answered_inbound_call_through_a_queue_reports_the_real_extension() {
    let r = one("inbound_queue_answered.txt");
    assert_eq!(r.linkedid, "1717236000.100");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.caller, e164("+306912345678"));
    assert_eq!(r.callee, e164("+302101234567"));
    assert!(r.answered);
    assert_eq!(r.disposition, Disposition::Answered);
    assert_eq!(r.extension.as_deref(), Some("201"));
    assert_eq!(r.rang, strings(&["201", "202"]));
    assert!(r.transfers.is_empty());
    assert_eq!(r.trunk.as_deref(), Some("trunk-acme"));
    assert_eq!(r.start, ts(T0));
    assert_eq!(r.answer, Some(ts(T0 + 7.528)));
    assert_eq!(r.end, ts(T0 + 102.564));
    assert_eq!((r.duration_secs, r.billable_secs), (102, 95));
    assert!(!r.incomplete);
}

#[test]
fn missed_inbound_call() {
    let r = one("inbound_missed.txt");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.caller, e164("+302310555666"));
    assert_eq!(r.callee, e164("+302101234567"));
    assert!(!r.answered);
    assert_eq!(r.disposition, Disposition::NoAnswer);
    assert_eq!(r.extension, None);
    assert_eq!(r.rang, strings(&["201", "202"]));
    assert_eq!(r.answer, None);
    assert_eq!((r.duration_secs, r.billable_secs), (14, 0));
}

#[test]
fn outbound_call() {
    let r = one("outbound.txt");
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(r.caller, ext("201"));
    assert_eq!(r.callee, e164("+306971234567"));
    assert!(r.answered);
    assert_eq!(r.extension.as_deref(), Some("201"));
    assert_eq!(r.answer, Some(ts(T0 + 6.309)));
    assert_eq!((r.duration_secs, r.billable_secs), (48, 42));
}

#[test]
fn attended_transfer_is_one_call_continuing_under_the_first_linkedid() {
    let r = one("attended_transfer.txt");
    assert_eq!(r.linkedid, "1717236000.400");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.caller, e164("+306944556677"));
    assert_eq!(r.extension.as_deref(), Some("201"));
    assert_eq!(r.transfers, strings(&["202"]));
    assert_eq!(r.answer, Some(ts(T0 + 4.006)));
    assert_eq!(r.end, ts(T0 + 109.039));
    assert_eq!((r.duration_secs, r.billable_secs), (109, 105));
}

#[test]
fn attended_transfer_without_the_transfer_event_still_merges() {
    // Linkedid propagation alone (Bob's channel starts carrying the caller's Linkedid) is
    // enough to fold the consultation call into the transferred one.
    let messages: Vec<Message> = decode_messages(&fixture("attended_transfer.txt"))
        .into_iter()
        .filter(|m| m.event() != Some("AttendedTransfer"))
        .collect();
    let mut c = Correlator::new(rules(), clock());
    let out = feed_all(&mut c, &messages);
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].linkedid, "1717236000.400");
    assert_eq!(out[0].transfers, strings(&["202"]));
    assert_eq!(c.open_calls(), 0);
}

#[test]
fn blind_transfer() {
    let r = one("blind_transfer.txt");
    assert_eq!(r.caller, e164("+302109876543"));
    assert_eq!(r.extension.as_deref(), Some("201"));
    assert_eq!(r.transfers, strings(&["203"]));
    assert_eq!(r.rang, strings(&["201", "203"]));
    assert_eq!((r.duration_secs, r.billable_secs), (61, 58));
}

#[test]
fn two_interleaved_calls_are_kept_apart() {
    let all = records("concurrent_interleaved.txt");
    assert_eq!(all.len(), 2, "{all:#?}");
    let (out, inb) = (&all[0], &all[1]);
    assert_eq!(out.linkedid, "1717236000.700");
    assert_eq!(out.direction, Direction::Outbound);
    assert_eq!(out.caller, ext("203"));
    assert_eq!(out.callee, e164("+302221234567"));
    assert_eq!((out.duration_secs, out.billable_secs), (21, 15));
    assert_eq!(inb.linkedid, "1717236000.600");
    assert_eq!(inb.direction, Direction::Inbound);
    assert_eq!(inb.caller, e164("+306981112233"));
    assert_eq!(inb.extension.as_deref(), Some("202"));
    assert_eq!(inb.rang, strings(&["202", "201"]));
    assert_eq!((inb.duration_secs, inb.billable_secs), (27, 20));
}

#[test]
fn click_to_call_origination() {
    let r = one("originate_call.txt");
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(r.caller, ext("201"));
    assert_eq!(r.callee, e164("+306971234567"));
    assert!(r.answered);
    // billed from the far end's answer, not from the agent picking up
    assert_eq!(r.answer, Some(ts(T0 + 7.010)));
    assert_eq!((r.duration_secs, r.billable_secs), (37, 30));
}

/// The time of the last event of `messages` (all carry `Timestamp:`).
fn last_timestamp(messages: &[Message]) -> time::OffsetDateTime {
    messages
        .iter()
        .rev()
        .find_map(|m| m.get("Timestamp"))
        .map(|t| ts(t.parse().unwrap_or_else(|e| panic!("{t}: {e}"))))
        .unwrap_or_else(|| panic!("no timestamp"))
}

#[test]
fn connection_lost_mid_call_closes_it_once_as_incomplete() {
    let messages = decode_messages(&fixture("inbound_queue_answered.txt"));
    let half = messages.len() / 2;
    // the local clock is months past the PBX's: it must not become the call's end
    let clock = FixedClock::at(1_730_000_000);
    let mut c = Correlator::new(rules(), clock.clone());
    assert!(feed_all(&mut c, &messages[..half]).is_empty());
    assert_eq!(c.open_calls(), 1);

    let closed = c.close_all_incomplete();
    assert_eq!(closed.len(), 1);
    let r = &closed[0];
    assert!(r.incomplete);
    assert_eq!(r.linkedid, "1717236000.100");
    let last = last_timestamp(&messages[..half]);
    assert!(last > ts(T0), "the call was under way");
    assert_eq!(r.start, ts(T0));
    assert_eq!(r.end, last, "one clock per call: its last event");
    assert_eq!(r.duration_secs, (last - ts(T0)).whole_seconds() as u64);
    assert!(r.duration_secs < 3600, "{r:#?}");
    assert!(c.close_all_incomplete().is_empty());

    // what the server says after a reconnect about that call is ignored: no duplicate
    assert!(feed_all(&mut c, &messages[half..]).is_empty());
    assert_eq!(c.open_calls(), 0);
}

#[test]
fn calls_that_started_before_we_listened_are_ignored() {
    let messages = decode_messages(&fixture("outbound.txt"));
    let mut c = Correlator::new(rules(), clock());
    assert!(feed_all(&mut c, &messages[1..]).is_empty());
    assert_eq!(c.open_calls(), 0);
}

#[test]
fn events_without_timestamp_use_the_injected_clock() {
    let messages: Vec<Message> = decode_messages(&fixture("inbound_missed.txt"))
        .into_iter()
        .map(|m| {
            let mut stripped = Message::new();
            for (k, v) in m.iter().filter(|(k, _)| *k != "Timestamp") {
                stripped.push(k, v);
            }
            stripped
        })
        .collect();
    let clock = FixedClock::at(1_800_000_000);
    let mut c = Correlator::new(rules(), clock.clone());
    let mut out = Vec::new();
    for m in &messages {
        out.extend(c.feed(m));
        clock.advance(1);
    }
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].start, ts(1_800_000_000.0));
    // one second per message: the last Hangup is the second to last message (a Cdr follows)
    let last_hangup = messages
        .iter()
        .rposition(|m| m.event() == Some("Hangup"))
        .unwrap_or_else(|| panic!("no Hangup"));
    assert_eq!(out[0].end, ts(1_800_000_000.0 + last_hangup as f64));
    assert_eq!(out[0].duration_secs, last_hangup as u64);
}

#[test]
fn memory_limit_closes_the_oldest_call_as_incomplete() {
    // a local clock far from the PBX's
    let clock = FixedClock::at(1_800_000_000);
    let mut c = Correlator::new(rules(), clock).with_limits(Limits {
        max_open_calls: 1,
        max_channels: 100,
    });
    let out = feed_all(
        &mut c,
        &decode_messages(&fixture("concurrent_interleaved.txt")),
    );
    // the inbound call (older) is closed when the outbound one starts; the outbound one
    // completes normally; the inbound call's later events are then ignored
    assert_eq!(out.len(), 2, "{out:#?}");
    assert_eq!(out[0].linkedid, "1717236000.600");
    assert!(out[0].incomplete);
    // ended at its own last event, not at the (unrelated) local clock
    assert!(out[0].end >= out[0].start && out[0].end <= out[1].start);
    assert!(out[0].duration_secs < 60, "{:#?}", out[0]);
    assert_eq!(out[1].linkedid, "1717236000.700");
    assert!(!out[1].incomplete);
    assert_eq!(c.open_calls(), 0);
}

/// A minimal channel event (enough fields for the correlator).
fn chan(
    event: &str,
    channel: &str,
    uid: &str,
    linkedid: &str,
    t: f64,
    extra: &[(&str, &str)],
) -> Message {
    let mut m = Message::new()
        .with("Event", event)
        .with("Timestamp", &format!("{t:.6}"))
        .with("Channel", channel)
        .with("Uniqueid", uid)
        .with("Linkedid", linkedid);
    for (k, v) in extra {
        m.push(k, v);
    }
    m
}

fn dial(
    event: &str,
    from: (&str, &str),
    to: (&str, &str, &str),
    linkedid: &str,
    t: f64,
    extra: &[(&str, &str)],
) -> Message {
    let mut m = chan(event, from.0, from.1, linkedid, t, &[]);
    m.push("DestChannel", to.0);
    m.push("DestUniqueid", to.1);
    m.push("DestLinkedid", to.2);
    for (k, v) in extra {
        m.push(k, v);
    }
    m
}

#[test]
fn consultation_call_emptied_after_its_target_moved_is_merged_not_reported() {
    let trunk = "PJSIP/trunk-acme-00000001";
    let events = vec![
        chan(
            "Newchannel",
            trunk,
            "9.1",
            "9.1",
            0.0,
            &[("CallerIDNum", "6912345678"), ("Exten", "2101234567")],
        ),
        chan("Newchannel", "PJSIP/201-00000002", "9.2", "9.1", 0.1, &[]),
        dial(
            "DialBegin",
            (trunk, "9.1"),
            ("PJSIP/201-00000002", "9.2", "9.1"),
            "9.1",
            0.2,
            &[],
        ),
        dial(
            "DialEnd",
            (trunk, "9.1"),
            ("PJSIP/201-00000002", "9.2", "9.1"),
            "9.1",
            3.0,
            &[("DialStatus", "ANSWER")],
        ),
        // consultation call 201 → 202 under its own linkedid
        chan(
            "Newchannel",
            "PJSIP/201-00000003",
            "9.3",
            "9.3",
            10.0,
            &[("CallerIDNum", "201"), ("Exten", "202")],
        ),
        chan("Newchannel", "PJSIP/202-00000004", "9.4", "9.3", 10.1, &[]),
        dial(
            "DialBegin",
            ("PJSIP/201-00000003", "9.3"),
            ("PJSIP/202-00000004", "9.4", "9.3"),
            "9.3",
            10.2,
            &[],
        ),
        dial(
            "DialEnd",
            ("PJSIP/201-00000003", "9.3"),
            ("PJSIP/202-00000004", "9.4", "9.3"),
            "9.3",
            12.0,
            &[("DialStatus", "ANSWER")],
        ),
        // 202's channel shows the caller's linkedid first, then both transferer channels go
        chan("BridgeEnter", "PJSIP/202-00000004", "9.4", "9.1", 20.0, &[]),
        chan("Hangup", "PJSIP/201-00000003", "9.3", "9.3", 20.1, &[]),
        chan("Hangup", "PJSIP/201-00000002", "9.2", "9.1", 20.2, &[]),
        chan("Hangup", "PJSIP/202-00000004", "9.4", "9.1", 50.0, &[]),
        chan("Hangup", trunk, "9.1", "9.1", 50.1, &[]),
    ];
    let mut c = Correlator::new(rules(), clock());
    let out = feed_all(&mut c, &events);
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].linkedid, "9.1");
    assert_eq!(out[0].extension.as_deref(), Some("201"));
    assert_eq!(out[0].transfers, strings(&["202"]));
    assert_eq!(out[0].end, ts(50.1));
    assert_eq!(c.open_calls(), 0);
}

#[test]
fn busy_and_failed_dispositions() {
    for (status, expected) in [
        ("BUSY", Disposition::Busy),
        ("CHANUNAVAIL", Disposition::Failed),
        ("CONGESTION", Disposition::Failed),
        ("NOANSWER", Disposition::NoAnswer),
    ] {
        let events = vec![
            chan(
                "Newchannel",
                "PJSIP/201-00000001",
                "8.1",
                "8.1",
                0.0,
                &[("CallerIDNum", "201"), ("Exten", "202")],
            ),
            chan("Newchannel", "PJSIP/202-00000002", "8.2", "8.1", 0.1, &[]),
            dial(
                "DialBegin",
                ("PJSIP/201-00000001", "8.1"),
                ("PJSIP/202-00000002", "8.2", "8.1"),
                "8.1",
                0.2,
                &[],
            ),
            dial(
                "DialEnd",
                ("PJSIP/201-00000001", "8.1"),
                ("PJSIP/202-00000002", "8.2", "8.1"),
                "8.1",
                2.0,
                &[("DialStatus", status)],
            ),
            chan("Hangup", "PJSIP/202-00000002", "8.2", "8.1", 2.1, &[]),
            chan("Hangup", "PJSIP/201-00000001", "8.1", "8.1", 3.0, &[]),
        ];
        let out = feed_all(&mut Correlator::new(rules(), clock()), &events);
        assert_eq!(out.len(), 1);
        let r = &out[0];
        assert_eq!(r.direction, Direction::Internal);
        assert_eq!(
            (r.caller.clone(), r.callee.clone()),
            (ext("201"), ext("202"))
        );
        assert_eq!(r.disposition, expected, "{status}");
        assert!(!r.answered);
    }
}

#[test]
fn cdr_tells_who_answered_when_the_events_did_not() {
    let trunk = "SIP/provider-00000001";
    let events = vec![
        chan(
            "Newchannel",
            trunk,
            "7.1",
            "7.1",
            0.0,
            &[("CallerIDNum", "+302101111111"), ("Exten", "s")],
        ),
        chan("Newchannel", "SIP/205-00000002", "7.2", "7.1", 0.1, &[]),
        dial(
            "DialBegin",
            (trunk, "7.1"),
            ("SIP/205-00000002", "7.2", "7.1"),
            "7.1",
            0.2,
            &[],
        ),
        chan("Hangup", "SIP/205-00000002", "7.2", "7.1", 40.0, &[]),
        Message::new()
            .with("Event", "Cdr")
            .with("Source", "+302101111111")
            .with("Channel", trunk)
            .with("DestinationChannel", "SIP/205-00000002")
            .with("BillableSeconds", "35")
            .with("Disposition", "ANSWERED")
            .with("UniqueID", "7.2"),
        chan("Hangup", trunk, "7.1", "7.1", 40.0, &[]),
    ];
    let out = feed_all(&mut Correlator::new(rules(), clock()), &events);
    assert_eq!(out.len(), 1);
    let r = &out[0];
    assert!(r.answered);
    assert_eq!(r.extension.as_deref(), Some("205"));
    // the DID was `s`: the callee is the extension that answered
    assert_eq!(r.callee, ext("205"));
    assert_eq!(r.billable_secs, 35);
}

#[test]
fn withheld_caller_and_non_events_are_harmless() {
    let trunk = "PJSIP/trunk-x-00000001";
    let mut c = Correlator::new(rules(), clock());
    let noise = [
        Message::new()
            .with("Response", "Success")
            .with("ActionID", "1"),
        Message::new().with("Event", "Hangup"),
        Message::new()
            .with("Event", "DialEnd")
            .with("DestUniqueid", "nope"),
        Message::new()
            .with("Event", "AttendedTransfer")
            .with("Result", "Success"),
        Message::new(),
    ];
    assert!(feed_all(&mut c, &noise).is_empty());
    let events = vec![
        chan(
            "Newchannel",
            trunk,
            "6.1",
            "6.1",
            0.0,
            &[("CallerIDNum", "anonymous"), ("Exten", "2101234567")],
        ),
        chan("Hangup", trunk, "6.1", "6.1", 5.0, &[]),
    ];
    let out = feed_all(&mut c, &events);
    assert_eq!(out[0].caller, Number::Withheld);
    assert_eq!(out[0].disposition, Disposition::NoAnswer);
}

#[test]
fn records_serialize_to_json_and_back() {
    let r = one("inbound_queue_answered.txt");
    let json = serde_json::to_string(&r).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        json.contains("\"start\":\"2024-06-01T10:00:00Z\""),
        "{json}"
    );
    assert!(
        json.contains("\"caller\":{\"kind\":\"e164\",\"value\":\"+306912345678\"}"),
        "{json}"
    );
    let back: CallRecord = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, r);
}
