//! Login throttling: who is asking (the client address, behind trusted proxies from
//! `X-Forwarded-For`), how often each address and each user name may try
//! (`POST /api/auth/login`), and the `429`/`503` answers with `Retry-After`.
//!
//! Each address and each user name has a bucket of `limit` attempts that refills at `limit`
//! per minute (GCRA: one timestamp per key). An attempt takes from both buckets before the
//! password is checked, so that a refused attempt costs no argon2 computation; a successful
//! login gives its user-name token back. IPv6 clients are counted per /64, the block one
//! subscriber holds. Time comes from the caller (the app's clock).

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use anyhow::bail;
use serde::{Deserialize, Deserializer};

use crate::error::{ErrorBody, ErrorDetail};

/// `[login]`: the limits of `POST /api/auth/login`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct LoginConfig {
    /// Attempts per minute from one client address (also the burst); 0 turns the limit off.
    pub limit_per_address: u32,
    /// Attempts per minute for one user name, successful ones not counted (also the burst);
    /// 0 turns the limit off.
    pub limit_per_user: u32,
    /// Password checks (argon2id, 19 MiB each) run at once; 0 means half the CPU cores (at
    /// least 1).
    pub concurrency: usize,
    /// Password checks waiting for a turn; past it a login is answered 503.
    pub queue: usize,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            limit_per_address: 30,
            limit_per_user: 10,
            concurrency: 0,
            queue: 32,
        }
    }
}

impl LoginConfig {
    /// The checks of [`crate::config::Config::checked`].
    pub fn check(&self) -> anyhow::Result<()> {
        if self.concurrency > 1024 || self.queue > 100_000 {
            bail!(
                "login.concurrency (CRM_LOGIN_CONCURRENCY) must be at most 1024 and login.queue (CRM_LOGIN_QUEUE) at most 100000"
            );
        }
        Ok(())
    }

    /// The password pool these settings ask for.
    pub fn hash_pool(&self) -> crm_users::HashPool {
        let concurrency = match self.concurrency {
            0 => crm_users::hashing::default_concurrency(),
            n => n,
        };
        crm_users::HashPool::new(concurrency, self.queue)
    }
}

/// An address or a block of addresses (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr = IpAddr::from_str(addr.trim())
            .map_err(|_| format!("`{s}` is not an IP address or a CIDR block"))?
            .to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// `trusted_proxies`: the reverse proxies whose `X-Forwarded-For` is believed. A list in
