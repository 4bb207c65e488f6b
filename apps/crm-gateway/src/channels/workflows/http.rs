//! The `http_request` node: a workflow calls another service's HTTP endpoint.
//!
//! Config (every text a rendered template): `url` (http/https, required), `method` (`GET`,
//! `POST`, `PUT`, `PATCH`, `DELETE`; GET when absent), `headers` (an object of texts), `body`
//! (a text; sent as `application/json` when it is JSON and no `Content-Type` is given),
//! `timeout_seconds` (1–60, default 10, for the whole exchange). Output `{status, body, json}`,
//! `json` the body parsed when it is JSON, else null.
//!
//! **Rules.**
//! - A status of 400 or more fails the node, the status and the start of the body in its
//!   message; so do a timeout, a refused connection, and a body over 1 MiB. Redirects are not
//!   followed (a 3xx is the answer), so a redirect cannot lead past the address rule.
//! - *The address rule:* loopback, private (RFC 1918, IPv6 unique-local and site-local),
//!   link-local, unspecified, multicast, reserved and CGNAT (100.64.0.0/10) addresses are
//!   refused — IPv4 written inside IPv6 (mapped, compatible, NAT64, 6to4) counts as the IPv4
//!   address — unless `CRM_WORKFLOW_HTTP_ALLOW` names the URL's host or a block holding the
//!   address. A name is checked on every address DNS gives for it, and the connection is pinned
//!   to those checked addresses (the client resolves the name to them and to nothing else, and
//!   uses no proxy), so a second DNS answer cannot point the request elsewhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crm_core::{Error, Result};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Value, json};

use crate::config::HttpAllow;
use crate::state::AppState;

/// Largest response body a node accepts.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Characters of a failed response's body kept in the node's error.
const EXCERPT_CHARS: usize = 200;

/// Performs an `http_request` node with its rendered config `input`.
pub async fn perform(state: &AppState, input: &Value) -> Result<Value> {
    let request = Request::parse(input)?;
    let pinned = checked_addresses(&request.url, &state.workflow_http_allow).await?;
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(request.timeout);
    if let Some((host, addrs)) = &pinned {
        client = client.resolve_to_addrs(host, addrs);
    }
    let client = client
        .build()
        .map_err(|e| failed(format!("cannot set up HTTP: {e}")))?;
    let mut builder = client
        .request(request.method.clone(), request.url.clone())
        .headers(request.headers.clone());
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let seconds = request.timeout.as_secs();
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            failed(format!("no answer within {seconds} s"))
        } else {
            failed(format!("cannot reach {}: {}", request.url, cause(&e)))
        }
    };
    let mut response = builder.send().await.map_err(transport)?;
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    if status.as_u16() >= 400 {
        let excerpt: String = text.trim().chars().take(EXCERPT_CHARS).collect();
        return Err(failed(format!("the server answered {status}: {excerpt}")));
    }
    let parsed = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    Ok(json!({ "status": status.as_u16(), "body": text, "json": parsed }))
}

fn failed(message: String) -> Error {
    Error::Conflict {
        message: format!("http_request: {message}"),
    }
}

fn too_large() -> Error {
    failed(format!(
        "the response body is larger than {} MiB",
        MAX_BODY_BYTES >> 20
    ))
}

/// reqwest's message and its causes (refused, DNS, TLS), on one line.
fn cause(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

/// An `http_request` node's config, checked.
#[derive(Debug, Clone)]
struct Request {
    url: Url,
    method: Method,
    headers: HeaderMap,
    body: Option<String>,
    timeout: Duration,
}

impl Request {
    fn parse(input: &Value) -> Result<Self> {
        let raw = input
            .get("url")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::invalid("url", "is required (it came out empty)"))?;
        let url = Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| Error::invalid("url", format!("`{raw}` is not an http(s) URL")))?;
        let method = match input.get("method") {
            None | Some(Value::Null) => Method::GET,
            Some(Value::String(m)) if m.trim().is_empty() => Method::GET,
            Some(Value::String(m)) => match m.trim().to_ascii_uppercase().as_str() {
                "GET" => Method::GET,
                "POST" => Method::POST,
                "PUT" => Method::PUT,
                "PATCH" => Method::PATCH,
                "DELETE" => Method::DELETE,
                other => {
                    return Err(Error::invalid(
                        "method",
                        format!("`{other}` is not GET, POST, PUT, PATCH or DELETE"),
                    ));
                }
            },
            Some(_) => return Err(Error::invalid("method", "must be a text")),
        };
        let mut headers = HeaderMap::new();
        match input.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(given)) => {
                for (name, value) in given {
                    let field = format!("headers.{name}");
                    let header = HeaderName::from_bytes(name.trim().as_bytes())
                        .map_err(|_| Error::invalid(&field, "is not a header name"))?;
                    let value = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return Err(Error::invalid(field, "must be a text")),
                    };
                    let value = HeaderValue::from_str(value.trim())
                        .map_err(|_| Error::invalid(&field, "holds a character a header cannot"))?;
                    headers.append(header, value);
                }
            }
            Some(_) => return Err(Error::invalid("headers", "must be an object of texts")),
        }
        let body = match input.get("body") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::invalid("body", "must be a text")),
        };
        if let Some(body) = &body
            && !headers.contains_key(CONTENT_TYPE)
            && serde_json::from_str::<Value>(body).is_ok()
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let timeout = match input.get("timeout_seconds") {
            None | Some(Value::Null) => Some(10),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) if s.trim().is_empty() => Some(10),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        }
        .filter(|s| (1..=60).contains(s))
        .ok_or_else(|| Error::invalid("timeout_seconds", "must be a whole number from 1 to 60"))?;
        Ok(Self {
            url,
            method,
            headers,
            body,
            timeout: Duration::from_secs(timeout),
        })
    }
}

