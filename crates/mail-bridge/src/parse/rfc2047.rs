//! RFC 2047 encoded-words decoded the way mail clients read them: the octets of adjacent
//! encoded-words in one charset are joined before the charset is applied, so a character
//! whose bytes a sender split over two words (Outlook and several mobile clients do, at a
//! fixed word length) comes out whole instead of as two U+FFFD.
//!
//! mail-parser decodes each word on its own; [`super::parse`] calls this only when its
//! result has a replacement character, and keeps whichever reading has fewer.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;

/// One piece of an unstructured header value.
enum Piece<'a> {
    /// Text outside encoded-words, as it is.
    Text(&'a [u8]),
    /// The decoded octets of one or more adjacent encoded-words of `charset`.
    Word { charset: &'a [u8], octets: Vec<u8> },
}

/// Decodes an unstructured header value (the bytes after `Subject:`), unfolding it first.
pub(crate) fn decode(value: &[u8]) -> String {
    let unfolded: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut rest = unfolded.as_slice();
    while !rest.is_empty() {
        let Some(start) = memchr::memmem::find(rest, b"=?") else {
            pieces.push(Piece::Text(rest));
            break;
        };
        match encoded_word(&rest[start..]) {
            Some((charset, octets, len)) => {
                let before = &rest[..start];
                // white space between two encoded-words is not part of the text (6.2)
                let between_words = matches!(pieces.last(), Some(Piece::Word { .. }))
                    && before.iter().all(|b| matches!(b, b' ' | b'\t'));
                if !before.is_empty() && !between_words {
                    pieces.push(Piece::Text(before));
                }
                match pieces.last_mut() {
                    Some(Piece::Word {
                        charset: previous,
                        octets: joined,
                    }) if (between_words || before.is_empty())
                        && previous.eq_ignore_ascii_case(charset) =>
                    {
                        joined.extend_from_slice(&octets);
                    }
                    _ => pieces.push(Piece::Word { charset, octets }),
                }
                rest = &rest[start + len..];
            }
            None => {
                // not an encoded-word after all: `=?` is text
                pieces.push(Piece::Text(&rest[..start + 2]));
                rest = &rest[start + 2..];
            }
        }
    }
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&String::from_utf8_lossy(t)),
            Piece::Word { charset, octets } => out.push_str(&decode_charset(charset, &octets)),
        }
    }
    out
}

/// `=?charset[*lang]?B|Q?text?=` at the start of `s`: (charset, octets, bytes consumed).
fn encoded_word(s: &[u8]) -> Option<(&[u8], Vec<u8>, usize)> {
    let body = s.strip_prefix(b"=?")?;
    let q1 = body.iter().position(|&b| b == b'?')?;
    let charset_lang = &body[..q1];
    let charset = charset_lang
        .split(|&b| b == b'*')
        .next()
        .filter(|c| !c.is_empty())?;
    let encoding = *body.get(q1 + 1)?;
    if body.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let text_len = memchr::memmem::find(&body[text_start..], b"?=")?;
    let text = &body[text_start..text_start + text_len];
    // an encoded-word holds no white space
    if text.iter().any(|b| matches!(b, b' ' | b'\t')) {
        return None;
    }
    let octets = match encoding {
        b'B' | b'b' => base64_decode(text)?,
        b'Q' | b'q' => q_decode(text),
        _ => return None,
    };
    Some((charset, octets, 2 + text_start + text_len + 2))
}

/// The `Q` encoding: `_` is a space, `=XX` an octet; a malformed `=` stays as it is.
fn q_decode(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                if let (Some(h), Some(l)) = (
                    text.get(i + 1).copied().and_then(hex),
                    text.get(i + 2).copied().and_then(hex),
                ) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                out.push(b'=');
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn decode_charset<'a>(charset: &[u8], octets: &'a [u8]) -> Cow<'a, str> {
    let name = String::from_utf8_lossy(charset);
    if super::is_utf8_or_ascii(&name) {
        return String::from_utf8_lossy(octets);
    }
    match charset_decoder(charset) {
        Some(decoder) => Cow::Owned(decoder(octets)),
        None => String::from_utf8_lossy(octets),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_one_charset_join_and_others_stay_apart() {
        let table: &[(&str, &str)] = &[
            // "Κα" split inside the "α" (ce b1): one character, not two U+FFFD
            ("=?UTF-8?B?zprO?= =?UTF-8?B?sQ==?=", "Κα"),
            ("=?utf-8?Q?=CE=9A=CE?=\r\n =?UTF-8?q?=B1_x?=", "Κα x"),
            // text between words stays, white space alone does not
            ("=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c"),
            ("=?utf-8?Q?a?=  \t =?utf-8?Q?c?=", "ac"),
            ("Re: =?utf-8?Q?=CE=9A?=", "Re: Κ"),
            // different charsets decode separately
            ("=?iso-8859-7?Q?=C1?= =?utf-8?Q?=CE=92?=", "ΑΒ"),
            // a language tag (RFC 2231) is not part of the charset
            ("=?UTF-8*el?Q?=CE=93?=", "Γ"),
            // not encoded-words
            ("2 =? 3", "2 =? 3"),
            ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
            ("=?utf-8?Q?a b?=", "=?utf-8?Q?a b?="),
        ];
        for (raw, expected) in table {
            assert_eq!(decode(raw.as_bytes()), *expected, "{raw}");
        }
    }
}