/// TOML, or one comma- or space-separated text (`CRM_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.split([',', ' ', '\t', '\n'])
            .filter(|p| !p.trim().is_empty())
            .map(Cidr::from_str)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            List(Vec<String>),
            Text(String),
        }
        let text = match Form::deserialize(d)? {
            Form::List(list) => list.join(","),
            Form::Text(text) => text,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The address of the client that sent a request which reached us from `peer`: `peer` itself
/// unless it is a trusted proxy; else the right-most `X-Forwarded-For` entry (all of the
/// request's such headers, in order) that is not a trusted proxy, each trusted hop vouching
/// for the one before it. An entry that is not an address ends the walk at the hop that
/// reported it; when every entry is trusted, the left-most is the client.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return ip;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`[::1]:443`, `10.0.0.1:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    IpAddr::from_str(hop)
        .or_else(|_| SocketAddr::from_str(hop).map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The key an address is counted under: itself, or its /64 for IPv6.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// The key a user name is counted under: as the store compares names (ignoring case), cut to
/// the longest valid name.
fn user_key(name: &str) -> String {
    name.trim()
        .chars()
        .take(64)
        .collect::<String>()
        .to_lowercase()
}

/// Keys remembered per kind before the idle ones are dropped (and, if all are busy, all).
const CAPACITY: usize = 16_384;

/// One GCRA bucket per key: the theoretical arrival time of the next attempt, in ms.
#[derive(Debug)]
struct Buckets<K> {
    /// Milliseconds between two attempts at the steady rate; 0 when there is no limit.
    interval: u64,
    /// Attempts allowed at once.
    burst: u64,
    next: HashMap<K, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// When the bucket is full again, plus one interval.
    tat: u64,
    /// A refusal was reported since the last attempt let through.
    reported: bool,
}

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    fn per_minute(limit: u32) -> Self {
        Self {
            interval: if limit == 0 {
                0
            } else {
                60_000 / u64::from(limit)
            },
            burst: u64::from(limit),
            next: HashMap::new(),
        }
    }

    /// The key's next arrival time if an attempt at `now` is allowed, else how many ms to wait.
    fn admit(&self, key: &K, now: u64) -> Result<u64, u64> {
        if self.interval == 0 {
            return Ok(0);
        }
        let tat = self.next.get(key).map_or(now, |e| e.tat).max(now) + self.interval;
        let allowed = now + self.burst * self.interval;
        if tat <= allowed {
            Ok(tat)
        } else {
            Err(tat - allowed)
        }
    }

    fn commit(&mut self, key: K, tat: u64, now: u64) {
        if self.interval == 0 {
            return;
        }
        if self.next.len() >= CAPACITY && !self.next.contains_key(&key) {
            self.next.retain(|_, e| e.tat > now);
            if self.next.len() >= CAPACITY {
                self.next.clear();
            }
        }
        self.next.insert(
            key,
            Entry {
                tat,
                reported: false,
            },
        );
    }

    /// Notes a refusal; whether it is the first since an attempt was let through.
    fn refused(&mut self, key: &K) -> bool {
        self.next
            .get_mut(key)
            .is_some_and(|e| !std::mem::replace(&mut e.reported, true))
    }

    fn refund(&mut self, key: &K) {
        if let Some(e) = self.next.get_mut(key) {
            e.tat = e.tat.saturating_sub(self.interval);
        }
    }
}

#[derive(Debug)]
struct Limits {
    addresses: Buckets<IpAddr>,
    users: Buckets<String>,
}

/// The login limits of one server, all workers together.
#[derive(Debug)]
pub struct LoginThrottle {
    limits: Mutex<Limits>,
    trusted: TrustedProxies,
    /// When a login refused for want of a password check was last logged (ms), and how many
    /// were refused since.
    busy_logged_at: AtomicU64,
    busy_unlogged: AtomicU64,
}

/// At most one log line per this many ms says that logins are refused for want of a check.
const BUSY_LOG_INTERVAL_MS: u64 = 10_000;

impl LoginThrottle {
    pub fn new(config: &LoginConfig, trusted: TrustedProxies) -> Self {
        Self {
            limits: Mutex::new(Limits {
                addresses: Buckets::per_minute(config.limit_per_address),
                users: Buckets::per_minute(config.limit_per_user),
            }),
            trusted,
            busy_logged_at: AtomicU64::new(0),
            busy_unlogged: AtomicU64::new(0),
        }
    }

    /// Notes a login refused at `now_ms` because every password check was taken. `Some(n)`
    /// when it is worth a log line (the first in [`BUSY_LOG_INTERVAL_MS`]), `n` being the
    /// refusals not logged before it.
    pub fn busy(&self, now_ms: u64) -> Option<u64> {
        let last = self.busy_logged_at.load(Ordering::Acquire);
        let due = last == 0 || now_ms.saturating_sub(last) >= BUSY_LOG_INTERVAL_MS;
        if due
            && self
                .busy_logged_at
                .compare_exchange(last, now_ms.max(1), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            Some(self.busy_unlogged.swap(0, Ordering::AcqRel))
        } else {
            self.busy_unlogged.fetch_add(1, Ordering::AcqRel);
            None
        }
    }

    /// See [`client_address`].
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        Some(client_address(peer, forwarded, &self.trusted))
    }

    fn limits(&self) -> std::sync::MutexGuard<'_, Limits> {
        self.limits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes one attempt from the address's and the user name's buckets at `now_ms`, or
    /// neither and says how long to wait. An unknown address (no peer: a test request) is
    /// not counted.
    pub fn attempt(
        &self,
        client: Option<IpAddr>,
        username: &str,
        now_ms: u64,
    ) -> Result<(), Refused> {
        let mut limits = self.limits();
        let address = client.map(address_key);
        let user = user_key(username);
        let by_address = match &address {
            Some(a) => limits.addresses.admit(a, now_ms).map(Some),
            None => Ok(None),
        };
        let by_user = limits.users.admit(&user, now_ms);
        match (by_address, by_user) {
            (Ok(a), Ok(u)) => {
                if let (Some(address), Some(tat)) = (address, a) {
                    limits.addresses.commit(address, tat, now_ms);
                }
                limits.users.commit(user, u, now_ms);
                Ok(())
            }
            (a, u) => {
                let mut first = false;
                if let (Some(address), Err(_)) = (&address, a) {
                    first |= limits.addresses.refused(address);
                }
                if u.is_err() {
                    first |= limits.users.refused(&user);
                }
                let wait_ms = a.err().unwrap_or(0).max(u.err().unwrap_or(0));
                Err(Refused {
                    after_secs: wait_ms.div_ceil(1000).max(1),
                    first,
                })
            }
        }
    }

    /// A successful login does not count against its user name.
    pub fn succeeded(&self, username: &str) {
        self.limits().users.refund(&user_key(username));
    }
}

/// An attempt over a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Seconds until an attempt would be let through (at least 1).
    pub after_secs: u64,
    /// The first refusal of this address or user name since an attempt was let through: the
    /// one worth a log line (a flood logs one line per client, not one per request).
    pub first: bool,
}

