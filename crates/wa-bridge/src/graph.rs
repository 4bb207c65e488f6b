//! The Graph API, as far as the CRM needs it: resolve and download media, upload media, send
//! messages.
//!
//! Reads (media lookups and downloads) are retried with exponential back-off on transient
//! failures. A send is retried only when it certainly did not happen (the connection could
//! not be made, or Meta answered 429): retrying after a timeout or a 5xx could send the
//! message twice.

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, GraphError, Result};

/// Meta's Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_VERSION: &str = "v21.0";

/// Where and as whom to call the Graph API.
///
/// Deserializes from `base_url`, `version`, `phone_number_id` and `access_token`; a key left
/// out keeps its [`Default`] (Meta's host and [`DEFAULT_VERSION`], no number or token yet).
/// The other fields are not read from configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Scheme and host, e.g. [`DEFAULT_BASE_URL`] (tests point it at a local peer).
    pub base_url: String,
    /// API version path segment, e.g. `v21.0`.
    pub version: String,
    /// The business number's id, in whose name messages go out.
    pub phone_number_id: String,
    /// A system-user access token. Redacted in `Debug`.
    pub access_token: SecretString,
    #[serde(skip)]
    pub timeout: Duration,
    #[serde(skip)]
    pub connect_timeout: Duration,
    /// Further attempts after a transient failure.
    #[serde(skip)]
    pub retries: u32,
    /// The first pause between attempts; doubled each time.
    #[serde(skip)]
    pub backoff: Duration,
}

impl Default for Config {
    /// No number or token yet; the other defaults of [`Config::new`].
    fn default() -> Self {
        Self::new("", "")
    }
}

impl Config {
    pub fn new(phone_number_id: impl Into<String>, access_token: impl Into<SecretString>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            version: DEFAULT_VERSION.into(),
            phone_number_id: phone_number_id.into(),
            access_token: access_token.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// What the Graph API says about a media id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaInfo {
    pub id: String,
    /// Where to download the bytes (with the access token); valid for a few minutes.
    pub url: String,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub file_size: Option<u64>,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    Text {
        to: String,
        body: String,
    },
    /// An approved template; `parameters` fill its body's `{{1}}`, `{{2}}`, ….
    Template {
        to: String,
        name: String,
        language: String,
        parameters: Vec<String>,
    },
    /// A media message: `kind` is `image`, `video`, `audio`, `document` or `sticker`, the
    /// media an id from [`Client::upload_media`].
    Media {
        to: String,
        kind: String,
        media_id: String,
        caption: Option<String>,
        filename: Option<String>,
    },
}

impl Outbound {
    fn to(&self) -> &str {
        match self {
            Self::Text { to, .. } | Self::Template { to, .. } | Self::Media { to, .. } => to,
        }
    }

    /// The request body of `POST /{phone_number_id}/messages`.
    pub fn body(&self) -> Result<Value> {
        let to: String = self.to().chars().filter(char::is_ascii_digit).collect();
        if to.len() < 8 {
            return Err(Error::Invalid {
                field: "to",
                reason: format!("`{}` is not a phone number", self.to()),
            });
        }
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
        });
        let (kind, part) = match self {
            Self::Text { body, .. } => {
                if body.trim().is_empty() {
                    return Err(Error::Invalid {
                        field: "text",
                        reason: "must not be empty".into(),
                    });
                }
                ("text", json!({ "preview_url": false, "body": body }))
            }
            Self::Template {
                name,
                language,
                parameters,
                ..
            } => {
                let mut template = json!({ "name": name, "language": { "code": language } });
                if !parameters.is_empty() {
                    let params: Vec<Value> = parameters
                        .iter()
                        .map(|p| json!({ "type": "text", "text": p }))
                        .collect();
                    template["components"] = json!([{ "type": "body", "parameters": params }]);
                }
                ("template", template)
            }
            Self::Media {
                kind,
                media_id,
                caption,
                filename,
                ..
            } => {
                let mut part = json!({ "id": media_id });
                if let Some(c) = caption
                    .as_deref()
                    .filter(|_| kind != "audio" && kind != "sticker")
                {
                    part["caption"] = json!(c);
                }
                if let Some(f) = filename.as_deref().filter(|_| kind == "document") {
                    part["filename"] = json!(f);
                }
                (kind.as_str(), part)
            }
        };
        body["type"] = json!(kind);
        body[kind] = part;
        Ok(body)
    }
}

/// What the Graph API answered to a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// `wamid.…`: statuses of this message arrive under this id.
    pub message_id: String,
    /// The recipient as WhatsApp knows them.
    pub wa_id: Option<String>,
}

/// A streamed media download.
pub struct Download {
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    pub body: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// A Graph API client for one business number.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

/// Whether a send may be tried again: it certainly did not reach Meta, or Meta refused it
/// for the rate.
fn send_retryable(e: &Error) -> bool {
    match e {
        Error::Graph { status, .. } => *status == 429,
        Error::Unreachable(msg) => msg.starts_with("connect"),
        _ => false,
    }
}

impl Client {
    pub fn new(config: Config) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.config.base_url.trim_end_matches('/'),
            self.config.version,
            path
        )
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent.
    async fn with_retries<T, F, Fut>(
        &self,
        retryable: fn(&Error) -> bool,
        mut attempt: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut pause = self.config.backoff;
        let mut left = self.config.retries;
        loop {
            match attempt().await {
                Err(e) if left > 0 && retryable(&e) => {
                    tracing::warn!(error = %e, retry_in_ms = pause.as_millis() as u64, "WhatsApp API call failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2);
                    left -= 1;
                }
                other => return other,
            }
        }
    }

    async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp.text().await.unwrap_or_default();
        #[derive(Deserialize)]
        struct Envelope {
            error: GraphError,
        }
        Err(match serde_json::from_str::<Envelope>(&body) {
            Ok(env) => Error::Graph {
                status: status.as_u16(),
                error: Box::new(env.error),
            },
            Err(_) => Error::Protocol {
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            },
        })
    }

