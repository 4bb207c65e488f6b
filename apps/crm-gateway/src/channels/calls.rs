//! FreePBX calls wired into the CRM: each finished call the AMI bridge reports becomes one
//! comms entry (type `call`, `ext_message_id` = Linkedid, so a call reported twice — after a
//! reconnect — is logged once), matched to a customer by the outside party's number, else
//! kept in the inbox. Calls between extensions involve no customer and are not logged.
//!
//! The bridge runs as a background task that connects, and reconnects when the PBX is down
//! at start or goes away later; click-to-call uses the live client.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use ami_bridge::{AmiEvent, CallRecord, Disposition};
use crm_comms::{CommsType, Direction, NewEntry};
use crm_core::Timestamp;

use serde::Serialize;

use super::{ChannelError, Integration};
use crate::state::AppState;

/// Who `logged_by` says an entry came from.
const LOGGED_BY: &str = "pbx";

/// `3m12s`, `45s`, `1h02m`.
fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// The comms entry of a finished call, or `None` for a call between extensions.
pub fn entry_for(call: &CallRecord) -> Option<NewEntry> {
    let (direction, outside) = match call.direction {
        ami_bridge::Direction::Inbound => (Direction::Inbound, &call.caller),
        ami_bridge::Direction::Outbound => (Direction::Outbound, &call.callee),
        ami_bridge::Direction::Internal => return None,
    };
    let missed = call.direction == ami_bridge::Direction::Inbound && !call.answered;
    let with = call
        .extension
        .as_deref()
        .map(|e| format!(" with ext {e}"))
        .unwrap_or_default();
    let subject = match (call.direction, call.answered, call.disposition) {
        (_, true, _) => format!("Call {}{with}", duration(call.billable_secs)),
        (ami_bridge::Direction::Inbound, false, _) => "Missed call".to_owned(),
        (_, false, Disposition::Busy) => "Busy".to_owned(),
        (_, false, Disposition::Failed) => "Call failed".to_owned(),
        (_, false, Disposition::NoAnswer | Disposition::Answered) => "Not answered".to_owned(),
    };
    let mut entry = NewEntry::new(CommsType::Call, direction, None);
    // the outside party: matched to a customer's phone, else the inbox keeps it
    entry.sender = Some(outside.to_string());
    entry.subject = Some(subject);
    entry.ext_message_id = Some(call.linkedid.clone());
    entry.logged_by = Some(LOGGED_BY.to_owned());
    entry.occurred_at = Some(Timestamp::from(call.start));
    let mut meta = match serde_json::to_value(call) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    meta.insert("missed".into(), missed.into());
    if outside
        .e164()
        .and_then(crm_core::contact::phone)
        .is_some_and(|p| !p.listed)
    {
        // a number in a range the phone metadata does not know (yet): kept, and said so
        meta.insert("number_unlisted".into(), true.into());
    }
    entry.meta = Some(serde_json::Value::Object(meta));
    Some(entry)
}

/// Logs a finished call (once per Linkedid).
pub async fn log_call(state: &AppState, call: &CallRecord) -> Result<(), ChannelError> {
    if let Some(entry) = entry_for(call) {
        let done = super::intake(state, entry).await?;
        if done.created && done.entry.meta.get("missed") == Some(&true.into()) {
            super::workflows::emit(
                state,
                "call.missed",
                super::workflows::entry_data(&done.entry),
            );
        }
    }
    Ok(())
}

/// What the PBX answered an `Originate` it accepted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OriginateResult {
    /// `Success` or `Error`, as Asterisk answered.
    pub response: String,
    pub message: Option<String>,
}

/// Rings `extension`, then dials `number` from it. The number is dialled as typed, without
/// the punctuation people write numbers with.
pub async fn originate(
    state: &AppState,
    extension: &str,
    number: &str,
) -> Result<OriginateResult, ChannelError> {
    let calls = state
        .calls
        .as_ref()
        .ok_or(ChannelError::NotConfigured(Integration::Pbx))?;
    let client = calls
        .client
        .read()
        .await
        .clone()
        .ok_or(ChannelError::Disconnected(Integration::Pbx))?;
    let number: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
        .collect();
    let response = client
        .originate(extension, &number, ami_bridge::OriginateOptions::default())
        .await?;
    let originated = OriginateResult {
        response: response.status().to_owned(),
        message: response.message().map(str::to_owned),
    };
    if response.is_success() {
        Ok(originated)
    } else {
        Err(ChannelError::PbxRefused {
            response: originated.response,
            message: originated.message,
        })
    }
}

/// The gateway's clock, as the AMI bridge asks for one (it has none of its own): it dates
/// events without `Timestamp:`.
#[derive(Debug)]
struct BridgeClock(Arc<dyn crm_core::Clock>);

impl ami_bridge::Clock for BridgeClock {
    fn now(&self) -> time::OffsetDateTime {
        self.0.now().into_inner()
    }
}