/// A refusal that tells the client when to come back: the JSON error envelope with a
/// `Retry-After` header (seconds). Answered without `ApiError`'s log line for a 5xx: a flood
/// would write one per request (the route logs what is worth it).
#[derive(Debug)]
pub struct RetryLater {
    status: StatusCode,
    code: &'static str,
    message: String,
    after_secs: u64,
}

impl RetryLater {
    /// 429 `too_many_requests`.
    pub fn too_many(after_secs: u64) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_requests",
            message: format!("too many login attempts; try again in {after_secs} s"),
            after_secs,
        }
    }

    /// 503 `login_busy`: the password checks are all taken.
    pub fn busy() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "login_busy",
            message: "too many logins are being checked at once; try again shortly".into(),
            after_secs: 1,
        }
    }
}

impl fmt::Display for RetryLater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} (retry after {} s)",
            self.status.as_u16(),
            self.code,
            self.message,
            self.after_secs
        )
    }
}

impl ResponseError for RetryLater {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .insert_header((RETRY_AFTER, HeaderValue::from(self.after_secs)))
            .json(ErrorBody {
                error: ErrorDetail {
                    code: self.code.to_owned(),
                    message: self.message.clone(),
                    details: None,
                },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(list: &str) -> TrustedProxies {
        list.parse().unwrap()
    }

    /// `peer`, the `X-Forwarded-For` headers, the trusted proxies → the client.
    fn check(peer: &str, forwarded: &[&str], proxies: &str, expected: &str) {
        let got = client_address(
            peer.parse().unwrap(),
            forwarded.iter().copied(),
            &trusted(proxies),
        );
        assert_eq!(
            got,
            expected.parse::<IpAddr>().unwrap(),
            "peer {peer}, X-Forwarded-For {forwarded:?}, trusted {proxies:?}"
        );
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        // no trusted proxy: the header is the client's to make up, and ignored
        check("198.51.100.7", &["203.0.113.9"], "", "198.51.100.7");
        check(
            "198.51.100.7",
            &["203.0.113.9"],
            "10.0.0.0/8",
            "198.51.100.7",
        );
        // one trusted proxy: what it appended
        check("127.0.0.1", &["203.0.113.9"], "127.0.0.1", "203.0.113.9");
        check("127.0.0.1", &[], "127.0.0.1", "127.0.0.1");
        // a client forging entries to the left changes nothing
        check(
            "10.0.0.2",
            &["1.1.1.1, 203.0.113.9"],
            "10.0.0.0/8",
            "203.0.113.9",
        );
        // two proxies in a row, the header split over two lines
        check(
            "10.0.0.2",
            &["1.1.1.1, 203.0.113.9", "10.0.0.1"],
            "10.0.0.0/8",
            "203.0.113.9",
        );
        // every hop trusted: the left-most
        check(
            "10.0.0.2",
            &["10.0.0.5, 10.0.0.1"],
            "10.0.0.0/8",
            "10.0.0.5",
        );
        // garbage stops the walk at the hop that reported it
        check(
            "10.0.0.2",
            &["203.0.113.9, junk, 10.0.0.1"],
            "10.0.0.0/8",
            "10.0.0.1",
        );
        check("10.0.0.2", &["junk"], "10.0.0.0/8", "10.0.0.2");
        // ports, IPv6, v4-mapped peers
        check("::1", &["[2001:db8::7]:443"], "::1", "2001:db8::7");
        check(
            "::ffff:127.0.0.1",
            &["203.0.113.9:80"],
            "127.0.0.1",
            "203.0.113.9",
        );
        check("::1", &["2001:db8::7"], "", "::1");
    }

    #[test]
    fn trusted_proxies_read_as_text_or_list() {
        assert!(trusted("").is_empty());
        let t = trusted("127.0.0.1, 10.0.0.0/8 fd00::/8");
        for inside in ["127.0.0.1", "10.200.3.4", "fd12::1", "::ffff:10.0.0.1"] {
            assert!(t.contains(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["127.0.0.2", "11.0.0.1", "fe80::1"] {
            assert!(!t.contains(outside.parse().unwrap()), "{outside}");
        }
        assert!(trusted("0.0.0.0/0").contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "example.com", "::/129", "10.0.0.0/x"] {
            assert!(bad.parse::<TrustedProxies>().is_err(), "{bad}");
        }
        let list: TrustedProxies =
            serde_json::from_value(serde_json::json!(["127.0.0.1", "10.0.0.0/8"])).unwrap();
        assert_eq!(list, trusted("127.0.0.1,10.0.0.0/8"));
    }

    fn throttle(per_address: u32, per_user: u32) -> LoginThrottle {
        LoginThrottle::new(
            &LoginConfig {
                limit_per_address: per_address,
                limit_per_user: per_user,
                ..LoginConfig::default()
            },
            TrustedProxies::default(),
        )
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn refused(after_secs: u64, first: bool) -> Refused {
        Refused { after_secs, first }
    }

    #[test]
    fn an_address_gets_its_burst_then_one_attempt_per_interval() {
        let t = throttle(6, 0); // a burst of 6, then one every 10 s
        let now = 1_000_000;
        for i in 0..6 {
            assert_eq!(t.attempt(ip("203.0.113.9"), &format!("u{i}"), now), Ok(()));
        }
        assert_eq!(
            t.attempt(ip("203.0.113.9"), "u9", now),
            Err(refused(10, true))
        );
        assert_eq!(
            t.attempt(ip("203.0.113.9"), "u9", now + 4_000),
            Err(refused(6, false)),
            "one log line per flood"
        );
        assert_eq!(
            t.attempt(ip("198.51.100.1"), "u9", now),
            Ok(()),
            "others are not held up"
        );
        assert_eq!(t.attempt(ip("203.0.113.9"), "u9", now + 10_000), Ok(()));
        assert_eq!(
            t.attempt(ip("203.0.113.9"), "u9", now + 10_000),
            Err(refused(10, true)),
            "let through in between: worth a line again"
        );
        // a minute later the whole burst is back
        for _ in 0..6 {
            assert_eq!(t.attempt(ip("203.0.113.9"), "u9", now + 80_000), Ok(()));
        }
    }

    #[test]
    fn a_user_name_is_counted_across_addresses_ignoring_case() {
        let t = throttle(0, 2); // a burst of 2, then one every 30 s
        let now = 5_000;
        assert_eq!(t.attempt(ip("203.0.113.1"), "Maria", now), Ok(()));
        assert_eq!(t.attempt(ip("203.0.113.2"), " maria", now), Ok(()));
        assert_eq!(
            t.attempt(ip("203.0.113.3"), "MARIA", now),
            Err(refused(30, true))
        );
        assert_eq!(t.attempt(ip("203.0.113.3"), "nikos", now), Ok(()));
        // a successful login gives its attempt back
        t.succeeded("maria");
        assert_eq!(t.attempt(ip("203.0.113.3"), "maria", now), Ok(()));
        // a refused attempt took nothing from the address
        let t = throttle(1, 1);
        assert_eq!(t.attempt(ip("203.0.113.1"), "maria", now), Ok(()));
        assert_eq!(
            t.attempt(ip("203.0.113.2"), "maria", now),
            Err(refused(60, true))
        );
        assert_eq!(t.attempt(ip("203.0.113.2"), "nikos", now), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let t = throttle(1, 0);
        assert_eq!(t.attempt(ip("2001:db8:0:1::1"), "a", 0), Ok(()));
        assert!(t.attempt(ip("2001:db8:0:1::ffff"), "a", 0).is_err());
        assert_eq!(t.attempt(ip("2001:db8:0:2::1"), "a", 0), Ok(()));
    }

    #[test]
    fn idle_keys_are_dropped_when_the_map_is_full() {
        let t = throttle(1, 0);
        for i in 0..CAPACITY as u32 {
            let addr = IpAddr::from(i.to_be_bytes());
            assert_eq!(t.attempt(Some(addr), "a", 0), Ok(()));
        }
        // a minute later every bucket is full again: the next key clears the idle ones
        assert_eq!(t.attempt(ip("203.0.113.9"), "a", 60_000), Ok(()));
        assert_eq!(t.limits().addresses.next.len(), 1);
    }

    #[test]
    fn refusals_for_want_of_a_check_are_logged_once_in_ten_seconds() {
        let t = throttle(0, 0);
        assert_eq!(t.busy(1_000), Some(0));
        assert_eq!(t.busy(1_001), None);
        assert_eq!(t.busy(10_999), None);
        assert_eq!(
            t.busy(11_000),
            Some(2),
            "with the count of those not logged"
        );
        assert_eq!(t.busy(11_000), None);
    }

    #[actix_web::test]
    async fn refusals_carry_retry_after_and_the_envelope() {
        for (refusal, status, code, after) in [
            (RetryLater::too_many(7), 429, "too_many_requests", "7"),
            (RetryLater::busy(), 503, "login_busy", "1"),
        ] {
            let resp = refusal.error_response();
            assert_eq!(resp.status().as_u16(), status);
            assert_eq!(resp.headers().get(RETRY_AFTER).unwrap(), after);
            let body = actix_web::body::to_bytes(resp.into_body()).await.unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"]["code"], code);
        }
    }
}
