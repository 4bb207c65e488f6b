//! The WhatsApp webhook: signature check and payload parser.

use wa_bridge::signature::sign;
use wa_bridge::{Event, parse, verify_signature};

const SECRET: &[u8] = b"app-secret-for-fuzzing";

/// The signature check and `wa_bridge::parse` on any body: a body signed with the secret
/// passes and any other header is refused; the payload parser answers events or an error,
/// and every accessor the gateway calls on an event works.
pub fn wa_webhook(data: &[u8]) {
    assert!(verify_signature(SECRET, Some(&sign(SECRET, data)), data).is_ok());
    let header = String::from_utf8_lossy(data);
    assert!(verify_signature(SECRET, Some(&header), data).is_err());
    let Ok(events) = parse(data) else {
        return;
    };
    for event in &events {
        match event {
            Event::Message(m) => {
                let _ = (m.text(), m.media(), m.kind_name(), &m.context);
            }
            Event::Status(s) => {
                let _ = (s.status.as_str(), s.status.rank(), &s.errors);
            }
        }
    }
}
