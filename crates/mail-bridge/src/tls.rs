//! TLS with rustls (ring), never OpenSSL; the Mozilla roots plus an optional CA of the
//! caller's (a company CA, or the one the test servers are signed with).

use std::net::IpAddr;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::error::{Error, Result};

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Tls,
    /// Plain TCP upgraded with STARTTLS before logging in (IMAP 143, submission 587).
    /// Refused if the server does not offer it: never silently plain.
    StartTls,
    /// No encryption. Allowed only to a loopback address.
    Plain,
}

impl std::str::FromStr for Security {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" => Ok(Self::Tls),
            "starttls" => Ok(Self::StartTls),
            "plain" | "none" => Ok(Self::Plain),
            other => Err(Error::InvalidConfig(format!(
                "unknown TLS mode {other:?}: expected tls, starttls or plain"
            ))),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Security {
    /// `tls`, `starttls` or `plain`, as [`FromStr`](std::str::FromStr) reads them.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| {
            serde::de::Error::custom(format!("must be tls, starttls or plain, not {text:?}"))
        })
    }
}

/// A configured CA file (a path) read into its PEM bytes.
pub(crate) fn read_ca_file<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<u8>>, D::Error> {
    use serde::Deserialize;
    let Some(path) = Option::<std::path::PathBuf>::deserialize(d)? else {
        return Ok(None);
    };
    std::fs::read(&path)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("cannot read {}: {e}", path.display())))
}

/// Plain connections are refused unless the host is a loopback address (or `localhost`).
pub(crate) fn check_plain_allowed(security: Security, host: &str) -> Result<()> {
    if security != Security::Plain || is_loopback_host(host) {
        return Ok(());
    }
    Err(Error::PlainNotLoopback {
        host: host.to_owned(),
    })
}

pub(crate) fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A rustls client configuration trusting the Mozilla roots and `extra_ca_pem` (if any).
pub(crate) fn client_config(host: &str, extra_ca_pem: Option<&[u8]>) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = extra_ca_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::InvalidConfig(format!("CA certificate: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::InvalidConfig(format!("CA certificate: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::InvalidConfig(
                "CA certificate: no PEM certificate found".into(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls {
            host: host.to_owned(),
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(h.to_owned())
        .map_err(|_| Error::InvalidConfig(format!("{host:?} is not a valid host name for TLS")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn plain_is_refused_off_loopback() {
        for ok in [
            "127.0.0.1",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
            "127.0.0.2",
        ] {
            check_plain_allowed(Security::Plain, ok).unwrap();
        }
        for bad in [
            "mail.example.com",
            "10.0.0.1",
            "192.168.1.5",
            "0.0.0.0",
            "::",
        ] {
            let e = check_plain_allowed(Security::Plain, bad).unwrap_err();
            assert!(matches!(e, Error::PlainNotLoopback { .. }), "{bad}");
            assert!(e.to_string().contains("plain"), "{e}");
        }
        check_plain_allowed(Security::Tls, "mail.example.com").unwrap();
        check_plain_allowed(Security::StartTls, "mail.example.com").unwrap();
    }

    #[test]
    fn modes_parse_from_configuration_words() {
        assert_eq!("TLS".parse::<Security>().unwrap(), Security::Tls);
        assert_eq!("starttls".parse::<Security>().unwrap(), Security::StartTls);
        assert_eq!("plain".parse::<Security>().unwrap(), Security::Plain);
        assert!("maybe".parse::<Security>().is_err());
    }

    #[test]
    fn a_ca_file_without_certificates_is_a_configuration_error() {
        let e = client_config("x", Some(b"not a pem")).unwrap_err();
        assert!(matches!(e, Error::InvalidConfig(_)), "{e}");
    }
}