/// Applies the address rule to `url`'s host: for a name, the host and every address DNS gives
/// for it, which the connection is then pinned to; for an address, that address.
async fn checked_addresses(
    url: &Url,
    allow: &HttpAllow,
) -> Result<Option<(String, Vec<SocketAddr>)>> {
    let port = url.port_or_known_default().unwrap_or(80);
    let written = url
        .host_str()
        .ok_or_else(|| Error::invalid("url", "has no host"))?;
    let literal = written.trim_start_matches('[').trim_end_matches(']');
    let (host, addrs) = match literal.parse::<IpAddr>() {
        Ok(ip) => (None, vec![ip]),
        Err(_) => {
            let found: Vec<IpAddr> = tokio::net::lookup_host((written, port))
                .await
                .map_err(|e| failed(format!("cannot resolve {written}: {e}")))?
                .map(|a| a.ip())
                .collect();
            if found.is_empty() {
                return Err(failed(format!("{written} has no address")));
            }
            (Some(written.to_owned()), found)
        }
    };
    let host_allowed = host.as_deref().is_some_and(|h| allow.allows_host(h));
    for ip in &addrs {
        if let Some(what) = refused(*ip)
            && !host_allowed
            && !allow.allows_ip(*ip)
        {
            let via = host
                .as_deref()
                .map(|h| format!(" ({h} resolves to it)"))
                .unwrap_or_default();
            return Err(Error::invalid(
                "url",
                format!(
                    "{ip} is a {what} address{via}: refused, unless CRM_WORKFLOW_HTTP_ALLOW \
                     names the host or a block holding it"
                ),
            ));
        }
    }
    Ok(host.map(|h| {
        let pinned = addrs
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect();
        (h, pinned)
    }))
}

