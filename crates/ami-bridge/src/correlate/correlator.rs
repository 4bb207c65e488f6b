//! Channels grouped by `Linkedid`, one [`CallRecord`] when the last one hangs up.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::record::{CallRecord, Direction, Disposition, Number};
use super::rules::{CallRules, ChannelKind};
use crate::proto::Message;

/// Where the correlator gets "now" for events without a `Timestamp:` field (AMI adds one only
/// with `timestampevents = yes` in `manager.conf`). The bridge ships no implementation: time
/// is a parameter, and the application passes its own clock (tests pass a fixed one).
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// Memory bounds: past them the oldest open call is closed as incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open calls kept at most.
    pub max_open_calls: usize,
    /// Live channels kept at most, over all calls.
    pub max_channels: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_open_calls: 10_000,
            max_channels: 50_000,
        }
    }
}

/// Lists inside one call (rang, transfers, dial targets) are cut at this length.
const MAX_LIST: usize = 32;

/// Builds one [`CallRecord`] per call from AMI events; free of I/O.
///
/// Channels belong to the call of their `Linkedid`. A call is created by the `Newchannel` of
/// its first channel (`Uniqueid == Linkedid`); channels of calls that started before the
/// correlator did are ignored, so a call is never reported half-seen after a reconnect. A
/// channel whose events start carrying another known `Linkedid` moves to that call, and an
/// `AttendedTransfer` merges the consultation call into the transferred one; a call left
/// without channels by such moves is merged, not reported. The record is emitted when the
/// last live channel of the call hangs up.
pub struct Correlator {
    rules: Arc<CallRules>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    channels: HashMap<Box<str>, Chan>,
    calls: HashMap<Box<str>, Call>,
    /// Hung-up channels of open calls (for `Cdr` events, which come after the hangup).
    retired: HashMap<Box<str>, Box<str>>,
    seq: u64,
}

