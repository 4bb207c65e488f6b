//! A CSV file's bytes into a header and records: the encoding and the delimiter detected.
//!
//! - Encoding: a UTF-8 byte-order mark, else valid UTF-8, else one of the two Greek code pages
//!   old spreadsheets are saved in. Windows-1253 and ISO-8859-7 agree on most letters but not
//!   all (`Ά` is 0xA2 in 1253 and 0xB6 in 8859-7, where 1253 has `¶`); each candidate is
//!   scored by the Greek letters it yields, less the characters no spreadsheet holds (C1
//!   controls, bytes the code page leaves undefined, `¶` and `£` next to letters). A tie
//!   (no byte where they differ) is Windows-1253, which is what Excel writes.
//! - Delimiter: the one of `,` `;` and tab that occurs most in the header line outside quotes
//!   (`,` on a tie: a one-column file).
//! - Records: the `csv` crate (RFC 4180 quotes, quoted line breaks, CRLF or LF); rows whose
//!   cells are all blank are dropped; rows shorter than the header are read as blank cells.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// How a file's text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Greek Windows (Excel's plain "CSV" on a Greek Windows).
    Windows1253,
    /// ISO-8859-7 (older Unix and web exports).
    Iso8859_7,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf8",
            Self::Utf8Bom => "utf8_bom",
            Self::Windows1253 => "windows1253",
            Self::Iso8859_7 => "iso8859_7",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Utf8,
            Self::Utf8Bom,
            Self::Windows1253,
            Self::Iso8859_7,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// What separates the cells of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
            Self::Tab => b'\t',
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Comma => "comma",
            Self::Semicolon => "semicolon",
            Self::Tab => "tab",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Comma, Self::Semicolon, Self::Tab]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// One data row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The row as a spreadsheet numbers it: the header is row 1, the first data row row 2.
    pub row: u32,
    /// The cells, as many as the header has (missing ones blank, extra ones dropped).
    pub cells: Vec<String>,
}

/// A decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub encoding: Encoding,
    pub delimiter: Delimiter,
    /// The header's cells, trimmed.
    pub headers: Vec<String>,
    pub records: Vec<Record>,
}

/// Decodes and parses a whole file. `Error::Invalid { field: "file" }` when it is empty, has
/// no header or is not CSV at all.
pub fn read(bytes: &[u8]) -> Result<CsvFile> {
    let (encoding, text) = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let (headers, records) = parse(&text, delimiter)?;
    Ok(CsvFile {
        encoding,
        delimiter,
        headers,
        records,
    })
}

/// The file's text and the encoding it was read in.
pub fn decode(bytes: &[u8]) -> (Encoding, String) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            Encoding::Utf8Bom,
            String::from_utf8_lossy(rest).into_owned(),
        );
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Encoding::Utf8, text.to_owned());
    }
    let candidates = [
        (Encoding::Windows1253, encoding_rs::WINDOWS_1253),
        (Encoding::Iso8859_7, encoding_rs::ISO_8859_7),
    ];
    let mut best: Option<(i64, Encoding, String)> = None;
    for (encoding, codec) in candidates {
        let (text, _) = codec.decode_without_bom_handling(bytes);
        let s = score(&text);
        if best.as_ref().is_none_or(|(b, _, _)| s > *b) {
            best = Some((s, encoding, text.into_owned()));
        }
    }
    match best {
        Some((_, encoding, text)) => (encoding, text),
        None => (Encoding::Utf8, String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Greek letters count for a reading, impossible characters heavily against it.
fn score(text: &str) -> i64 {
    let mut score = 0i64;
    for c in text.chars() {
        match c {
            '\u{0386}'..='\u{03CE}' => score += 1,
            '\u{FFFD}' | '\u{0080}'..='\u{009F}' => score -= 50,
            '¶' | '£' | '‘' | '’' | '΅' => score -= 5,
            _ => {}
        }
    }
    score
}

/// The delimiter the header line uses most, outside quotes.
pub fn detect_delimiter(text: &str) -> Delimiter {
    let (mut comma, mut semicolon, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semicolon += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semicolon > comma && semicolon >= tab {
        Delimiter::Semicolon
    } else if tab > comma && tab > semicolon {
        Delimiter::Tab
    } else {
        Delimiter::Comma
    }
}

fn parse(text: &str, delimiter: Delimiter) -> Result<(Vec<String>, Vec<Record>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let headers: Vec<String> = match rows.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(Error::invalid("file", format!("is not CSV: {e}"))),
        None => return Err(Error::invalid("file", "is empty")),
    };
    if headers.iter().all(String::is_empty) {
        return Err(Error::invalid("file", "has no header row"));
    }
    let mut records = Vec::new();
    for (row, r) in (2u32..).zip(rows) {
        let r = r.map_err(|e| Error::invalid("file", format!("row {row} is not CSV: {e}")))?;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells: Vec<String> = r.iter().take(headers.len()).map(str::to_owned).collect();
        cells.resize(headers.len(), String::new());
        records.push(Record { row, cells });
    }
    Ok((headers, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_greek_code_pages_are_told_apart_by_their_letters() {
        // "Άγιος Ανδρέας" in each code page
        let text = "Άγιος Ανδρέας;Αθήνα\r\n";
        for (codec, want) in [
            (encoding_rs::WINDOWS_1253, Encoding::Windows1253),
            (encoding_rs::ISO_8859_7, Encoding::Iso8859_7),
        ] {
            let (bytes, _, bad) = codec.encode(text);
            assert!(!bad);
            assert!(std::str::from_utf8(&bytes).is_err());
            assert_eq!(decode(&bytes), (want, text.to_owned()), "{want:?}");
        }
        assert_eq!(decode(text.as_bytes()).0, Encoding::Utf8);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), (Encoding::Utf8Bom, text.to_owned()));
    }

    #[test]
    fn delimiters_are_counted_in_the_header_outside_quotes() {
        let cases = [
            ("a,b,c\n1;2;3", Delimiter::Comma),
            ("a;b;c\n1,2,3", Delimiter::Semicolon),
            ("a\tb\tc", Delimiter::Tab),
            ("\"a;b;c\",d\n", Delimiter::Comma),
            ("\"x,y\";b;c", Delimiter::Semicolon),
            ("name\n", Delimiter::Comma),
        ];
        for (text, want) in cases {
            assert_eq!(detect_delimiter(text), want, "{text:?}");
        }
    }

    #[test]
    fn quoted_newlines_stay_in_their_cell_and_rows_are_numbered_as_in_a_spreadsheet() {
        let f = read(b"name,notes\r\nA,\"one\r\ntwo\"\r\n,\r\nB\r\n").unwrap();
        assert_eq!(f.headers, ["name", "notes"]);
        assert_eq!(
            f.records,
            [
                Record {
                    row: 2,
                    cells: vec!["A".into(), "one\r\ntwo".into()]
                },
                Record {
                    row: 4,
                    cells: vec!["B".into(), String::new()]
                },
            ]
        );
    }

    #[test]
    fn an_empty_file_is_invalid() {
        for bytes in [&b""[..], b"\xEF\xBB\xBF", b" , \n"] {
            match read(bytes) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "file"),
                other => panic!("{other:?}"),
            }
        }
    }
}
