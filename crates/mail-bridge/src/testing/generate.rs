//! Deterministic "typical" messages for the benchmarks and the bulk tests: 20–200 KB, Greek
//! text in UTF-8, ISO-8859-7 or Windows-1253, RFC 2047 subjects and names, quoted-printable
//! and base64 bodies, multipart/alternative, /mixed and /related with attachments.

const WORDS: &[&str] = &[
    "καμπάνα",
    "ρολόι",
    "ενορία",
    "προσφορά",
    "παραγγελία",
    "τιμολόγιο",
    "εγκατάσταση",
    "συντήρηση",
    "ηλεκτρονικός",
    "μηχανισμός",
    "καμπαναριό",
    "Αγίου",
    "Νικολάου",
    "Δημητρίου",
    "πατέρας",
    "επιτροπή",
    "ευχαριστούμε",
    "παρακαλώ",
    "σήμερα",
    "αύριο",
    "εβδομάδα",
    "τιμή",
    "ευρώ",
    "αποστολή",
    "ελέγχου",
    "κρούσης",
    "ώρα",
    "λεπτά",
    "Δευτέρα",
    "Ιούνιο",
    "ψηφιακό",
];
const NAMES: &[&str] = &[
    "Γιώργος Παπαδόπουλος",
    "Μαρία Κωνσταντίνου",
    "π. Νικόλαος",
    "Ελένη Δημητρίου",
    "Αναστάσιος Ιωάννου",
    "Σοφία Αλεξίου",
    "Ενορία Αγίας Τριάδος",
];
const CHARSETS: &[&str] = &["utf-8", "utf-8", "iso-8859-7", "windows-1253"];

/// xorshift: deterministic, fast, good enough for filler.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n + 8);
        while v.len() < n {
            v.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        v.truncate(n);
        v
    }
}

pub fn encode_charset(text: &str, charset: &str) -> Vec<u8> {
    match charset {
        "utf-8" => text.as_bytes().to_vec(),
        other => {
            let enc =
                encoding_rs::Encoding::for_label(other.as_bytes()).unwrap_or(encoding_rs::UTF_8);
            enc.encode(text).0.into_owned()
        }
    }
}

pub fn base64(data: &[u8], wrap: bool) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 4);
    let mut line = 0;
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
        line += 4;
        if wrap && line >= 76 {
            out.extend_from_slice(b"\r\n");
            line = 0;
        }
    }
    if wrap && line > 0 {
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn quoted_printable(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 3);
    let mut line = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'\n' {
            out.extend_from_slice(b"\r\n");
            line = 0;
            i += 1;
            continue;
        }
        let piece: Vec<u8> = if (b == b' ' || b == b'\t')
            && data.get(i + 1).is_none_or(|&n| n == b'\n')
            || b == b'='
            || !(32..127).contains(&b) && b != b'\t'
        {
            format!("={b:02X}").into_bytes()
        } else {
            vec![b]
        };
        if line + piece.len() > 75 {
            out.extend_from_slice(b"=\r\n");
            line = 0;
        }
        line += piece.len();
        out.extend_from_slice(&piece);
        i += 1;
    }
    out
}

fn encoded_word(text: &str, charset: &str) -> String {
    let b = base64(&encode_charset(text, charset), false);
    format!("=?{charset}?B?{}?=", String::from_utf8_lossy(&b))
}

fn sentence(rng: &mut Rng) -> String {
    let n = 6 + rng.below(10) as usize;
    let mut s: Vec<&str> = (0..n)
        .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
        .collect();
    s.push(".");
    s.join(" ")
}

fn greek_text(rng: &mut Rng, approx_chars: usize) -> String {
    let mut t = String::new();
    while t.chars().count() < approx_chars {
        t.push_str(&sentence(rng));
        t.push(if rng.below(4) == 0 { '\n' } else { ' ' });
    }
    t.push('\n');
    t
}

