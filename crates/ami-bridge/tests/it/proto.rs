//! The decoder on the fixtures, whole, byte by byte, and cut at every offset.

use ami_bridge::proto::{Decoded, Decoder, Frame, Message};

use crate::support::{BANNER, decode_messages, fixture};

const FIXTURES: &[&str] = &[
    "inbound_queue_answered.txt",
    "inbound_missed.txt",
    "outbound.txt",
    "attended_transfer.txt",
    "blind_transfer.txt",
    "concurrent_interleaved.txt",
    "originate_call.txt",
];

/// Decodes `chunks` fed one after the other (banner expected first).
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<String>, Vec<Message>) {
    let mut decoder = Decoder::new();
    let mut banners = Vec::new();
    let mut messages = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        loop {
            match decoder.decode() {
                Ok(Decoded::Frame(Frame::Banner(b))) => banners.push(b.version),
                Ok(Decoded::Frame(Frame::Message(m))) => messages.push(m),
                Ok(Decoded::NeedMoreData) => break,
                Err(e) => panic!("decode error: {e}"),
            }
        }
    }
    (banners, messages)
}

fn with_banner(body: &[u8]) -> Vec<u8> {
    let mut all = BANNER.to_vec();
    all.extend_from_slice(body);
    all
}

#[test]
fn every_fixture_decodes_into_its_events() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let events = String::from_utf8_lossy(&bytes)
            .matches("\r\nEvent: ")
            .count()
            + 1;
        let messages = decode_messages(&bytes);
        assert_eq!(messages.len(), events, "{name}");
        assert!(messages.iter().all(|m| m.event().is_some()), "{name}");
    }
}

#[test]
fn byte_by_byte_equals_whole() {
    for name in FIXTURES {
        let all = with_banner(&fixture(name));
        let whole = decode_chunks([&all[..]]);
        let bytewise = decode_chunks(all.chunks(1));
        assert_eq!(whole.0, ["7.0.3"], "{name}");
        assert_eq!(whole, bytewise, "{name}");
    }
}

/// Where each frame of a CRLF stream ends (the banner line, then each blank line).
fn frame_ends(all: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    if let Some(i) = all.windows(2).position(|w| w == b"\r\n") {
        ends.push(i + 2);
    }
    let mut at = ends.first().copied().unwrap_or(0);
    while let Some(i) = all[at..].windows(4).position(|w| w == b"\r\n\r\n") {
        at += i + 4;
        ends.push(at);
    }
    ends
}

#[test]
fn fixtures_cut_at_every_offset() {
    // Every byte offset of every fixture. Decoding restarts at frame boundaries, so each cut
    // is checked on a window: the banner, the frame the cut falls in, and the frame after it
    // (decoding must resume cleanly): same frames whether fed whole or cut there.
    for name in FIXTURES {
        let all = with_banner(&fixture(name));
        let ends = frame_ends(&all);
        assert_eq!(ends.last(), Some(&all.len()), "{name}");
        let banner = &all[..ends[0]];
        let mut starts = vec![ends[0]];
        starts.extend(&ends[..ends.len() - 1]);
        let frames: Vec<(usize, usize)> = starts
            .into_iter()
            .zip(ends.iter().copied())
            .skip(1)
            .collect();
        for (i, &(start, end)) in frames.iter().enumerate() {
            let from = start;
            let to = frames.get(i + 1).map_or(end, |f| f.1);
            let mut window = banner.to_vec();
            window.extend_from_slice(&all[from..to]);
            let expected = decode_chunks([&window[..]]);
            let offset = banner.len() + start - from;
            for cut in offset..=offset + (end - start) {
                let (a, b) = window.split_at(cut);
                assert_eq!(
                    decode_chunks([a, b]),
                    expected,
                    "{name} frame {i} cut at {cut}"
                );
            }
        }
        // and the banner itself, cut everywhere
        let head = &all[..frames.get(1).map_or(all.len(), |f| f.1)];
        let expected = decode_chunks([head]);
        for cut in 0..=banner.len() {
            let (a, b) = head.split_at(cut);
            assert_eq!(
                decode_chunks([a, b]),
                expected,
                "{name} banner cut at {cut}"
            );
        }
    }
}

#[test]
fn tricky_inputs_cut_at_every_offset() {
    let cases: &[&[u8]] = &[
        b"Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n",
        b"Asterisk Call Manager/2.10.6\nEvent: FullyBooted\nPrivilege: system,all\n\nEvent: Newchannel\nChannel: PJSIP/201-01\n\n",
        b"Asterisk Call Manager/1.1\r\nResponse: Follows\r\nPrivilege: Command\r\nActionID: 2\r\nLine one\r\n\r\nLine: three\r\n--END COMMAND--\r\n\r\nEvent: X\r\n\r\n",
        b"Asterisk Call Manager/7.0.3\r\nResponse: Success\r\nActionID: 3\r\nMessage: Command output follows\r\nOutput: a\r\nOutput: b: c\r\n\r\n\r\n\r\nResponse: Follows\r\nOutput: x\r\n\r\n",
        b"Asterisk Call Manager/7.0.3\r\nEvent: VarSet\r\nValue: \xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81\xce\xb1\r\n\r\n",
    ];
    for input in cases {
        let expected = decode_chunks([*input]);
        assert_eq!(expected.0.len(), 1);
        assert!(!expected.1.is_empty());
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(decode_chunks([a, b]), expected, "cut at {cut}");
            for cut2 in cut..=input.len() {
                let (b1, b2) = b.split_at(cut2 - cut);
                assert_eq!(
                    decode_chunks([a, b1, b2]),
                    expected,
                    "cuts at {cut}, {cut2}"
                );
            }
        }
    }
}

#[test]
fn repeated_keys_survive_decoding() {
    let messages = decode_messages(
        b"Event: Newchannel\r\nChannel: PJSIP/201-0000000a\r\nChanVariable: FROM_DID=2101234567\r\nChanVariable: CDR(userfield)=vip\r\nUniqueid: 1.1\r\n\r\n",
    );
    assert_eq!(
        messages[0].get_all("ChanVariable").collect::<Vec<_>>(),
        ["FROM_DID=2101234567", "CDR(userfield)=vip"]
    );
    assert_eq!(messages[0].get("uniqueid"), Some("1.1"));
}

#[test]
fn garbage_never_panics() {
    // a cheap deterministic fuzz: xorshift bytes biased towards the interesting ones
    let alphabet: &[u8] = b"\r\n:\n \tAEvent: Response: Follows--END COMMAND--\xff\xc3";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        let mut input = Vec::new();
        for _ in 0..(state % 600) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let mut decoder = Decoder::with_max_frame(128);
        for chunk in input.chunks(1 + (state % 7) as usize) {
            decoder.feed(chunk);
            while let Ok(Decoded::Frame(_)) | Err(_) = decoder.decode() {
                if decoder.buffered() == 0 {
                    break;
                }
            }
        }
    }
}