impl fmt::Debug for Correlator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Correlator")
            .field("open_calls", &self.calls.len())
            .field("live_channels", &self.channels.len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Chan {
    linkedid: Box<str>,
    kind: ChannelKind,
    dialed: bool,
    answered: bool,
}

#[derive(Debug)]
struct Call {
    seq: u64,
    start: OffsetDateTime,
    /// The time of the latest event that concerned the call: the end of a call closed before
    /// its hangup was seen, on the same clock as its start.
    last_event: OffsetDateTime,
    root_uid: Box<str>,
    root_kind: ChannelKind,
    root_caller: String,
    root_exten: String,
    members: Vec<Box<str>>,
    retired: Vec<Box<str>>,
    trunk: Option<String>,
    first_extension: Option<String>,
    ext_answer: Option<(String, OffsetDateTime)>,
    trunk_answer: Option<OffsetDateTime>,
    rang: Vec<String>,
    transfers: Vec<String>,
    dial_targets: Vec<String>,
    busy: bool,
    no_answer: bool,
    failed: bool,
    cdr_answer: Option<(String, u64)>,
    /// Some of this call's channels moved to that call (its `Linkedid` won): when this call
    /// runs out of channels it is merged there instead of being reported.
    moved_to: Option<Box<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Newchannel,
    NewCallerid,
    Newstate,
    DialBegin,
    DialEnd,
    Bridge,
    Hangup,
    AttendedTransfer,
    BlindTransfer,
    Cdr,
}

fn event_kind(name: &str) -> Option<Kind> {
    const TABLE: &[(&str, Kind)] = &[
        ("Newchannel", Kind::Newchannel),
        ("NewCallerid", Kind::NewCallerid),
        ("Newstate", Kind::Newstate),
        ("DialBegin", Kind::DialBegin),
        ("DialEnd", Kind::DialEnd),
        ("BridgeEnter", Kind::Bridge),
        ("BridgeLeave", Kind::Bridge),
        ("Hangup", Kind::Hangup),
        ("AttendedTransfer", Kind::AttendedTransfer),
        ("BlindTransfer", Kind::BlindTransfer),
        ("Cdr", Kind::Cdr),
    ];
    TABLE
        .iter()
        .find(|(n, _)| n.len() == name.len() && n.eq_ignore_ascii_case(name))
        .map(|&(_, k)| k)
}

/// Parses AMI's `Timestamp: 1700000000.123456`.
pub(crate) fn parse_timestamp(value: &str) -> Option<OffsetDateTime> {
    let (secs, frac) = value.trim().split_once('.').unwrap_or((value.trim(), ""));
    let secs: i64 = secs.parse().ok()?;
    let mut nanos: i64 = 0;
    let mut scale = 100_000_000;
    for c in frac.bytes().take(9) {
        if !c.is_ascii_digit() {
            return None;
        }
        nanos += i64::from(c - b'0') * scale;
        scale /= 10;
    }
    let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    // Before the epoch is no event time, and a record dated there could not be written as
    // RFC 3339 (found by fuzz/, ami_calls): such a field is as good as absent.
    OffsetDateTime::from_unix_timestamp_nanos(total)
        .ok()
        .filter(|t| t.unix_timestamp() >= 0)
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !value.is_empty() && list.len() < MAX_LIST && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// The number part of a dial string: `trunk-acme/6912345678`, `6912345678@trunk-acme`,
/// `trunk-acme/sip:+306912345678@sip.example.net`.
fn dialstring_number(dialstring: &str) -> &str {
    let s = dialstring.rsplit('/').next().unwrap_or(dialstring);
    let s = s.strip_prefix("sip:").unwrap_or(s);
    let s = s.split('@').next().unwrap_or(s);
    s.split(',').next().unwrap_or(s).trim()
}

impl Correlator {
    /// A correlator with default limits; `clock` dates events without `Timestamp:`. Every
    /// time of a call comes from its events, so start and end share one clock (the PBX's, or
    /// this one when the PBX sends no timestamps).
    pub fn new(rules: Arc<CallRules>, clock: Arc<dyn Clock>) -> Self {
        Self {
            rules,
            clock,
            limits: Limits::default(),
            channels: HashMap::new(),
            calls: HashMap::new(),
            retired: HashMap::new(),
            seq: 0,
        }
    }

    /// The same correlator with other memory bounds.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Limits {
            max_open_calls: limits.max_open_calls.max(1),
            max_channels: limits.max_channels.max(1),
        };
        self
    }

    /// The rules in use.
    pub fn rules(&self) -> &Arc<CallRules> {
        &self.rules
    }

    /// Calls seen and not yet finished.
    pub fn open_calls(&self) -> usize {
        self.calls.len()
    }

    /// Takes one message; returns the calls it finished (usually none, at most a few).
    /// Responses and events that say nothing about calls are ignored.
    pub fn feed(&mut self, message: &Message) -> Vec<CallRecord> {
        let mut out = Vec::new();
        let Some(kind) = message.event().and_then(event_kind) else {
            return out;
        };
        let ts = message
            .get("Timestamp")
            .and_then(parse_timestamp)
            .unwrap_or_else(|| self.clock.now());
        match kind {
            Kind::Newchannel => self.on_newchannel(message, ts, &mut out),
            Kind::NewCallerid => self.on_newcallerid(message),
            Kind::Newstate => self.on_newstate(message, ts),
            Kind::DialBegin => self.on_dial_begin(message),
            Kind::DialEnd => self.on_dial_end(message, ts),
            Kind::Bridge => self.on_bridge(message, ts),
            Kind::Hangup => self.on_hangup(message, ts, &mut out),
            Kind::AttendedTransfer => self.on_attended_transfer(message),
            Kind::BlindTransfer => self.on_blind_transfer(message),
            Kind::Cdr => self.on_cdr(message),
        }
        self.touch(message, ts);
        out
    }

    /// Moves the last-event time of every open call the message names forward to `ts`.
    fn touch(&mut self, m: &Message, ts: OffsetDateTime) {
        for key in ["Uniqueid", "DestUniqueid", "UniqueID"] {
            let Some(uid) = m.get(key).filter(|u| !u.is_empty()) else {
                continue;
            };
            let linkedid = match self.channels.get(uid) {
                Some(c) => c.linkedid.clone(),
                None => match self.retired.get(uid) {
                    Some(l) => l.clone(),
                    None => continue,
                },
            };
            if let Some(call) = self.calls.get_mut(&linkedid)
                && call.last_event < ts
            {
                call.last_event = ts;
            }
        }
    }

    /// Closes every open call as incomplete (the connection dropped: their end was not seen)
    /// and forgets everything, so the correlator starts fresh. Each call is returned once,
    /// ending at its last event (the only end known on the clock of its start).
    pub fn close_all_incomplete(&mut self) -> Vec<CallRecord> {
        let mut calls: Vec<(Box<str>, Call)> = self.calls.drain().collect();
        calls.sort_by_key(|(_, c)| c.seq);
        self.channels.clear();
        self.retired.clear();
        calls
            .into_iter()
            .map(|(linkedid, call)| {
                let end = call.last_event;
                self.finish(&linkedid, call, end, true)
            })
            .collect()
    }

    // --- event handlers ------------------------------------------------------------------

    fn on_newchannel(&mut self, m: &Message, ts: OffsetDateTime, out: &mut Vec<CallRecord>) {
        let Some(uid) = m.get("Uniqueid").filter(|u| !u.is_empty()) else {
            return;
        };
        let linkedid = m.get("Linkedid").filter(|l| !l.is_empty()).unwrap_or(uid);
        if self.channels.contains_key(uid) {
            return;
        }
        let is_root = !self.calls.contains_key(linkedid);
        if is_root && linkedid != uid {
            // a channel of a call that started before we were listening
            return;
        }
        self.make_room(is_root, out);
        let channel = m.get("Channel").unwrap_or_default();
        let kind = self.rules.channel_kind(channel);
        if is_root {
            self.seq += 1;
            let call = Call {
                seq: self.seq,
                start: ts,
                last_event: ts,
                root_uid: uid.into(),
                root_kind: kind.clone(),
                root_caller: m.get("CallerIDNum").unwrap_or_default().to_owned(),
                root_exten: m.get("Exten").unwrap_or_default().to_owned(),
                members: Vec::new(),
                retired: Vec::new(),
                trunk: None,
                first_extension: None,
                ext_answer: None,
                trunk_answer: None,
                rang: Vec::new(),
                transfers: Vec::new(),
                dial_targets: Vec::new(),
                busy: false,
                no_answer: false,
                failed: false,
                cdr_answer: None,
                moved_to: None,
            };
            self.calls.insert(linkedid.into(), call);
        }
        let Some(call) = self.calls.get_mut(linkedid) else {
            return;
        };
        match &kind {
            ChannelKind::Trunk if call.trunk.is_none() => {
                call.trunk = Some(CallRules::endpoint(channel).to_owned());
            }
            ChannelKind::Extension(e) if call.first_extension.is_none() => {
                call.first_extension = Some(e.clone());
            }
            _ => {}
        }
        call.members.push(uid.into());
        self.channels.insert(
            uid.into(),
            Chan {
                linkedid: linkedid.into(),
                kind,
                dialed: false,
                answered: false,
            },
        );
    }

    fn on_newcallerid(&mut self, m: &Message) {
        let Some(uid) = self.sync(m, "Uniqueid", "Linkedid") else {
            return;
        };
        let number = m.get("CallerIDNum").unwrap_or_default();
        if number.is_empty() {
            return;
        }
        if let Some(call) = self.call_of(&uid)
            && *call.root_uid == *uid
        {
            number.clone_into(&mut call.root_caller);
        }
    }

    fn on_newstate(&mut self, m: &Message, ts: OffsetDateTime) {
        let Some(uid) = self.sync(m, "Uniqueid", "Linkedid") else {
            return;
        };
        self.note_root_exten(&uid, m.get("Exten"));
        let up = m.get("ChannelState") == Some("6")
            || m.get("ChannelStateDesc")
                .is_some_and(|d| d.eq_ignore_ascii_case("Up"));
        if up {
            self.answered(&uid, ts);
        }
    }

    fn on_dial_begin(&mut self, m: &Message) {
        let caller = self.sync(m, "Uniqueid", "Linkedid");
        let Some(dest) = self.sync(m, "DestUniqueid", "DestLinkedid") else {
            return;
        };
        if let Some(caller) = &caller {
            self.note_root_exten(caller, m.get("Exten"));
        }
        let Some(chan) = self.channels.get_mut(&*dest) else {
            return;
        };
        chan.dialed = true;
        let kind = chan.kind.clone();
        let linkedid = chan.linkedid.clone();
        let Some(call) = self.calls.get_mut(&linkedid) else {
            return;
        };
        match kind {
            ChannelKind::Extension(e) => push_unique(&mut call.rang, &e),
            ChannelKind::Trunk => {
                push_unique(
                    &mut call.dial_targets,
                    dialstring_number(m.get("DialString").unwrap_or_default()),
                );
                if caller.is_some() {
                    push_unique(&mut call.dial_targets, m.get("Exten").unwrap_or_default());
                }
                push_unique(
                    &mut call.dial_targets,
                    m.get("DestExten").unwrap_or_default(),
                );
            }
            ChannelKind::Local | ChannelKind::Other => {}
        }
    }

    fn on_dial_end(&mut self, m: &Message, ts: OffsetDateTime) {
        self.sync(m, "Uniqueid", "Linkedid");
        let Some(dest) = self.sync(m, "DestUniqueid", "DestLinkedid") else {
            return;
        };
        let status = m.get("DialStatus").unwrap_or_default().to_ascii_uppercase();
        if status == "ANSWER" {
            if let Some(chan) = self.channels.get_mut(&*dest) {
                chan.dialed = true;
            }
            self.answered(&dest, ts);
            return;
        }
        let Some(call) = self.call_of(&dest) else {
            return;
        };
        match status.as_str() {
            "BUSY" => call.busy = true,
            "NOANSWER" | "CANCEL" => call.no_answer = true,
            "CHANUNAVAIL" | "CONGESTION" => call.failed = true,
            _ => {}
        }
    }

    fn on_bridge(&mut self, m: &Message, ts: OffsetDateTime) {
        let Some(uid) = self.sync(m, "Uniqueid", "Linkedid") else {
            return;
        };
        // A dialled channel in a bridge is talking, even if its DialEnd was not seen.
        if m.event()
            .is_some_and(|e| e.eq_ignore_ascii_case("BridgeEnter"))
            && self.channels.get(&*uid).is_some_and(|c| c.dialed)
        {
            self.answered(&uid, ts);
        }
    }

    fn on_hangup(&mut self, m: &Message, ts: OffsetDateTime, out: &mut Vec<CallRecord>) {
        let Some(uid) = self.sync(m, "Uniqueid", "Linkedid") else {
            return;
        };
        let Some(chan) = self.channels.remove(&*uid) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&chan.linkedid) else {
            return;
        };
        call.members.retain(|u| *u != uid);
        if call.retired.len() < 4 * MAX_LIST {
            call.retired.push(uid.clone());
            self.retired.insert(uid, chan.linkedid.clone());
        }
        if !call.members.is_empty() {
            return;
        }
        if let Some(target) = call.moved_to.clone()
            && self.calls.contains_key(&target)
        {
            self.merge(&chan.linkedid, &target);
            return;
        }
        if let Some(call) = self.calls.remove(&chan.linkedid) {
            out.push(self.finish(&chan.linkedid, call, ts, false));
        }
    }

    fn on_attended_transfer(&mut self, m: &Message) {
        if !m
            .get("Result")
            .is_some_and(|r| r.eq_ignore_ascii_case("Success"))
        {
            return;
        }
        let first = m
            .get("OrigTransfererLinkedid")
            .or_else(|| m.get("TransfereeLinkedid"));
        let second = m.get("SecondTransfererLinkedid");
        let (Some(a), Some(b)) = (first, second) else {
            return;
        };
        let (Some(call_a), Some(call_b)) = (self.calls.get(a), self.calls.get(b)) else {
            return;
        };
        if a == b {
            return;
        }
        // The older call survives, as Asterisk's linkedid propagation does.
        let (survivor, absorbed) = if call_a.seq <= call_b.seq {
            (a.to_owned(), b.to_owned())
        } else {
            (b.to_owned(), a.to_owned())
        };
        self.merge(&absorbed, &survivor);
        if let Some(target) = m.get("TransferTargetChannel")
            && let ChannelKind::Extension(e) = self.rules.channel_kind(target)
            && let Some(call) = self.calls.get_mut(&*survivor)
            && call
                .ext_answer
                .as_ref()
                .is_none_or(|(first, _)| *first != e)
        {
            push_unique(&mut call.transfers, &e);
        }
    }

    fn on_blind_transfer(&mut self, m: &Message) {
        if !m
            .get("Result")
            .is_some_and(|r| r.eq_ignore_ascii_case("Success"))
        {
            return;
        }
        let Some(linkedid) = m
            .get("TransfereeLinkedid")
            .or_else(|| m.get("TransfererLinkedid"))
        else {
            return;
        };
        let extension = m.get("Extension").unwrap_or_default();
        if !self.rules.is_extension(extension) {
            return;
        }
        if let Some(call) = self.calls.get_mut(linkedid) {
            push_unique(&mut call.transfers, extension);
        }
    }

    fn on_cdr(&mut self, m: &Message) {
        let Some(uid) = m.get("UniqueID") else {
            return;
        };
        let linkedid = match self.channels.get(uid) {
            Some(c) => c.linkedid.clone(),
            None => match self.retired.get(uid) {
                Some(l) => l.clone(),
                None => return,
            },
        };
        let answered = m
            .get("Disposition")
            .is_some_and(|d| d.eq_ignore_ascii_case("ANSWERED"));
        let ChannelKind::Extension(ext) = self
            .rules
            .channel_kind(m.get("DestinationChannel").unwrap_or_default())
        else {
            return;
        };
        let billsec = m
            .get("BillableSeconds")
            .and_then(|b| b.parse::<u64>().ok())
            .unwrap_or(0);
        if let Some(call) = self.calls.get_mut(&linkedid)
            && answered
            && call.cdr_answer.is_none()
        {
            call.cdr_answer = Some((ext, billsec));
        }
    }

    // --- helpers -------------------------------------------------------------------------

    /// The channel named by `uid_key` if it is live, after moving it to the call named by
    /// `linkedid_key` when that differs and is known.
    fn sync(&mut self, m: &Message, uid_key: &str, linkedid_key: &str) -> Option<Box<str>> {
        let uid = m.get(uid_key).filter(|u| !u.is_empty())?;
        let (uid, current) = {
            let (k, chan) = self.channels.get_key_value(uid)?;
            (k.clone(), chan.linkedid.clone())
        };
        if let Some(new) = m.get(linkedid_key).filter(|l| !l.is_empty())
            && *new != *current
            && self.calls.contains_key(new)
        {
            self.move_channel(&uid, &current, new);
        }
        Some(uid)
    }

    fn move_channel(&mut self, uid: &str, from: &str, to: &str) {
        let Some(chan) = self.channels.get_mut(uid) else {
            return;
        };
        chan.linkedid = to.into();
        let kind = chan.kind.clone();
        let mut emptied = false;
        if let Some(old) = self.calls.get_mut(from) {
            old.members.retain(|u| **u != *uid);
            emptied = old.members.is_empty();
            old.moved_to = Some(to.into());
        }
        if let Some(new) = self.calls.get_mut(to) {
            new.members.push(uid.into());
            if let ChannelKind::Extension(e) = kind
                && new.first_extension.is_none()
            {
                new.first_extension = Some(e);
            }
        }
        if emptied {
            self.merge(from, to);
        }
    }

    /// Merges call `absorbed` into call `survivor`: channels, rung extensions, and the
    /// absorbed call's answering party as a transfer target.
    fn merge(&mut self, absorbed: &str, survivor: &str) {
        if absorbed == survivor || !self.calls.contains_key(survivor) {
            return;
        }
        let Some(old) = self.calls.remove(absorbed) else {
            return;
        };
        let outside = old
            .trunk_answer
            .and_then(|_| {
                old.dial_targets
                    .iter()
                    .find_map(|t| self.rules.normalize(t).e164().map(str::to_owned))
            })
            .unwrap_or_default();
        for uid in &old.members {
            if let Some(chan) = self.channels.get_mut(uid) {
                chan.linkedid = survivor.into();
            }
        }
        for uid in &old.retired {
            if let Some(l) = self.retired.get_mut(uid) {
                *l = survivor.into();
            }
        }
        let Some(new) = self.calls.get_mut(survivor) else {
            return;
        };
        new.members.extend(old.members);
        new.retired.extend(old.retired);
        for e in &old.rang {
            push_unique(&mut new.rang, e);
        }
        let first = new.ext_answer.as_ref().map(|(e, _)| e.clone());
        let mut targets: Vec<&str> = Vec::new();
        if let Some((e, _)) = &old.ext_answer {
            targets.push(e);
        }
        targets.extend(old.transfers.iter().map(String::as_str));
        if !outside.is_empty() {
            targets.push(&outside);
        }
        for t in targets {
            if first.as_deref() != Some(t) && new.first_extension.as_deref() != Some(t) {
                push_unique(&mut new.transfers, t);
            }
        }
    }

    fn call_of(&mut self, uid: &str) -> Option<&mut Call> {
        let linkedid = self.channels.get(uid)?.linkedid.clone();
        self.calls.get_mut(&linkedid)
    }

    /// The root channel's dialplan extension, when Newchannel had none worth keeping.
    fn note_root_exten(&mut self, uid: &str, exten: Option<&str>) {
        let Some(exten) = exten.filter(|e| !e.is_empty() && *e != "s") else {
            return;
        };
        if let Some(call) = self.call_of(uid)
            && *call.root_uid == *uid
            && (call.root_exten.is_empty() || call.root_exten == "s")
        {
            exten.clone_into(&mut call.root_exten);
        }
    }

    /// A dialled channel answered.
    fn answered(&mut self, uid: &str, ts: OffsetDateTime) {
        let Some(chan) = self.channels.get_mut(uid) else {
            return;
        };
        if !chan.dialed || chan.answered {
            return;
        }
        chan.answered = true;
        let kind = chan.kind.clone();
        let linkedid = chan.linkedid.clone();
        let Some(call) = self.calls.get_mut(&linkedid) else {
            return;
        };
        match kind {
            ChannelKind::Extension(e) if *call.root_uid != *uid => match &call.ext_answer {
                None => call.ext_answer = Some((e, ts)),
                Some((first, _)) if *first != e => push_unique(&mut call.transfers, &e),
                Some(_) => {}
            },
            ChannelKind::Trunk if call.trunk_answer.is_none() => call.trunk_answer = Some(ts),
            _ => {}
        }
    }

    /// Closes the oldest calls (as incomplete) until there is room for one more channel, and
    /// one more call when `new_call`.
    fn make_room(&mut self, new_call: bool, out: &mut Vec<CallRecord>) {
        while (new_call && self.calls.len() >= self.limits.max_open_calls)
            || self.channels.len() >= self.limits.max_channels
        {
            let Some(oldest) = self
                .calls
                .iter()
                .min_by_key(|(_, c)| c.seq)
                .map(|(k, _)| k.clone())
            else {
                self.channels.clear();
                return;
            };
            let Some(call) = self.calls.remove(&oldest) else {
                return;
            };
            tracing::warn!(linkedid = %oldest, "AMI correlator limit reached: closing the oldest call");
            for uid in &call.members {
                self.channels.remove(uid);
            }
            for uid in &call.retired {
                self.retired.remove(uid);
            }
            let end = call.last_event;
            out.push(self.finish(&oldest, call, end, true));
        }
    }

    fn finish(
        &mut self,
        linkedid: &str,
        call: Call,
        end: OffsetDateTime,
        incomplete: bool,
    ) -> CallRecord {
        for uid in &call.retired {
            self.retired.remove(uid);
        }
        for uid in &call.members {
            self.channels.remove(uid);
        }
        let rules = &self.rules;
        let direction = if call.root_kind == ChannelKind::Trunk {
            Direction::Inbound
        } else if call.trunk.is_some() {
            Direction::Outbound
        } else {
            Direction::Internal
        };
        // a CDR can tell who answered when the events did not
        let ext_answer: Option<(String, Option<OffsetDateTime>)> = match &call.ext_answer {
            Some((e, t)) => Some((e.clone(), Some(*t))),
            None => call.cdr_answer.as_ref().map(|(e, billsec)| {
                // never before the call started, whatever the CDR claims
                let secs = i64::try_from(*billsec).unwrap_or(i64::MAX);
                let answer = end
                    .checked_sub(time::Duration::seconds(secs))
                    .map_or(call.start, |t| t.max(call.start));
                (e.clone(), Some(answer))
            }),
        };
        let root_extension = match &call.root_kind {
            ChannelKind::Extension(e) => Some(e.clone()),
            _ if rules.is_extension(&call.root_caller) => Some(call.root_caller.clone()),
            _ => call.first_extension.clone(),
        };
        let mut transfers = call.transfers.clone();
        let (caller, callee, answer, extension) = match direction {
            Direction::Inbound => {
                let answer = ext_answer
                    .as_ref()
                    .and_then(|(_, t)| *t)
                    .or(call.trunk_answer);
                let extension = ext_answer.as_ref().map(|(e, _)| e.clone());
                let did = rules.normalize(&call.root_exten);
                let callee = match (&did, &extension, call.rang.first()) {
                    (Number::E164(_), _, _) => did,
                    (_, Some(e), _) | (_, None, Some(e)) => Number::Extension(e.clone()),
                    _ => did,
                };
                (
                    rules.normalize(&call.root_caller),
                    callee,
                    answer,
                    extension,
                )
            }
            Direction::Outbound => {
                let mut candidates = std::iter::once(&call.root_exten)
                    .chain(call.dial_targets.iter())
                    .filter(|c| !c.is_empty() && *c != "s");
                let callee = candidates
                    .clone()
                    .map(|c| rules.normalize(c))
                    .find(|n| matches!(n, Number::E164(_)))
                    .or_else(|| candidates.next().map(|c| rules.normalize(c)))
                    .unwrap_or(Number::Unknown);
                let caller = match &root_extension {
                    Some(e) => Number::Extension(e.clone()),
                    None => rules.normalize(&call.root_caller),
                };
                if let Some((e, _)) = &ext_answer
                    && root_extension.as_ref() != Some(e)
                    && !transfers.contains(e)
                {
                    // someone else than the caller took the call over
                    transfers.insert(0, e.clone());
                }
                transfers.retain(|t| Some(t) != root_extension.as_ref());
                (caller, callee, call.trunk_answer, root_extension.clone())
            }
            Direction::Internal => {
                let caller = match &root_extension {
                    Some(e) if matches!(call.root_kind, ChannelKind::Extension(_)) => {
                        Number::Extension(e.clone())
                    }
                    _ => rules.normalize(&call.root_caller),
                };
                let extension = ext_answer.as_ref().map(|(e, _)| e.clone());
                let callee = match extension.as_ref().or(call.rang.first()) {
                    Some(e) => Number::Extension(e.clone()),
                    None => rules.normalize(&call.root_exten),
                };
                let answer = ext_answer.as_ref().and_then(|(_, t)| *t);
                (caller, callee, answer, extension)
            }
        };
        let answered = answer.is_some();
        let disposition = if answered {
            Disposition::Answered
        } else if call.busy && !call.no_answer {
            Disposition::Busy
        } else if call.failed && !call.no_answer && !call.busy {
            Disposition::Failed
        } else {
            Disposition::NoAnswer
        };
        let whole_secs =
            |from: OffsetDateTime| u64::try_from((end - from).whole_seconds().max(0)).unwrap_or(0);
        CallRecord {
            linkedid: linkedid.to_owned(),
            direction,
            caller,
            callee,
            answered,
            disposition,
            extension,
            rang: call.rang,
            transfers,
            trunk: call.trunk,
            start: call.start,
            answer,
            end,
            duration_secs: whole_secs(call.start),
            billable_secs: answer.map_or(0, whole_secs),
            incomplete,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = parse_timestamp("1700000000.250000");
        assert_eq!(
            t.map(|t| t.unix_timestamp_nanos()),
            Some(1_700_000_000_250_000_000)
        );
        assert_eq!(
            parse_timestamp("1700000000").map(|t| t.unix_timestamp()),
            Some(1_700_000_000)
        );
        assert!(parse_timestamp("abc").is_none());
        assert!(parse_timestamp("1.x").is_none());
        assert!(parse_timestamp("99999999999999999999").is_none());
        // found by fuzz/ (ami_calls): a negative Timestamp dated the call in year -1199, and
        // its record could not be serialised (the gateway stored it without its meta)
        assert!(parse_timestamp("-99999999999.000000").is_none());
        assert!(parse_timestamp("-1").is_none());
        assert!(parse_timestamp("0").is_some());
    }

    #[test]
    fn dial_strings() {
        assert_eq!(dialstring_number("trunk-acme/6912345678"), "6912345678");
        assert_eq!(dialstring_number("6912345678@trunk-acme"), "6912345678");
        assert_eq!(
            dialstring_number("trunk-acme/sip:+306912345678@sip.example.net"),
            "+306912345678"
        );
        assert_eq!(dialstring_number("201,30,tT"), "201");
    }

    #[test]
    fn event_names_are_case_insensitive() {
        assert_eq!(event_kind("hangup"), Some(Kind::Hangup));
        assert_eq!(event_kind("NEWCHANNEL"), Some(Kind::Newchannel));
        assert_eq!(event_kind("VarSet"), None);
    }
}