    /// The JSON answer of a request: parsed when it succeeded, else the error it carries.
    async fn answer<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
        let resp = Self::check(resp).await?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(Self::unreachable)?;
        serde_json::from_str(&text).map_err(|_| Error::Protocol {
            status,
            body: text.chars().take(500).collect(),
        })
    }

    fn unreachable(e: reqwest::Error) -> Error {
        if e.is_connect() {
            Error::Unreachable(format!("connect: {e}"))
        } else if e.is_timeout() {
            Error::Unreachable(format!("timeout: {e}"))
        } else {
            Error::Unreachable(e.to_string())
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T> {
        self.with_retries(Error::is_transient, || async {
            let resp = self
                .http
                .get(url)
                .bearer_auth(self.config.access_token.expose_secret())
                .send()
                .await
                .map_err(Self::unreachable)?;
            Self::answer(resp).await
        })
        .await
    }

    /// Where a received media id can be downloaded, and what it is.
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo> {
        if media_id.is_empty()
            || !media_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(Error::Invalid {
                field: "media_id",
                reason: format!("`{media_id}` is not a media id"),
            });
        }
        self.get_json(&self.url(media_id)).await
    }

    /// The bytes at a media URL from [`Client::media_info`], streamed.
    pub async fn download(&self, url: &str) -> Result<Download> {
        let resp = self
            .with_retries(Error::is_transient, || async {
                let resp = self
                    .http
                    .get(url)
                    .bearer_auth(self.config.access_token.expose_secret())
                    .send()
                    .await
                    .map_err(Self::unreachable)?;
                Self::check(resp).await
            })
            .await?;
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Download {
            content_type,
            content_length: resp.content_length(),
            body: Box::pin(resp.bytes_stream().map(|r| r.map_err(Self::unreachable))),
        })
    }

    /// Uploads a file to send as media; answers its media id.
    pub async fn upload_media(
        &self,
        bytes: Bytes,
        mime_type: &str,
        filename: &str,
    ) -> Result<String> {
        #[derive(Deserialize)]
        struct Uploaded {
            id: String,
        }
        let url = self.url(&format!("{}/media", self.config.phone_number_id));
        let uploaded: Uploaded = self
            .with_retries(send_retryable, || async {
                let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                    .file_name(filename.to_owned())
                    .mime_str(mime_type)
                    .map_err(|e| Error::Invalid {
                        field: "mime_type",
                        reason: e.to_string(),
                    })?;
                let form = reqwest::multipart::Form::new()
                    .text("messaging_product", "whatsapp")
                    .text("type", mime_type.to_owned())
                    .part("file", part);
                let resp = self
                    .http
                    .post(&url)
                    .bearer_auth(self.config.access_token.expose_secret())
                    .multipart(form)
                    .send()
                    .await
                    .map_err(Self::unreachable)?;
                Self::answer(resp).await
            })
            .await?;
        Ok(uploaded.id)
    }

    /// Sends a message; answers the id its statuses will carry.
    pub async fn send(&self, message: &Outbound) -> Result<Sent> {
        let body = message.body()?;
        let url = self.url(&format!("{}/messages", self.config.phone_number_id));
        let answer: Value = self
            .with_retries(send_retryable, || async {
                let resp = self
                    .http
                    .post(&url)
                    .bearer_auth(self.config.access_token.expose_secret())
                    .json(&body)
                    .send()
                    .await
                    .map_err(Self::unreachable)?;
                Self::answer(resp).await
            })
            .await?;
        let message_id = answer
            .pointer("/messages/0/id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Protocol {
                status: 200,
                body: answer.to_string(),
            })?;
        Ok(Sent {
            message_id: message_id.to_owned(),
            wa_id: answer
                .pointer("/contacts/0/wa_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_documented_shapes() {
        let text = Outbound::Text {
            to: "+30 691 234 5678".into(),
            body: "Καλημέρα".into(),
        }
        .body()
        .unwrap();
        assert_eq!(text["to"], "306912345678");
        assert_eq!(text["type"], "text");
        assert_eq!(text["text"]["body"], "Καλημέρα");
        assert_eq!(text["messaging_product"], "whatsapp");

        let t = Outbound::Template {
            to: "306912345678".into(),
            name: "service_reminder".into(),
            language: "el".into(),
            parameters: vec!["Άγιος Νικόλαος".into(), "15/12".into()],
        }
        .body()
        .unwrap();
        assert_eq!(t["template"]["language"]["code"], "el");
        assert_eq!(
            t["template"]["components"][0]["parameters"][1]["text"],
            "15/12"
        );

        let m = Outbound::Media {
            to: "306912345678".into(),
            kind: "document".into(),
            media_id: "123".into(),
            caption: Some("Προσφορά".into()),
            filename: Some("προσφορά.pdf".into()),
        }
        .body()
        .unwrap();
        assert_eq!(m["document"]["id"], "123");
        assert_eq!(m["document"]["filename"], "προσφορά.pdf");

        assert!(
            Outbound::Text {
                to: "12".into(),
                body: "x".into()
            }
            .body()
            .is_err()
        );
        assert!(
            Outbound::Text {
                to: "306912345678".into(),
                body: " ".into()
            }
            .body()
            .is_err()
        );
    }

    #[test]
    fn the_token_never_prints() {
        let c = Config::new("1", "EAAG-secret-token");
        let printed = format!("{c:?}");
        assert!(!printed.contains("EAAG"), "{printed}");
        assert!(printed.contains("[REDACTED]"), "{printed}");
    }
}
