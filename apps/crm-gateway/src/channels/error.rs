//! What a channel answers when it cannot do what it was asked.

/// An integration a channel needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integration {
    Nextcloud,
    WhatsApp,
    Mail,
    Pbx,
}

impl std::fmt::Display for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Nextcloud => "Nextcloud",
            Self::WhatsApp => "WhatsApp",
            Self::Mail => "e-mail",
            Self::Pbx => "the PBX",
        })
    }
}

/// Why a channel could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The integration is not configured on this server.
    #[error("{0} is not configured on this server")]
    NotConfigured(Integration),
    /// Something the caller gave is refused; `field` names it.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// What was asked for is not there.
    #[error("{0}")]
    NotFound(String),
    /// A file larger than this server accepts.
    #[error("the file is larger than the {limit} bytes this server accepts")]
    TooLarge { limit: u64 },
    /// The integration is configured, but not for this (e.g. an e-mail account without SMTP).
    #[error("{what}")]
    Incomplete {
        integration: Integration,
        what: String,
    },
    /// A long-lived connection the integration needs is down right now.
    #[error("not connected to {0} right now; retrying")]
    Disconnected(Integration),
    /// A byte range that starts past the end of the file (its size, when known).
    #[error("the range asked for starts past the end of the file")]
    RangeNotSatisfiable { size: Option<u64> },
    /// The client's upload broke off.
    #[error("the upload broke off: {0}")]
    UploadBroken(String),
    /// The PBX answered an action with an error.
    #[error("the PBX refused: {response}")]
    PbxRefused {
        response: String,
        message: Option<String>,
    },
    /// What a domain service refused (the contexts share one error).
    #[error(transparent)]
    Domain(#[from] crm_core::Error),
    #[error(transparent)]
    Nextcloud(#[from] nextcloud_dav::Error),
    #[error(transparent)]
    WhatsApp(#[from] wa_bridge::Error),
    #[error(transparent)]
    Mail(#[from] mail_bridge::Error),
    #[error(transparent)]
    Pbx(#[from] ami_bridge::Error),
    /// Something on our side that the caller cannot mend.
    #[error("{0}")]
    Internal(String),
}

impl ChannelError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
