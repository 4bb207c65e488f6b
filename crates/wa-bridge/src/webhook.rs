//! The webhook payload (`object: whatsapp_business_account`) as typed events.
//!
//! One POST may carry several entries, each with several changes, each with several messages
//! and statuses; [`parse`] flattens them into [`Event`]s in the order received. Every message
//! keeps its JSON object as received (`raw`), so a kind this code does not know is stored,
//! not lost.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// Something the webhook reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Message(Message),
    Status(Status),
}

/// A message a WhatsApp user sent to the business.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `wamid.…`, unique per message: what makes processing idempotent.
    pub id: String,
    /// The sender's WhatsApp id: their number in E.164 without `+`.
    pub from: String,
    /// The sender's profile name, from the `contacts` beside the message.
    pub profile_name: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// The business number it was sent to.
    pub phone_number_id: Option<String>,
    /// What it replies to, or that it was forwarded.
    pub context: Option<Context>,
    pub kind: MessageKind,
    /// The message object as received.
    pub raw: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The message replied to.
    pub id: Option<String>,
    pub from: Option<String>,
    pub forwarded: bool,
}

/// A media object of a message: fetched later through [`crate::Client::media_info`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MessageKind {
    Text {
        body: String,
    },
    Image(Media),
    Video(Media),
    /// `voice` for a voice note recorded in WhatsApp.
    Audio {
        media: Media,
        voice: bool,
    },
    Document(Media),
    Sticker(Media),
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// Shared contact cards, as received.
    Contacts {
        cards: Vec<Value>,
    },
    /// A tap on a reply button of an interactive message.
    ButtonReply {
        id: String,
        title: String,
    },
    /// A choice from an interactive list.
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A tap on a quick-reply button of a template.
    Button {
        payload: String,
        text: String,
    },
    /// An emoji on an earlier message; an empty emoji removes it.
    Reaction {
        message_id: String,
        emoji: String,
    },
    /// A kind not listed here (`unsupported`, `order`, `system`, …): see `raw`.
    Unknown {
        kind: String,
    },
}

impl Message {
    /// The media to fetch, if the message has one.
    pub fn media(&self) -> Option<&Media> {
        match &self.kind {
            MessageKind::Image(m)
            | MessageKind::Video(m)
            | MessageKind::Document(m)
            | MessageKind::Sticker(m)
            | MessageKind::Audio { media: m, .. } => Some(m),
            _ => None,
        }
    }

