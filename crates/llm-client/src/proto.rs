//! The chat-completions wire format, without I/O: what [`crate::Client`] sends and how it
//! reads the answer.
//!
//! Only what every OpenAI-compatible server understands is sent: `model`, `messages`,
//! `temperature`, and `response_format: {"type": "json_object"}` when the caller wants JSON
//! (Ollama, llama.cpp and OpenAI all honour it; a server that ignores it still gets a prompt
//! that asks for JSON). The answer is `choices[0].message.content`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Longest part of an unexpected body kept in an error message, in characters.
const EXCERPT_CHARS: usize = 200;

/// Who says a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: Role::System,
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }
}

/// A request: the conversation, how freely to answer, and whether the answer must be JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub messages: Vec<Message>,
    /// 0 for the most likely answer (classification), higher for freer text.
    pub temperature: f32,
    /// Ask for a JSON object (`response_format`).
    pub json: bool,
}

/// The request body for `model`.
///
/// # Errors
///
/// `Invalid` for a conversation without messages or a temperature outside 0–2.
pub fn encode(model: &str, chat: &Chat) -> Result<Value> {
    if chat.messages.is_empty() {
        return Err(Error::Invalid {
            field: "messages",
            reason: "at least one message is needed".into(),
        });
    }
    if !(0.0..=2.0).contains(&chat.temperature) {
        return Err(Error::Invalid {
            field: "temperature",
            reason: format!("{} is not between 0 and 2", chat.temperature),
        });
    }
    let mut body = json!({
        "model": model,
        "messages": chat.messages,
        "temperature": chat.temperature,
    });
    if chat.json {
        body["response_format"] = json!({"type": "json_object"});
    }
    Ok(body)
}

/// The answer's text from a response with HTTP `status` and `body`.
///
/// # Errors
///
/// `Status` for a status outside 2xx (with the server's message), `Malformed` for a success
/// that holds no `choices[0].message.content` text.
pub fn decode(status: u16, body: &[u8]) -> Result<String> {
    if !(200..300).contains(&status) {
        return Err(Error::Status {
            status,
            message: error_message(body),
        });
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error::Malformed(format!("not JSON ({e}): {}", excerpt(body))))?;
    match value.pointer("/choices/0/message/content") {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(Error::Malformed(format!(
            "choices[0].message.content is not text: {other}"
        ))),
        None => Err(Error::Malformed(format!(
            "no choices[0].message.content in {}",
            excerpt(body)
        ))),
    }
}

/// The server's explanation of an error: OpenAI's and llama.cpp's `{"error": {"message"}}`,
/// Ollama's `{"error": "…"}`, else the start of the body (or "no explanation").
pub fn error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        let message = value
            .pointer("/error/message")
            .or_else(|| value.get("error"))
            .or_else(|| value.get("message"))
            .and_then(Value::as_str);
        if let Some(message) = message {
            return message.trim().to_owned();
        }
    }
    let text = excerpt(body);
    if text.is_empty() {
        "no explanation".into()
    } else {
        text
    }
}

/// The start of `body` as text, on one line.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.trim().chars().take(EXCERPT_CHARS).collect();
    if text.trim().chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(json: bool) -> Chat {
        Chat {
            messages: vec![Message::system("Απάντησε σε JSON."), Message::user("Γεια")],
            temperature: 0.0,
            json,
        }
    }

    #[test]
    fn the_body_names_the_model_the_messages_and_the_format() {
        assert_eq!(
            encode("llama3.1:8b", &chat(true)).unwrap(),
            json!({
                "model": "llama3.1:8b",
                "messages": [
                    {"role": "system", "content": "Απάντησε σε JSON."},
                    {"role": "user", "content": "Γεια"},
                ],
                "temperature": 0.0,
                "response_format": {"type": "json_object"},
            })
        );
        let plain = encode("m", &chat(false)).unwrap();
        assert!(plain.get("response_format").is_none(), "{plain}");
    }

    #[test]
    fn an_empty_conversation_or_a_wild_temperature_is_refused() {
        let empty = Chat {
            messages: Vec::new(),
            ..chat(false)
        };
        assert!(matches!(
            encode("m", &empty),
            Err(Error::Invalid {
                field: "messages",
                ..
            })
        ));
        let hot = Chat {
            temperature: 3.5,
            ..chat(false)
        };
        assert!(matches!(
            encode("m", &hot),
            Err(Error::Invalid {
                field: "temperature",
                ..
            })
        ));
    }

    #[test]
    fn answers_and_errors_are_read_as_each_server_writes_them() {
        let cases: [(u16, &str, Result<&str, &str>); 8] = [
            (
                200,
                r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"intent\":\"repair\"}"}}]}"#,
                Ok(r#"{"intent":"repair"}"#),
            ),
            (
                401,
                r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#,
                Err("401: Incorrect API key provided"),
            ),
            (
                404,
                r#"{"error":"model \"llama9\" not found, try pulling it first"}"#,
                Err("404: model \"llama9\" not found, try pulling it first"),
            ),
            (502, "Bad Gateway\n", Err("502: Bad Gateway")),
            (500, "", Err("500: no explanation")),
            (200, "<html>proxy</html>", Err("malformed: not JSON")),
            (200, r#"{"choices":[]}"#, Err("malformed: no choices[0]")),
            (
                200,
                r#"{"choices":[{"message":{"content":null}}]}"#,
                Err("malformed: choices[0].message.content is not text"),
            ),
        ];
        for (status, body, expected) in cases {
            let got = decode(status, body.as_bytes());
            match (got, expected) {
                (Ok(text), Ok(want)) => assert_eq!(text, want),
                (Err(e), Err(want)) => {
                    let e = e.to_string();
                    assert!(e.contains(want), "{status} {body}: {e}");
                }
                (got, want) => panic!("{status} {body}: {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn a_long_body_is_cut_in_the_message() {
        let body = "x".repeat(1000);
        let message = error_message(body.as_bytes());
        assert_eq!(message.chars().count(), EXCERPT_CHARS + 1);
    }
}
