//! What can go wrong talking to WhatsApp.

/// An error object as the Graph API returns it (`{"error": {...}}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct GraphError {
    pub message: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub error_subcode: Option<i64>,
    #[serde(default)]
    pub fbtrace_id: Option<String>,
    /// `{"details": "..."}` on WhatsApp errors.
    #[serde(default)]
    pub error_data: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `X-Hub-Signature-256` missing, malformed or not the HMAC of the body.
    #[error("webhook signature: {0}")]
    Signature(&'static str),
    /// The webhook body is not the documented JSON (or not for WhatsApp).
    #[error("webhook payload: {0}")]
    Payload(String),
    /// The Graph API answered with an error object.
    #[error("WhatsApp API {status}: {}", .error.message)]
    Graph { status: u16, error: Box<GraphError> },
    /// An answer that is neither the documented success nor an error object.
    #[error("WhatsApp API {status}: unexpected answer: {body}")]
    Protocol { status: u16, body: String },
    /// The Graph API could not be reached or did not answer in time.
    #[error("WhatsApp API unreachable: {0}")]
    Unreachable(String),
    /// A request that cannot be sent as asked (empty text, no recipient…).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Error {
    /// Whether trying again later may succeed (rate limits, Meta's 5xx, the network).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unreachable(_) => true,
            Error::Graph { status, error } => {
                *status == 429
                    || *status >= 500
                    || matches!(error.code, Some(4 | 80007 | 130429 | 131016))
            }
            Error::Protocol { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