/// Keeps the AMI connection and logs calls until the process ends.
pub async fn run_bridge(state: web::Data<AppState>, stop: crate::shutdown::Stop) {
    let Some(calls) = state.calls.as_ref() else {
        return;
    };
    let clock: Arc<dyn ami_bridge::Clock> = Arc::new(BridgeClock(Arc::clone(&state.clock)));
    let mut pause = Duration::from_secs(1);
    while !stop.is_stopped() {
        match ami_bridge::Client::connect(calls.config.clone(), Arc::clone(&clock)).await {
            Ok((client, mut events)) => {
                pause = Duration::from_secs(1);
                *calls.client.write().await = Some(client);
                let now = state.clock.now();
                calls.note(|l| {
                    l.connected_since = Some(now);
                    l.last_error = None;
                });
                loop {
                    let event = tokio::select! {
                        event = events.recv() => event,
                        () = stop.wait() => {
                            // log off (the bridge sends `Logoff`), then stop
                            if let Some(client) = calls.client.write().await.take() {
                                client.shutdown().await;
                            }
                            calls.note(|l| l.connected_since = None);
                            return;
                        }
                    };
                    let Some(event) = event else { break };
                    let now = state.clock.now();
                    calls.note(|l| l.last_event_at = Some(now));
                    match event {
                        AmiEvent::Call(call) => {
                            if let Err(e) = log_call(&state, &call).await {
                                tracing::error!(linkedid = %call.linkedid, error = %e, "call not logged");
                            }
                        }
                        AmiEvent::Connected { version } => {
                            tracing::info!(%version, "logged in to the PBX");
                            calls.note(|l| {
                                l.connected_since.get_or_insert(now);
                                l.last_error = None;
                            });
                        }
                        AmiEvent::Disconnected { reason, retry_in } => {
                            tracing::warn!(%reason, retry_in_ms = retry_in.as_millis() as u64, "PBX connection lost");
                            calls.note(|l| {
                                l.connected_since = None;
                                l.last_error = Some(reason.to_string());
                            });
                        }
                        AmiEvent::Event(_) => {}
                    }
                }
                *calls.client.write().await = None;
                calls.note(|l| l.connected_since = None);
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_s = pause.as_secs(), "cannot connect to the PBX");
                calls.note(|l| {
                    l.connected_since = None;
                    l.last_error = Some(e.to_string());
                });
            }
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.wait() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_bridge::Number;

    fn call(direction: ami_bridge::Direction, answered: bool) -> CallRecord {
        let start = time::macros::datetime!(2026-11-28 10:00:00 UTC);
        CallRecord {
            linkedid: "1764324000.42".into(),
            direction,
            caller: Number::E164("+306912345678".into()),
            callee: Number::Extension("201".into()),
            answered,
            disposition: if answered {
                Disposition::Answered
            } else {
                Disposition::NoAnswer
            },
            extension: answered.then(|| "201".into()),
            rang: vec!["201".into(), "202".into()],
            transfers: vec![],
            trunk: Some("trunk-acme".into()),
            start,
            answer: answered.then(|| start + time::Duration::seconds(8)),
            end: start + time::Duration::seconds(200),
            duration_secs: 200,
            billable_secs: if answered { 192 } else { 0 },
            incomplete: false,
        }
    }

    #[test]
    fn answered_and_missed_calls_read_as_people_say_them() {
        let e = entry_for(&call(ami_bridge::Direction::Inbound, true)).unwrap();
        assert_eq!(e.subject.as_deref(), Some("Call 3m12s with ext 201"));
        assert_eq!(e.sender.as_deref(), Some("+306912345678"));
        assert_eq!(e.ext_message_id.as_deref(), Some("1764324000.42"));
        assert_eq!(e.direction, Direction::Inbound);
        let meta = e.meta.unwrap();
        assert_eq!(meta["missed"], false);
        assert_eq!(meta["billable_secs"], 192);

        let missed = entry_for(&call(ami_bridge::Direction::Inbound, false)).unwrap();
        assert_eq!(missed.subject.as_deref(), Some("Missed call"));
        assert_eq!(missed.meta.unwrap()["missed"], true);

        assert!(entry_for(&call(ami_bridge::Direction::Internal, true)).is_none());
        let listed = entry_for(&call(ami_bridge::Direction::Inbound, true)).unwrap();
        assert!(listed.meta.unwrap().get("number_unlisted").is_none());
        let mut unlisted = call(ami_bridge::Direction::Inbound, true);
        unlisted.caller = Number::E164("+447911600000".into());
        let e = entry_for(&unlisted).unwrap();
        assert_eq!(e.sender.as_deref(), Some("+447911600000"));
        assert_eq!(e.meta.unwrap()["number_unlisted"], true);
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(3720), "1h02m");
    }
}
