//! The HTTP side: one [`Client`] per endpoint, one call per completion.
//!
//! Completions are not retried: a model's answer costs seconds, and whoever asked (a workflow
//! run) has its own retry. The answer is read up to [`MAX_ANSWER_BYTES`].

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::proto::{self, Chat};

/// Largest answer read from the server, in bytes.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

/// Where the model is and which one to ask.
///
/// Deserializes from `url`, `model` and `api_key`; the deadlines are not read from
/// configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The API's base, before `/chat/completions`: `http://127.0.0.1:11434/v1` (Ollama),
    /// `http://127.0.0.1:8080/v1` (llama.cpp), `https://api.openai.com/v1`.
    pub url: String,
    /// The model's name as the server knows it (`llama3.1:8b`, `gpt-4o-mini`).
    pub model: String,
    /// Sent as `Authorization: Bearer …` when given. Redacted in `Debug`.
    pub api_key: Option<SecretString>,
    /// Longest wait for a whole answer (local models on a CPU are slow).
    #[serde(skip)]
    pub timeout: Duration,
    #[serde(skip)]
    pub connect_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            url: String::new(),
            model: String::new(),
            api_key: None,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl Config {
    pub fn new(url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            model: model.into(),
            ..Self::default()
        }
    }
}

/// A chat-completions client; cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    model: String,
    api_key: Option<SecretString>,
    timeout: Duration,
}

impl Client {
    /// A client of `config`'s endpoint.
    ///
    /// # Errors
    ///
    /// `Invalid` naming `url` (not an http(s) URL) or `model` (empty).
    pub fn new(config: Config) -> Result<Self> {
        let base = config.url.trim().trim_end_matches('/');
        let endpoint = reqwest::Url::parse(&format!("{base}/chat/completions"))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| Error::Invalid {
                field: "url",
                reason: format!("`{}` is not an http(s) URL", config.url),
            })?;
        let model = config.model.trim().to_owned();
        if model.is_empty() {
            return Err(Error::Invalid {
                field: "model",
                reason: "is required".into(),
            });
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| Error::Invalid {
                field: "url",
                reason: format!("cannot set up HTTP: {e}"),
            })?;
        Ok(Self {
            http,
            endpoint,
            model,
            api_key: config
                .api_key
                .filter(|k| !k.expose_secret().trim().is_empty()),
            timeout: config.timeout,
        })
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// `POST {url}/chat/completions`: the answer's text.
    ///
    /// # Errors
    ///
    /// `Unreachable`, `Timeout`, `Status` (with the server's message), `Malformed`, or
    /// `Invalid` for a request [`proto::encode`] refuses.
    pub async fn chat(&self, chat: &Chat) -> Result<String> {
        let body = proto::encode(&self.model, chat)?;
        let mut request = self
            .http
            .post(self.endpoint.clone())
            .timeout(self.timeout)
            .json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let mut response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let mut answer = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if answer.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Error::Malformed(format!(
                    "the answer is longer than {MAX_ANSWER_BYTES} bytes"
                )));
            }
            answer.extend_from_slice(&chunk);
        }
        proto::decode(status, &answer)
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout(self.timeout)
        } else {
            // reqwest's message without the URL's query, which nobody puts a key in, but the
            // chain of causes says why (refused, DNS, TLS)
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            Error::Unreachable(message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_base_and_chat_completions() {
        let c = Client::new(Config::new("http://127.0.0.1:11434/v1/", "llama3.1")).unwrap();
        assert_eq!(
            c.endpoint.as_str(),
            "http://127.0.0.1:11434/v1/chat/completions"
        );
        for (url, model, field) in [
            ("ftp://x/v1", "m", "url"),
            ("not a url", "m", "url"),
            ("", "m", "url"),
            ("http://x/v1", " ", "model"),
        ] {
            match Client::new(Config::new(url, model)) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{url} {model}"),
                other => panic!("{url} {model}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_key_never_prints() {
        let config = Config {
            api_key: Some("sk-very-secret".into()),
            ..Config::new("http://x/v1", "m")
        };
        let client = Client::new(config.clone()).unwrap();
        for printed in [format!("{config:?}"), format!("{client:?}")] {
            assert!(!printed.contains("sk-very-secret"), "{printed}");
        }
    }
}
