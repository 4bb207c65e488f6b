//! The AMI frame decoder, and the call correlator behind it.

use std::sync::Arc;

use ami_bridge::proto::{DEFAULT_MAX_FRAME, Decoded, Decoder, Frame, Message};
use ami_bridge::{CallRules, Clock, Correlator};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::chunks;

/// One outcome of `Decoder::decode`, errors by their text.
type Outcome = Result<Frame, String>;

/// Decodes `pieces` fed one after the other, as the client does: after an error on the
/// banner the connection is dropped (nothing more is decoded); after any other error
/// decoding goes on.
fn decode(mut decoder: Decoder, mut banner_pending: bool, pieces: &[&[u8]]) -> Vec<Outcome> {
    let max_frame = decoder.max_frame();
    let mut out = Vec::new();
    for piece in pieces {
        decoder.feed(piece);
        loop {
            match decoder.decode() {
                Ok(Decoded::NeedMoreData) => {
                    // memory stays bounded: what is kept is at most one frame's worth
                    assert!(
                        decoder.buffered() <= max_frame,
                        "{} bytes buffered, limit {max_frame}",
                        decoder.buffered()
                    );
                    break;
                }
                Ok(Decoded::Frame(frame)) => {
                    if let Frame::Message(m) = &frame {
                        check_message(m, max_frame);
                    }
                    banner_pending = false;
                    out.push(Ok(frame));
                }
                Err(e) if banner_pending => {
                    out.push(Err(format!("banner: {e}")));
                    return out;
                }
                Err(e) => out.push(Err(e.to_string())),
            }
        }
    }
    out
}

/// What every decoded message satisfies.
fn check_message(m: &Message, max_frame: usize) {
    assert!(!m.is_empty(), "an empty message was returned");
    // the limit is on wire bytes; invalid UTF-8 comes out as U+FFFD, 3 bytes for 1
    assert!(
        m.text_len() <= 3 * max_frame,
        "a message of {} bytes passed the {max_frame}-byte limit",
        m.text_len()
    );
    for (key, value) in m.iter() {
        assert_eq!(key, key.trim_ascii(), "keys are trimmed");
        if !key.eq_ignore_ascii_case("Output") {
            // raw command output is kept as it came; fields are trimmed
            assert_eq!(value, value.trim_ascii(), "values are trimmed");
        }
        assert!(!key.contains(['\n']) && !value.contains('\n'));
    }
    // the accessors every consumer calls
    let _ = (m.kind(), m.event(), m.response(), m.action_id());
    let _ = m.output_lines().count();
}

/// The AMI decoder, fed whole, in uneven pieces, in two halves and byte by byte, with the
/// default frame limit and with a small one (so that oversized frames are common), with and
/// without the banner: the same frames and errors in the same order every time, memory
/// bounded by the limit.
pub fn ami_decoder(data: &[u8]) {
    let small_limit = 64 + data.len() % 256;
    for max_frame in [DEFAULT_MAX_FRAME, small_limit] {
        for with_banner in [false, true] {
            let fresh = || {
                if with_banner {
                    Decoder::with_max_frame(max_frame)
                } else {
                    Decoder::without_banner(max_frame)
                }
            };
            let run = |pieces: &[&[u8]]| decode(fresh(), with_banner, pieces);
            let whole = run(&[data]);
            assert_eq!(run(&chunks::uneven(data)), whole, "uneven pieces");
            assert_eq!(run(&chunks::halves(data)), whole, "two halves");
            let bytes: Vec<&[u8]> = data.chunks(1).collect();
            assert_eq!(run(&bytes), whole, "byte by byte");
        }
    }
}

/// A fixed clock: the correlator dates events without `Timestamp:` with it.
#[derive(Debug)]
struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> OffsetDateTime {
        datetime!(2026-01-01 12:00 UTC)
    }
}

/// The decoder's messages through the call correlator, as `channels/calls` runs it: no
/// panic, and every record it emits can be stored (the gateway keeps it as JSON).
pub fn ami_calls(data: &[u8]) {
    let Ok(rules) = CallRules::new(&["PJSIP/trunk-", "SIP/provider"], &["_XXX", "_XXXX"], "GR")
    else {
        panic!("the fixed rules are valid");
    };
    let mut correlator = Correlator::new(Arc::new(rules), Arc::new(Fixed));
    let mut decoder = Decoder::without_banner(DEFAULT_MAX_FRAME);
    decoder.feed(data);
    let mut records = Vec::new();
    loop {
        match decoder.decode() {
            Ok(Decoded::Frame(Frame::Message(m))) => records.extend(correlator.feed(&m)),
            Ok(Decoded::Frame(Frame::Banner(_))) => {}
            Ok(Decoded::NeedMoreData) => break,
            Err(_) => {}
        }
    }
    records.extend(correlator.close_all_incomplete());
    assert_eq!(
        correlator.open_calls(),
        0,
        "close_all_incomplete closes all"
    );
    for r in &records {
        if let Err(e) = serde_json::to_value(r) {
            panic!("a call record that cannot be stored as JSON ({e}): {r:?}");
        }
    }
}