/// One typical message, the same bytes for the same `i`. About 20–200 KB.
pub fn typical(i: u64) -> Vec<u8> {
    let mut rng = Rng::new(i + 1);
    let target = 20_000 + rng.below(180_000) as usize;
    let charset = CHARSETS[(i % CHARSETS.len() as u64) as usize];
    let name = NAMES[rng.below(NAMES.len() as u64) as usize];
    let subject = format!("{} #{i}", sentence(&mut rng));
    let text_chars = 1_500 + rng.below(4_000) as usize;
    let text = greek_text(&mut rng, text_chars);
    let html = format!(
        "<html><body><p>{}</p></body></html>",
        text.replace('\n', "</p><p>")
    );
    let variant = i % 3;
    let day = 1 + (i % 28);
    let mut m = Vec::with_capacity(target + 4096);
    m.extend_from_slice(
        format!(
            "Return-Path: <sender{i}@example.gr>\r\n\
             Received: from mx.example.gr (mx.example.gr [192.0.2.1])\r\n\tby mail.example.test with ESMTPS id {i:x}\r\n\
             \tfor <crm@example.test>; Mon, {day:02} Apr 2024 10:00:00 +0300\r\n\
             From: {} <Sender{i}@Example.GR>\r\n\
             To: crm@example.test\r\n\
             Cc: {} <office@bellsystems.gr>\r\n\
             Subject: {}\r\n\
             Date: Mon, {day:02} Apr 2024 10:{:02}:00 +0300\r\n\
             Message-ID: <bench-{i}@example.gr>\r\n\
             MIME-Version: 1.0\r\n",
            encoded_word(name, charset),
            encoded_word("Γραφείο", charset),
            encoded_word(&subject, charset),
            i % 60,
        )
        .as_bytes(),
    );
    let text_part = |m: &mut Vec<u8>, subtype: &str, body: &str| {
        let bytes = encode_charset(body, charset);
        if charset == "utf-8" {
            m.extend_from_slice(
                format!(
                    "Content-Type: text/{subtype}; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                )
                .as_bytes(),
            );
            m.extend_from_slice(&base64(&bytes, true));
        } else {
            m.extend_from_slice(
                format!(
                    "Content-Type: text/{subtype}; charset={charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                )
                .as_bytes(),
            );
            m.extend_from_slice(&quoted_printable(&bytes));
            m.extend_from_slice(b"\r\n");
        }
    };
    let alternative = |m: &mut Vec<u8>, b: &str| {
        m.extend_from_slice(
            format!("Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n")
                .as_bytes(),
        );
        text_part(m, "plain", &text);
        m.extend_from_slice(format!("--{b}\r\n").as_bytes());
        text_part(m, "html", &html);
        m.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    };
    if variant == 0 && target < 60_000 {
        // text + html only; pad the text to the target size
        let padded = greek_text(&mut rng, target / 4);
        let b = format!("alt{i}");
        m.extend_from_slice(
            format!("Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n")
                .as_bytes(),
        );
        text_part(&mut m, "plain", &padded);
        m.extend_from_slice(format!("--{b}\r\n").as_bytes());
        text_part(&mut m, "html", &html);
        m.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        return m;
    }
    let mixed = format!("mix{i}");
    m.extend_from_slice(
        format!(
            "Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\n\r\nThis is a MIME message.\r\n--{mixed}\r\n"
        )
        .as_bytes(),
    );
    alternative(&mut m, &format!("alt{i}"));
    let mut k = 0;
    while m.len() + 200 < target {
        k += 1;
        let left = target - m.len();
        let size = ((left * 3 / 4).min(60_000 + rng.below(60_000) as usize)).max(100);
        let (ct, ext) = match rng.below(3) {
            0 => ("image/jpeg", "jpg"),
            1 => ("application/pdf", "pdf"),
            _ => ("image/png", "png"),
        };
        let fname = format!("Φωτογραφία {k}.{ext}");
        let enc: String = fname
            .as_bytes()
            .iter()
            .map(|b| {
                if b.is_ascii_alphanumeric() || *b == b'.' {
                    (*b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        m.extend_from_slice(
            format!(
                "--{mixed}\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename*=utf-8''{enc}\r\n\r\n"
            )
            .as_bytes(),
        );
        let data = rng.bytes(size);
        m.extend_from_slice(&base64(&data, true));
    }
    m.extend_from_slice(format!("--{mixed}--\r\n").as_bytes());
    m
}

/// A small message (a few KB) with a unique Message-ID `<{tag}-{i}@example.test>`.
pub fn small(tag: &str, i: u64) -> Vec<u8> {
    let mut rng = Rng::new(i + 7);
    let text = greek_text(&mut rng, 300);
    format!(
        "From: {} <Sender{i}@Example.GR>\r\nTo: crm@example.test\r\nSubject: {}\r\n\
         Date: Tue, 02 Apr 2024 10:00:00 +0300\r\nMessage-ID: <{tag}-{i}@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}",
        encoded_word(NAMES[(i % NAMES.len() as u64) as usize], "iso-8859-7"),
        encoded_word(&format!("Μήνυμα {i}"), "windows-1253"),
        text.replace('\n', "\r\n"),
    )
    .into_bytes()
}

/// A small message plus a base64 attachment of `attachment` pseudo-random bytes, with the
/// Message-ID `<{tag}-{i}@example.test>`.
pub fn sized(tag: &str, i: u64, attachment: usize) -> Vec<u8> {
    let mut rng = Rng::new(i + 11);
    let b = format!("sized{i}");
    let mut m = format!(
        "From: Sender <sender{i}@example.gr>\r\nTo: crm@example.test\r\nSubject: {}\r\n\
         Date: Tue, 02 Apr 2024 10:00:00 +0300\r\nMessage-ID: <{tag}-{i}@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n\
         --{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\
         --{b}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"data{i}.bin\"\r\n\r\n",
        encoded_word(&format!("Μήνυμα {i}"), "utf-8"),
        sentence(&mut rng),
    )
    .into_bytes();
    m.extend_from_slice(&base64(&rng.bytes(attachment), true));
    m.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    m
}

/// Writes `typical(0..n)` straight into a Maildir++ folder's `new/` (far faster than `n`
/// APPENDs), owned like the folder; Dovecot indexes them on the next SELECT. Answers the
/// bytes written.
///
/// # Errors
///
/// When `dir` is not a Maildir++ folder or a file cannot be written, moved or given the
/// folder's owner.
pub fn write_maildir(dir: &std::path::Path, n: u64) -> std::io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir)?;
    let mut bytes = 0u64;
    for i in 0..n {
        let raw = typical(i);
        bytes += raw.len() as u64;
        let tmp = dir.join("tmp").join(format!("{i}.bench"));
        std::fs::write(&tmp, &raw)?;
        std::os::unix::fs::chown(&tmp, Some(meta.uid()), Some(meta.gid()))?;
        std::fs::rename(
            &tmp,
            dir.join("new").join(format!("1700000000.M{i}P1.bench")),
        )?;
    }
    Ok(bytes)
}
