//! `multipart/report` (RFC 6522): delivery status notifications (RFC 3464) and read receipts
//! (RFC 8098).

use mail_parser::{MimeHeaders, PartType};

use super::{MessageKind, clean_id};

/// What a delivery status notification says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    /// One entry per recipient the report is about.
    pub recipients: Vec<DsnRecipient>,
    /// The Message-ID of the message the report is about, when the report includes its
    /// headers.
    pub original_message_id: Option<String>,
}

impl DeliveryReport {
    /// True when at least one recipient's delivery failed (a bounce).
    pub fn is_failure(&self) -> bool {
        self.recipients
            .iter()
            .any(|r| r.action.eq_ignore_ascii_case("failed"))
    }
}

/// One recipient's block of a `message/delivery-status` part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DsnRecipient {
    /// `Final-Recipient`, without the address type (`rfc822;`).
    pub final_recipient: String,
    /// `Action`: `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// `Status`, e.g. `5.1.1`.
    pub status: String,
    /// `Diagnostic-Code`, without its type (`smtp;`), e.g. the remote server's reply.
    pub diagnostic: Option<String>,
}

pub(super) fn kind(m: &mail_parser::Message<'_>) -> MessageKind {
    let Some(ct) = m.root_part().content_type() else {
        return MessageKind::Regular;
    };
    if !(ct.ctype().eq_ignore_ascii_case("multipart")
        && ct
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report")))
    {
        return MessageKind::Regular;
    }
    let report_type = ct
        .attribute("report-type")
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let original_message_id = original_message_id(m);
    match report_type.as_str() {
        "delivery-status" => {
            let recipients = m
                .parts
                .iter()
                .find(|p| is_type(p, "message", "delivery-status"))
                .map(|p| dsn_recipients(p.contents()))
                .unwrap_or_default();
            MessageKind::DeliveryStatus(DeliveryReport {
                recipients,
                original_message_id,
            })
        }
        "disposition-notification" => {
            // The MDN part names the original message too; prefer it.
            let from_mdn = m
                .parts
                .iter()
                .find(|p| is_type(p, "message", "disposition-notification"))
                .and_then(|p| field_blocks(p.contents()).into_iter().next())
                .and_then(|b| field(&b, "original-message-id").map(clean_id));
            MessageKind::ReadReceipt {
                original_message_id: from_mdn.or(original_message_id),
            }
        }
        _ => MessageKind::OtherReport { report_type },
    }
}

fn is_type(p: &mail_parser::MessagePart<'_>, t: &str, sub: &str) -> bool {
    p.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(t)
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(sub))
    })
}

/// From the returned message (`message/rfc822`) or its headers (`text/rfc822-headers`).
fn original_message_id(m: &mail_parser::Message<'_>) -> Option<String> {
    m.parts.iter().find_map(|p| match &p.body {
        PartType::Message(inner) => inner.message_id().map(clean_id),
        _ if is_type(p, "text", "rfc822-headers") => {
            let blocks = field_blocks(p.contents());
            blocks
                .first()
                .and_then(|b| field(b, "message-id"))
                .map(clean_id)
        }
        _ => None,
    })
}

fn dsn_recipients(body: &[u8]) -> Vec<DsnRecipient> {
    // The first block is about the message, each following one about a recipient.
    field_blocks(body)
        .into_iter()
        .skip(1)
        .filter_map(|b| {
            let final_recipient = field(&b, "final-recipient")
                .or_else(|| field(&b, "original-recipient"))
                .map(strip_type)?;
            Some(DsnRecipient {
                final_recipient,
                action: field(&b, "action").unwrap_or_default().to_ascii_lowercase(),
                status: field(&b, "status").unwrap_or_default().to_owned(),
                diagnostic: field(&b, "diagnostic-code").map(strip_type),
            })
        })
        .collect()
}

/// `rfc822; a@b` → `a@b`.
fn strip_type(v: &str) -> String {
    match v.split_once(';') {
        Some((_, rest)) => rest.trim().to_owned(),
        None => v.trim().to_owned(),
    }
}

/// Blocks of `Name: value` fields separated by blank lines, continuation lines unfolded;
/// names lower-cased.
fn field_blocks(body: &[u8]) -> Vec<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(body);
    let mut blocks = Vec::new();
    let mut block: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = block.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

fn field<'a>(block: &'a [(String, String)], name: &str) -> Option<&'a str> {
    block
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
