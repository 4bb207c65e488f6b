//! Building and sending mail with lettre (rustls; STARTTLS, TLS, or plain on loopback only).
//!
//! [`build`] is pure: it turns an [`OutgoingMail`] into the exact bytes that will be sent and
//! their Message-ID. [`SmtpClient::send`] sends those bytes and returns them, so the caller
//! can APPEND the very same message to the Sent folder (and the next sync recognises it by
//! its Message-ID).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address as LettreAddress, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::tls::{Security, check_plain_allowed, read_ca_file};

/// How to reach the SMTP server.
///
/// Deserializes from `host`, `port` (default: 465 with TLS, 587 with STARTTLS, 25 plain),
/// `security` (default `starttls`), `user` and `password` (blank: none) and `ca_file` (a PEM
/// file, read then). The host is trimmed; the timeout and greeting keep their defaults.
#[derive(Clone, Deserialize)]
#[serde(from = "SmtpKeys")]
pub struct SmtpConfig {
    /// Host name or IP address.
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS, 25 or a test port for plain).
    pub port: u16,
    /// TLS, STARTTLS, or plain (loopback only).
    pub security: Security,
    /// Login, when the server wants one (with `password`).
    pub user: Option<String>,
    /// Password for `user`. Redacted in `Debug`.
    pub password: Option<SecretString>,
    /// An extra CA certificate (PEM) to trust besides the Mozilla roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Limit for each step of the SMTP dialogue (default 60 s).
    pub timeout: Duration,
    /// The name to greet with (EHLO); default `localhost`.
    pub hello_name: Option<String>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("ca_pem", &self.ca_pem.as_ref().map(|p| p.len()))
            .field("timeout", &self.timeout)
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

impl SmtpConfig {
    /// A configuration without login, with the default timeout.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Self {
        Self {
            host: host.into(),
            port,
            security,
            user: None,
            password: None,
            ca_pem: None,
            timeout: Duration::from_secs(60),
            hello_name: None,
        }
    }
}

/// The configuration keys of an [`SmtpConfig`].
#[derive(Deserialize)]
#[serde(default)]
struct SmtpKeys {
    host: String,
    port: Option<u16>,
    security: Security,
    user: Option<String>,
    password: Option<SecretString>,
    #[serde(deserialize_with = "read_ca_file")]
    ca_file: Option<Vec<u8>>,
}

impl Default for SmtpKeys {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: None,
            security: Security::StartTls,
            user: None,
            password: None,
            ca_file: None,
        }
    }
}

impl From<SmtpKeys> for SmtpConfig {
    fn from(k: SmtpKeys) -> Self {
        let port = k.port.unwrap_or(match k.security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        let mut config = Self::new(k.host.trim(), port, k.security);
        config.user = k
            .user
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        config.password = k.password.filter(|p| !p.expose_secret().is_empty());
        config.ca_pem = k.ca_file;
        config
    }
}

/// A mail to send. Addresses are `a@b` or `Name <a@b>`.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// The sender.
    pub from: String,
    /// Recipients (at least one of to, cc, bcc).
    pub to: Vec<String>,
    /// Copy recipients.
    pub cc: Vec<String>,
    /// Blind copies: in the envelope, never in the headers.
    pub bcc: Vec<String>,
    /// Where replies should go, if not to `from`.
    pub reply_to: Option<String>,
    /// The subject (any Unicode; encoded per RFC 2047 as needed).
    pub subject: String,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body.
    pub html: Option<String>,
    /// Attachments.
    pub attachments: Vec<OutgoingAttachment>,
    /// The Message-ID this mail answers (with or without angle brackets).
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first.
    pub references: Vec<String>,
    /// The `Date` header (time is a parameter: pass the clock's now).
    pub date: OffsetDateTime,
    /// Use this Message-ID (without brackets) instead of generating one.
    pub message_id: Option<String>,
}

/// One attachment of an [`OutgoingMail`].
#[derive(Debug, Clone)]
pub struct OutgoingAttachment {
    /// File name as the recipient will see it (any Unicode; RFC 2231-encoded).
    pub filename: String,
    /// `type/subtype`; `application/octet-stream` when unknown.
    pub content_type: String,
    /// The content.
    pub data: Bytes,
    /// Set to show it inside the HTML (`<img src="cid:…">`) instead of as a file.
    pub content_id: Option<String>,
}

/// A built (and, from [`SmtpClient::send`], sent) mail.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Its Message-ID, without angle brackets (as [`crate::parse`] reports it).
    pub message_id: String,
    /// The exact bytes (CRLF line ends), ready for IMAP APPEND.
    pub raw: Vec<u8>,
    /// Envelope sender.
    pub envelope_from: String,
    /// Envelope recipients (to, cc and bcc).
    pub envelope_to: Vec<String>,
    /// The server's final reply (`250 2.0.0 Ok: queued as …`); empty from [`build`].
    pub server_reply: String,
}