    /// What a person reads as the message: the text, the caption, or a short description of
    /// what was sent.
    pub fn text(&self) -> Option<String> {
        match &self.kind {
            MessageKind::Text { body } => Some(body.clone()),
            MessageKind::Location {
                latitude,
                longitude,
                name,
                address,
            } => Some(
                [
                    name.clone(),
                    address.clone(),
                    Some(format!("{latitude}, {longitude}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
            ),
            MessageKind::ButtonReply { title, .. } | MessageKind::ListReply { title, .. } => {
                Some(title.clone())
            }
            MessageKind::Button { text, .. } => Some(text.clone()),
            MessageKind::Reaction { emoji, .. } => Some(emoji.clone()),
            MessageKind::Contacts { cards } => Some(
                cards
                    .iter()
                    .filter_map(|c| c.pointer("/name/formatted_name").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => self.media().and_then(|m| m.caption.clone()),
        }
        .filter(|t| !t.is_empty())
    }

    /// The type name as WhatsApp gives it (`text`, `image`, …).
    pub fn kind_name(&self) -> &str {
        self.raw
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
    }
}

/// What happened to a message the business sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The `wamid.…` returned when the message was sent.
    pub id: String,
    pub status: StatusKind,
    pub timestamp: i64,
    pub recipient_id: Option<String>,
    /// Why it failed, for `failed`.
    pub errors: Vec<StatusError>,
    pub raw: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKind {
    Sent,
    Delivered,
    Read,
    Failed,
    /// Another state (`deleted`, `warning`, …), as named.
    Other(String),
}

impl StatusKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Other(s) => s,
        }
    }

    /// The order in which states follow each other; a late `sent` must not undo a `read`.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Other(_) => 0,
            Self::Sent => 1,
            Self::Delivered => 2,
            Self::Read => 3,
            Self::Failed => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusError {
    pub code: Option<i64>,
    pub title: Option<String>,
    pub message: Option<String>,
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    value: Value,
}

fn str_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn timestamp(v: &Value) -> i64 {
    match v.get("timestamp") {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

fn media(v: Option<&Value>) -> Option<Media> {
    let v = v?;
    Some(Media {
        id: str_at(v, "id")?,
        mime_type: str_at(v, "mime_type"),
        sha256: str_at(v, "sha256"),
        caption: str_at(v, "caption"),
        filename: str_at(v, "filename"),
    })
}

fn kind(m: &Value) -> MessageKind {
    let kind = m.get("type").and_then(Value::as_str).unwrap_or("unknown");
    let part = m.get(kind);
    let unknown = || MessageKind::Unknown {
        kind: kind.to_owned(),
    };
    let parsed = match kind {
        "text" => part
            .and_then(|t| str_at(t, "body"))
            .map(|body| MessageKind::Text { body }),
        "image" => media(part).map(MessageKind::Image),
        "video" => media(part).map(MessageKind::Video),
        "document" => media(part).map(MessageKind::Document),
        "sticker" => media(part).map(MessageKind::Sticker),
        "audio" => media(part).map(|media| MessageKind::Audio {
            voice: part
                .and_then(|p| p.get("voice"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            media,
        }),
        "location" => part.and_then(|p| {
            Some(MessageKind::Location {
                latitude: p.get("latitude")?.as_f64()?,
                longitude: p.get("longitude")?.as_f64()?,
                name: str_at(p, "name"),
                address: str_at(p, "address"),
            })
        }),
        "contacts" => part
            .and_then(Value::as_array)
            .map(|cards| MessageKind::Contacts {
                cards: cards.clone(),
            }),
        "interactive" => part.and_then(|p| match p.get("type").and_then(Value::as_str)? {
            "button_reply" => {
                let r = p.get("button_reply")?;
                Some(MessageKind::ButtonReply {
                    id: str_at(r, "id")?,
                    title: str_at(r, "title").unwrap_or_default(),
                })
            }
            "list_reply" => {
                let r = p.get("list_reply")?;
                Some(MessageKind::ListReply {
                    id: str_at(r, "id")?,
                    title: str_at(r, "title").unwrap_or_default(),
                    description: str_at(r, "description"),
                })
            }
            _ => None,
        }),
        "button" => part.map(|p| MessageKind::Button {
            payload: str_at(p, "payload").unwrap_or_default(),
            text: str_at(p, "text").unwrap_or_default(),
        }),
        "reaction" => part.and_then(|p| {
            Some(MessageKind::Reaction {
                message_id: str_at(p, "message_id")?,
                emoji: str_at(p, "emoji").unwrap_or_default(),
            })
        }),
        _ => None,
    };
    parsed.unwrap_or_else(unknown)
}

fn context(m: &Value) -> Option<Context> {
    let c = m.get("context")?;
    Some(Context {
        id: str_at(c, "id"),
        from: str_at(c, "from"),
        forwarded: c.get("forwarded").and_then(Value::as_bool).unwrap_or(false)
            || c.get("frequently_forwarded")
                .and_then(Value::as_bool)
                .unwrap_or(false),
    })
}

fn status(s: &Value) -> Option<Status> {
    let kind = match s.get("status").and_then(Value::as_str)? {
        "sent" => StatusKind::Sent,
        "delivered" => StatusKind::Delivered,
        "read" => StatusKind::Read,
        "failed" => StatusKind::Failed,
        other => StatusKind::Other(other.to_owned()),
    };
    let errors = s
        .get("errors")
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .map(|e| StatusError {
                    code: e.get("code").and_then(Value::as_i64),
                    title: str_at(e, "title"),
                    message: str_at(e, "message"),
                    details: e
                        .pointer("/error_data/details")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Status {
        id: str_at(s, "id")?,
        status: kind,
        timestamp: timestamp(s),
        recipient_id: str_at(s, "recipient_id"),
        errors,
        raw: s.clone(),
    })
}

/// The events of a verified webhook body. A body that is not JSON, not for
/// `whatsapp_business_account`, or whose messages lack an id or sender is an error; parts
/// this code does not know are kept (messages) or skipped (other change fields).
pub fn parse(body: &[u8]) -> Result<Vec<Event>> {
    let payload: Payload =
        serde_json::from_slice(body).map_err(|e| Error::Payload(e.to_string()))?;
    if payload.object != "whatsapp_business_account" {
        return Err(Error::Payload(format!(
            "object is `{}`, not whatsapp_business_account",
            payload.object
        )));
    }
    let mut events = Vec::new();
    for change in payload.entry.iter().flat_map(|e| &e.changes) {
        let value = &change.value;
        let phone_number_id = value
            .pointer("/metadata/phone_number_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let contacts = value.get("contacts").and_then(Value::as_array);
        let profile_name = |wa_id: &str| {
            contacts?
                .iter()
                .find(|c| c.get("wa_id").and_then(Value::as_str) == Some(wa_id))
                .and_then(|c| c.pointer("/profile/name"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        for m in value
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(id), Some(from)) = (str_at(m, "id"), str_at(m, "from")) else {
                return Err(Error::Payload("a message without id or from".into()));
            };
            events.push(Event::Message(Message {
                profile_name: profile_name(&from),
                timestamp: timestamp(m),
                phone_number_id: phone_number_id.clone(),
                context: context(m),
                kind: kind(m),
                raw: m.clone(),
                id,
                from,
            }));
        }
        for s in value
            .get("statuses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            events.push(Event::Status(status(s).ok_or_else(|| {
                Error::Payload("a status without id or status".into())
            })?));
        }
    }
    Ok(events)
}