/// What kind of address `ip` is when an `http_request` may not reach it by default, or `None`
/// for a public address.
pub fn refused(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => refused_v4(v4),
            None => refused_v6(v6),
        },
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(match (a, b) {
        (0, _) => "unspecified",
        (127, _) => "loopback",
        (10, _) | (192, 168) => "private",
        (172, b) if (16..32).contains(&b) => "private",
        (100, b) if (64..128).contains(&b) => "CGNAT",
        (169, 254) => "link-local",
        (224..=239, _) => "multicast",
        (240..=255, _) => "reserved",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    Some(if ip.is_unspecified() {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if first & 0xff00 == 0xff00 {
        "multicast"
    } else if first & 0xfe00 == 0xfc00 {
        "unique-local"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local"
    } else if first & 0xffc0 == 0xfec0 {
        "private (site-local)"
    } else {
        return None;
    })
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
/// `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let last = || Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !ip.is_unspecified() && !ip.is_loopback() {
        return Some(last());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(last());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `ip` is refused, and as what.
    fn check(ip: &str, expected: Option<&str>) {
        let parsed: IpAddr = ip.parse().unwrap();
        assert_eq!(refused(parsed), expected, "{ip}");
    }

    #[test]
    fn private_and_special_ipv4_addresses_are_refused_and_public_ones_not() {
        for (ip, expected) in [
            ("127.0.0.1", Some("loopback")),
            ("127.255.3.4", Some("loopback")),
            ("0.0.0.0", Some("unspecified")),
            ("10.1.2.3", Some("private")),
            ("172.16.0.1", Some("private")),
            ("172.31.255.255", Some("private")),
            ("192.168.1.10", Some("private")),
            ("100.64.0.1", Some("CGNAT")),
            ("100.127.255.254", Some("CGNAT")),
            ("169.254.169.254", Some("link-local")),
            ("224.0.0.251", Some("multicast")),
            ("255.255.255.255", Some("reserved")),
            ("172.15.0.1", None),
            ("172.32.0.1", None),
            ("100.63.255.255", None),
            ("100.128.0.0", None),
            ("8.8.8.8", None),
            ("195.251.123.4", None),
        ] {
            check(ip, expected);
        }
    }

    #[test]
    fn ipv6_and_ipv4_in_ipv6_form_are_judged_as_what_they_reach() {
        for (ip, expected) in [
            ("::1", Some("loopback")),
            ("::", Some("unspecified")),
            ("fc00::1", Some("unique-local")),
            ("fd12:3456::1", Some("unique-local")),
            ("fe80::1", Some("link-local")),
            ("fec0::1", Some("private (site-local)")),
            ("ff02::1", Some("multicast")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:10.0.0.5", Some("private")),
            ("::ffff:100.64.1.1", Some("CGNAT")),
            ("::127.0.0.1", Some("loopback")),
            ("64:ff9b::192.168.0.1", Some("private")),
            ("2002:a9fe:a9fe::1", Some("link-local")),
            ("::ffff:8.8.8.8", None),
            ("64:ff9b::8.8.8.8", None),
            ("2a00:1450:4001:80b::200e", None),
            ("2001:db8::1", None),
        ] {
            check(ip, expected);
        }
    }

    fn allow(text: &str) -> HttpAllow {
        text.parse().unwrap()
    }

    async fn verdict(url: &str, allowed: &str) -> Result<Option<(String, Vec<SocketAddr>)>> {
        checked_addresses(&Url::parse(url).unwrap(), &allow(allowed)).await
    }

    #[tokio::test]
    async fn the_allow_list_opens_hosts_and_blocks_and_names_are_pinned_to_checked_addresses() {
        let e = verdict("http://127.0.0.1:9/x", "").await.unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field, reason } if field == "url" && reason.contains("loopback")),
            "{e:?}"
        );
        assert!(
            verdict("http://127.0.0.1:9/x", "127.0.0.1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            verdict("http://[::ffff:10.1.1.1]/", "10.0.0.0/8")
                .await
                .is_ok()
        );
        assert!(verdict("http://10.0.7.1/", "10.0.0.0/16").await.is_ok());
        assert!(verdict("http://10.1.1.1/", "10.0.0.0/16").await.is_err());
        // a name is checked on what it resolves to
        let e = verdict("http://localhost:9/", "").await.unwrap_err();
        assert!(e.to_string().contains("localhost resolves to it"), "{e}");
        let (host, pinned) = verdict("http://LOCALHOST:9/", "localhost")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(host, "localhost");
        assert!(!pinned.is_empty());
        assert!(
            pinned.iter().all(|a| a.ip().is_loopback() && a.port() == 9),
            "{pinned:?}"
        );
    }

    #[test]
    fn a_config_is_read_with_its_defaults_and_bad_fields_named() {
        let r = Request::parse(&json!({"url": "https://erp.example.com/api", "body": "{\"a\":1}"}))
            .unwrap();
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.timeout, Duration::from_secs(10));
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        let r = Request::parse(&json!({
            "url": "http://x/", "method": "post", "timeout_seconds": "30",
            "headers": {"X-Token": "abc", "Content-Type": "text/plain"}, "body": "{}",
        }))
        .unwrap();
        assert_eq!(
            (r.method, r.timeout),
            (Method::POST, Duration::from_secs(30))
        );
        assert_eq!(r.headers[CONTENT_TYPE], "text/plain");
        for (config, field) in [
            (json!({}), "url"),
            (json!({"url": "ftp://x/"}), "url"),
            (json!({"url": "/relative"}), "url"),
            (json!({"url": "http://x/", "method": "TRACE"}), "method"),
            (
                json!({"url": "http://x/", "timeout_seconds": 61}),
                "timeout_seconds",
            ),
            (
                json!({"url": "http://x/", "timeout_seconds": 0}),
                "timeout_seconds",
            ),
            (json!({"url": "http://x/", "headers": "a: b"}), "headers"),
            (
                json!({"url": "http://x/", "headers": {"bad name": "v"}}),
                "headers.bad name",
            ),
            (
                json!({"url": "http://x/", "headers": {"X-A": "line\nbreak"}}),
                "headers.X-A",
            ),
            (json!({"url": "http://x/", "body": {"a": 1}}), "body"),
        ] {
            match Request::parse(&config) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{config}"),
                other => panic!("{config}: {other:?}"),
            }
        }
    }
}