fn mailbox(field: &'static str, value: &str) -> Result<Mailbox> {
    value.trim().parse::<Mailbox>().map_err(|e| Error::Invalid {
        field,
        reason: format!("{value:?} is not an e-mail address ({e})"),
    })
}

fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_owned()
}

fn check_id(field: &'static str, id: &str) -> Result<String> {
    let id = bare_id(id);
    if id.is_empty()
        || id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return Err(Error::Invalid {
            field,
            reason: format!("{id:?} is not a Message-ID"),
        });
    }
    Ok(id)
}

fn content_type(field: &'static str, ct: &str) -> Result<ContentType> {
    let ct = if ct.trim().is_empty() {
        "application/octet-stream"
    } else {
        ct.trim()
    };
    ContentType::parse(ct).map_err(|e| Error::Invalid {
        field,
        reason: format!("{ct:?} is not a content type ({e})"),
    })
}

/// Builds the MIME message: UTF-8 everywhere, the subject and names RFC 2047-encoded when
/// not ASCII, text and/or HTML (multipart/alternative when both), inline parts
/// (multipart/related), attachments (multipart/mixed). Pure: nothing is sent.
pub fn build(mail: &OutgoingMail) -> Result<Sent> {
    let from = mailbox("from", &mail.from)?;
    let mut builder = lettre::Message::builder().from(from.clone());
    let mut recipients = Vec::new();
    for to in &mail.to {
        let m = mailbox("to", to)?;
        recipients.push(m.email.to_string());
        builder = builder.to(m);
    }
    for cc in &mail.cc {
        let m = mailbox("cc", cc)?;
        recipients.push(m.email.to_string());
        builder = builder.cc(m);
    }
    for bcc in &mail.bcc {
        let m = mailbox("bcc", bcc)?;
        recipients.push(m.email.to_string());
        builder = builder.bcc(m);
    }
    if recipients.is_empty() {
        return Err(Error::Invalid {
            field: "to",
            reason: "no recipient".into(),
        });
    }
    if let Some(r) = &mail.reply_to {
        builder = builder.reply_to(mailbox("reply_to", r)?);
    }
    if mail.subject.contains(['\r', '\n']) {
        return Err(Error::Invalid {
            field: "subject",
            reason: "line breaks are not allowed in a subject".into(),
        });
    }
    builder = builder.subject(mail.subject.clone());
    if let Some(id) = &mail.in_reply_to {
        builder = builder.in_reply_to(format!("<{}>", check_id("in_reply_to", id)?));
    }
    if !mail.references.is_empty() {
        let refs = mail
            .references
            .iter()
            .map(|r| check_id("references", r).map(|id| format!("<{id}>")))
            .collect::<Result<Vec<_>>>()?;
        builder = builder.references(refs.join(" "));
    }
    let message_id = match &mail.message_id {
        Some(id) => check_id("message_id", id)?,
        None => format!("{}@{}", uuid::Uuid::new_v4().simple(), from.email.domain()),
    };
    builder = builder
        .message_id(Some(format!("<{message_id}>")))
        .date(SystemTime::from(mail.date));

    let body = body_part(mail)?;
    let message = builder.multipart(body).map_err(|e| Error::Invalid {
        field: "body",
        reason: e.to_string(),
    })?;
    Ok(Sent {
        message_id,
        raw: message.formatted(),
        envelope_from: from.email.to_string(),
        envelope_to: recipients,
        server_reply: String::new(),
    })
}

fn body_part(mail: &OutgoingMail) -> Result<MultiPart> {
    let text = mail.text.as_ref().filter(|t| !t.is_empty());
    let html = mail.html.as_ref().filter(|h| !h.is_empty());
    let (inline, files): (Vec<_>, Vec<_>) = mail
        .attachments
        .iter()
        .partition(|a| a.content_id.is_some() && html.is_some());

    let html_part = |h: &String| -> Result<MultiPart> {
        let part = SinglePart::html(h.clone());
        if inline.is_empty() {
            return Ok(MultiPart::mixed().singlepart(part));
        }
        let mut related = MultiPart::related().singlepart(part);
        for a in &inline {
            let cid = a.content_id.as_deref().map(bare_id).unwrap_or_default();
            related = related.singlepart(
                LettreAttachment::new_inline_with_name(cid, a.filename.clone()).body(
                    a.data.to_vec(),
                    content_type("attachments", &a.content_type)?,
                ),
            );
        }
        Ok(related)
    };

    // The readable part: text, html, or both as alternatives.
    let readable: MultiPart = match (text, html) {
        (Some(t), Some(h)) => {
            let alt = MultiPart::alternative().singlepart(SinglePart::plain(t.clone()));
            if inline.is_empty() {
                alt.singlepart(SinglePart::html(h.clone()))
            } else {
                alt.multipart(html_part(h)?)
            }
        }
        (Some(t), None) => MultiPart::mixed().singlepart(SinglePart::plain(t.clone())),
        (None, Some(h)) => html_part(h)?,
        (None, None) => {
            return Err(Error::Invalid {
                field: "body",
                reason: "neither text nor html".into(),
            });
        }
    };
    if files.is_empty() {
        return Ok(readable);
    }
    let mut mixed = MultiPart::mixed().multipart(readable);
    for a in files {
        if a.filename.trim().is_empty() || a.filename.contains(['/', '\\', '\r', '\n']) {
            return Err(Error::Invalid {
                field: "attachments",
                reason: format!("{:?} is not a file name", a.filename),
            });
        }
        mixed = mixed.singlepart(LettreAttachment::new(a.filename.clone()).body(
            a.data.to_vec(),
            content_type("attachments", &a.content_type)?,
        ));
    }
    Ok(mixed)
}

/// An SMTP client for one server. Cheap to keep; one connection per send.
#[derive(Debug, Clone)]
pub struct SmtpClient {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpClient {
    /// Checks the configuration (plain only to loopback, credentials complete, CA readable)
    /// and prepares the transport. Nothing is connected yet.
    pub fn new(config: &SmtpConfig) -> Result<Self> {
        if config.host.trim().is_empty() || config.port == 0 {
            return Err(Error::InvalidConfig("SMTP host or port missing".into()));
        }
        check_plain_allowed(config.security, &config.host)?;
        let host = config
            .host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls_params = || -> Result<TlsParameters> {
            let mut b = TlsParameters::builder(host.clone());
            if let Some(pem) = &config.ca_pem {
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| Error::InvalidConfig(format!("CA certificate: {e}")))?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls().map_err(|e| Error::Tls {
                host: host.clone(),
                reason: e.to_string(),
            })
        };
        let tls = match config.security {
            Security::Tls => Tls::Wrapper(tls_params()?),
            Security::StartTls => Tls::Required(tls_params()?),
            Security::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            .hello_name(ClientId::Domain(
                config
                    .hello_name
                    .clone()
                    .unwrap_or_else(|| "localhost".to_owned()),
            ));
        match (&config.user, &config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose_secret().to_owned(),
                ));
            }
            (None, None) => {}
            _ => {
                return Err(Error::InvalidConfig(
                    "SMTP user and password go together".into(),
                ));
            }
        }
        Ok(Self {
            transport: builder.build(),
        })
    }

    /// Builds and sends a mail; returns its Message-ID and the exact bytes sent.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<Sent> {
        let mut built = build(mail)?;
        built.server_reply = self
            .send_raw(&built.envelope_from, &built.envelope_to, &built.raw)
            .await?;
        Ok(built)
    }

    /// Sends bytes already formatted as a message (CRLF line ends), unchanged; returns the
    /// server's reply.
    pub async fn send_raw(&self, from: &str, to: &[String], raw: &[u8]) -> Result<String> {
        let parse = |field: &'static str, v: &str| {
            v.trim()
                .parse::<LettreAddress>()
                .map_err(|e| Error::Invalid {
                    field,
                    reason: format!("{v:?} is not an e-mail address ({e})"),
                })
        };
        let from = parse("from", from)?;
        let to = to
            .iter()
            .map(|t| parse("to", t))
            .collect::<Result<Vec<_>>>()?;
        let envelope =
            lettre::address::Envelope::new(Some(from), to).map_err(|e| Error::Invalid {
                field: "to",
                reason: e.to_string(),
            })?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(reply) => Ok(format!(
                "{} {}",
                reply.code(),
                reply.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Err(smtp_error(e)),
        }
    }

    /// Connects and says hello (and logs in, if configured), to check the configuration.
    pub async fn test_connection(&self) -> Result<()> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::Protocol(
                "the SMTP server did not answer NOOP".into(),
            )),
            Err(e) => Err(smtp_error(e)),
        }
    }
}

/// A 4xx/5xx reply becomes [`Error::SmtpRejected`] with the server's code and words.
fn smtp_error(e: lettre::transport::smtp::Error) -> Error {
    match e.status() {
        Some(code) => {
            let message = std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_default();
            Error::SmtpRejected {
                code: u16::from(code),
                message,
                transient: e.is_transient(),
            }
        }
        None => Error::Smtp(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            from: "CRM <crm@example.test>".into(),
            to: vec!["Γιώργος <Giorgos@Example.test>".into()],
            cc: vec![],
            bcc: vec![],
            reply_to: None,
            subject: "Προσφορά για τον πελάτη".into(),
            text: Some("Καλημέρα σας".into()),
            html: None,
            attachments: vec![],
            in_reply_to: None,
            references: vec![],
            date: time::macros::datetime!(2024-05-01 10:00:00 +03:00),
            message_id: Some("fixed@example.test".into()),
        }
    }

    #[test]
    fn each_address_field_is_named_when_invalid() {
        type Spoil = fn(&mut OutgoingMail);
        let cases: [(&str, Spoil); 6] = [
            ("from", |m| m.from = "not an address".into()),
            ("to", |m| m.to = vec!["nobody@".into()]),
            ("cc", |m| m.cc = vec!["a b c".into()]),
            ("bcc", |m| m.bcc = vec!["@x".into()]),
            ("reply_to", |m| m.reply_to = Some("x@@y".into())),
            ("in_reply_to", |m| m.in_reply_to = Some("a b".into())),
        ];
        for (field, set) in cases {
            let mut m = mail();
            set(&mut m);
            match build(&m) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let mut m = mail();
        m.to.clear();
        assert!(matches!(build(&m), Err(Error::Invalid { field: "to", .. })));
        let mut m = mail();
        m.text = None;
        assert!(matches!(
            build(&m),
            Err(Error::Invalid { field: "body", .. })
        ));
    }

    #[test]
    fn built_mail_parses_back_to_what_was_asked() {
        let mut m = mail();
        m.html = Some("<p>Καλημέρα <img src=\"cid:logo\"></p>".into());
        m.in_reply_to = Some("<parent@example.test>".into());
        m.references = vec!["root@example.test".into(), "<parent@example.test>".into()];
        m.bcc = vec!["hidden@example.test".into()];
        m.attachments = vec![
            OutgoingAttachment {
                filename: "Τιμολόγιο Μαΐου 2024.pdf".into(),
                content_type: "application/pdf".into(),
                data: Bytes::from_static(b"%PDF-1.4 test"),
                content_id: None,
            },
            OutgoingAttachment {
                filename: "logo.png".into(),
                content_type: "image/png".into(),
                data: Bytes::from_static(b"\x89PNG\r\n\x1a\nfake"),
                content_id: Some("logo".into()),
            },
        ];
        let sent = build(&m).unwrap();
        assert_eq!(sent.message_id, "fixed@example.test");
        assert_eq!(
            sent.envelope_to,
            ["Giorgos@Example.test", "hidden@example.test"]
        );
        let raw = String::from_utf8_lossy(&sent.raw);
        assert!(!raw.contains("hidden@"), "Bcc must not be in the headers");
        assert!(raw.contains("\r\n"), "CRLF line ends");
        let p = crate::parse(&sent.raw, None);
        assert_eq!(p.subject.as_deref(), Some("Προσφορά για τον πελάτη"));
        assert_eq!(p.message_id.as_deref(), Some("fixed@example.test"));
        assert_eq!(p.in_reply_to, ["parent@example.test"]);
        assert_eq!(p.references, ["root@example.test", "parent@example.test"]);
        assert_eq!(p.to[0].normalized, "giorgos@example.test");
        assert_eq!(p.text.as_deref().map(str::trim), Some("Καλημέρα σας"));
        assert!(p.html.as_deref().unwrap().contains("cid:logo"));
        assert_eq!(p.date, Some(m.date));
        let pdf = p
            .attachments
            .iter()
            .find(|a| a.content_type == "application/pdf")
            .unwrap();
        assert_eq!(pdf.filename, "Τιμολόγιο Μαΐου 2024.pdf");
        assert_eq!(&pdf.data[..], b"%PDF-1.4 test");
        let logo = p
            .attachments
            .iter()
            .find(|a| a.content_id.as_deref() == Some("logo"))
            .unwrap();
        assert!(logo.inline);
        assert_eq!(&logo.data[..], b"\x89PNG\r\n\x1a\nfake");
        assert!(p.flags.is_empty(), "{:?}", p.flags);
    }

    #[test]
    fn plain_smtp_off_loopback_is_refused() {
        let e =
            SmtpClient::new(&SmtpConfig::new("smtp.example.com", 25, Security::Plain)).unwrap_err();
        assert!(matches!(e, Error::PlainNotLoopback { .. }), "{e}");
        SmtpClient::new(&SmtpConfig::new("127.0.0.1", 25, Security::Plain)).unwrap();
        SmtpClient::new(&SmtpConfig::new(
            "smtp.example.com",
            587,
            Security::StartTls,
        ))
        .unwrap();
    }
}
