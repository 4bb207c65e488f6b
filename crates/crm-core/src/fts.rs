//! Greek-aware full-text keys: text for an FTS5 index, and user queries turned into `MATCH`
//! expressions. Shared by every context that searches text (customers, comms).
//!
//! Pure functions, no SQL: [`index_text`] builds what a context stores in its FTS5 table,
//! [`match_expression`] turns what a user typed into a safe `MATCH` expression, and the same
//! word transform is applied on both sides, so that whatever a Greek speaker could type for a
//! word meets the indexed form of that word.
//!
//! # Words
//!
//! Text is folded (NFKD, combining marks dropped, lower case, `ς` → `σ`) and split into words:
//! maximal runs of alphanumeric characters. Everything else — quotes, `*`, `:`, `^`,
//! parentheses, `-`, `@` — only separates words, so FTS5 syntax in a query is never parsed as
//! syntax, and `NEAR`/`AND`/`OR`/`NOT` are plain words (every word is quoted in the `MATCH`).
//!
//! # The key of a word
//!
//! Every word is reduced to a *key*, a Latin skeleton in which the usual ways of writing one
//! Greek word coincide (`Μπίμπης`, `ΜΠΙΜΠΗΣ`, `μπιμπης`, `mpimpis`, `bibis` → `bibis`).
//! It is computed in two stages.
//!
//! 1. Greek letters become Latin, one letter at a time (ELOT 743, simplified):
//!    α a, β v, γ g, δ d, ε e, ζ z, η i, θ th, ι i, κ k, λ l, μ m, ν n, ξ ks, ο o, π p, ρ r,
//!    σ/ς s, τ t, υ y (but v after α, ε, η: αυ av, ευ ev — unless υ has a dialytika, as in
//!    Ταΰγετος), φ f, χ h, ψ ps, ω o. Greek digraphs need no rule here: they come out as the
//!    Latin digraphs of stage 2 (μπ → mp, ντ → nt, γκ → gk, ου → oy, αι → ai, ει → ei, …).
//! 2. Latin rules, the *only* place where spellings are merged, applied left to right:
//!    `mp`/`mb` → b, `nt`/`nd` → d, `gi`/`yi`/`ghi` before a vowel → j (aghios), else
//!    `gg`/`gk`/`ng`/`gh` → g; and
//!    a word-initial `y` before a vowel → j (Γιώργος, Giorgos, Yiorgos → jorgos;
//!    Άγιος, agios, ayios → ajos), `ou`/`oy` → u, `ai` → e, `ei`/`oi`/`yi` → i,
//!    `au` → av, `eu` → ev, `ch`/`kh` → h, `ph` → f, `dh` → d, `th` stays, `x` → ks, `w` → o,
//!    `y` → i, `c`/`q` → k; an `f` after `a` or `e` becomes `v` (αφ/αυ, Στέφανος/Stevanos);
//!    a letter repeated is written once (Παππάς → papas). Digits pass unchanged and are
//!    never collapsed (phone numbers).
//!
//! Because Greek text reaches the key only through the Latin rules, Greek and Greeklish
//! meet by construction: `Δημήτρης` → dimitris, `Χρήστος` → hristos, `Θοδωρής` → thodoris,
//! `Παπαδόπουλος` → papadopulos, `Άγιος Νικόλαος` → ajos nikolaos.
//!
//! # Query-time variants
//!
//! Some Latin letters typed by a person stand for different Greek letters; the query tries
//! each reading of a letter the user typed in Latin (up to [`MAX_VARIANTS`] per word):
//! `h` → h or i (η, also after a consonant: `dhmhtrhs` is δημητρης, `thlefwno` τηλέφωνο;
//! `hristos`), `x` → ks or h
//! (`xristos`), `b` → b or v (μπ or β), `u` not after a, e, o → u or i (υ).
//!
//! Every query word is a prefix (search as you type). A word that ends half-way through a
//! digraph also tries the digraph's key: a final `m` → b (`μπιμ` finds `Μπίμπης`), `n` → d
//! and g, `g`/`gi`/`y` → j, `o` → u and i, `a` → e, `e` → i, `c`/`k` → h, `p` → f.
//!
//! # Inflection
//!
//! People type the nominative (`Άγιος Νικόλαος`, `agios nikolaos`); names are stored in the
//! genitive (`Ιερός Ναός Αγίου Νικολάου`). So a whole query word also stands for its other
//! forms, decided on keys (so Greek and every Greeklish spelling behave alike, and the index
//! holds nothing more than the keys):
//!
//! - The [`ENDINGS`] are those of Greek nouns, adjectives and names in key form:
//!   `a e i o u as es is os us on` (-α -ε/-αι -η/-ι/-οι/-ει -ο/-ω -ου -ας -ες -ης/-ις -ος
//!   -ους -ον/-ων), the same after ι: `ia ie io iu ias ies ios ius ion`, and `eos eon`
//!   (-εως -εων: `Κοιμήσεως` ↔ `Κοίμηση`).
//! - A *stem* of a key is what is left after one ending it ends with, when that is at least
//!   [`MIN_STEM_CHARS`] (2) characters with a vowel among them, and the key has no digit.
//!   A key may have several stems (`dimitrios` → `dimitri`, `dimitr`).
//! - A query word of at least [`MIN_INFLECTED_LETTERS`] (4) letters, as typed, also
//!   matches any indexed key that is one of its stems followed by any ending (its
//!   [`inflections`]), as a whole key, not a prefix. Shorter words are prefixes only (`αγ`,
//!   `nik`, `agi` as before).
//!
//! So `ajos` (Άγιος, agios, ayios, aghios) has the stem `aj` and meets `aju` (Αγίου, agiou),
//! `aja`, `ajas`, `ajon`, `aji` (Αγία, Αγίας, Αγίων, Άγιοι) and back; `nikolaos` ↔ `nikolau`,
//! `paraskevi` ↔ `paraskevis`, `ieros` ↔ `ieru` ↔ `iera`, `naos` ↔ `nau`, `dimitris` ↔
//! `dimitriu`, `georjos` ↔ `georju`. Two words are forms of each other exactly when their
//! keys are one stem followed by two endings; a longer word is not (`αγιος` finds neither
//! `Άγγελος`, `agelos`, nor `Αγιάννης`, `ajanis`; `nikolaos` not `Νικολαΐδης`; `Παρασκευή`
//! not `Παρασκευόπουλος`), and since a stem keeps a vowel and an ending is never empty,
//! `Θεός` does not find `θα`, nor `ναός` `να`.
//!
//! False positives accepted: words that differ only in their ending, whatever their gender
//! or meaning — `Νίκος` finds `Νίκη` and `Νίκα`, `Πέτρος` `Πέτρα`, `Ιωάννης` `Ιωάννα`,
//! `Μάριος` `Μαρία`, `Ηλίας` `Ήλιος`; a key with the `eos` ending also tries the shorter stem
//! (`Ματθαίος` → `math…`, so `Μάθη` too). Forms that change more than their ending are not
//! found (`Γιώργος` ↔ `Γεώργιος`, `-άδες` plurals, stress-shifting third declension words
//! other than -εως/-ων).
//!
//! # Expressions and ranking
//!
//! A word's [`Group`] has its prefixes (its spellings, each also completed) and its
//! inflections (whole keys). The alternatives of one word are OR-ed, the words AND-ed:
//! `agios nik` → `("ajos"* OR "aja" OR … OR "aju" OR …) AND ("nik"* OR "nih"*)`. A query
//! without any word is no search at all. Ranking tiers ([`tier_expression`]): hits with every
//! word whole as typed first (`Άγιος Νικόλαος` for `agios nikolaos`), then every word whole in
//! some form (`Αγίου Νικολάου`), then the rest (longer words: `Αγιοσύνη` for `agios`); the
//! last word may always be a prefix, being typed. Within a tier, the context's own order
//! (customers: bm25 with column weights).
//!

use std::cell::RefCell;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// At most this many spellings are tried for one query word.
pub const MAX_VARIANTS: usize = 16;
/// Query words after this many are ignored.
pub const MAX_QUERY_WORDS: usize = 12;
/// Longer query words are cut to this many characters.
pub const MAX_WORD_CHARS: usize = 64;

/// Greek υ with a dialytika (ϋ): kept apart from υ so that αϋ is not read as αυ.
const UPSILON_DIALYTIKA: char = 'ϋ';

/// The folded words of `s`, keeping a dialytika on υ as `ϋ`.
fn words(s: &str) -> Vec<Vec<char>> {
    let mut folded: Vec<char> = Vec::with_capacity(s.len());
    for c in s.nfkd() {
        if c == '\u{308}' && matches!(folded.last(), Some('υ')) {
            if let Some(last) = folded.last_mut() {
                *last = UPSILON_DIALYTIKA;
            }
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        for l in c.to_lowercase() {
            folded.push(if l == 'ς' { 'σ' } else { l });
        }
    }
    folded
        .split(|c| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(<[char]>::to_vec)
        .collect()
}

/// One character of a word after stage 1, and whether the user typed it in Latin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ch {
    c: char,
    latin: bool,
}

/// Stage 1: Greek letters to Latin.
fn transliterate(word: &[char]) -> Vec<Ch> {
    let mut out = Vec::with_capacity(word.len() + 2);
    let greek = |s: &str, out: &mut Vec<Ch>| {
        out.extend(s.chars().map(|c| Ch { c, latin: false }));
    };
    for (i, &c) in word.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| word.get(p)).copied();
        match c {
            'α' => greek("a", &mut out),
            'β' => greek("v", &mut out),
            'γ' => greek("g", &mut out),
            'δ' => greek("d", &mut out),
            'ε' => greek("e", &mut out),
            'ζ' => greek("z", &mut out),
            'η' => greek("i", &mut out),
            'θ' => greek("th", &mut out),
            'ι' => greek("i", &mut out),
            'κ' => greek("k", &mut out),
            'λ' => greek("l", &mut out),
            'μ' => greek("m", &mut out),
            'ν' => greek("n", &mut out),
            'ξ' => greek("ks", &mut out),
            'ο' => greek("o", &mut out),
            'π' => greek("p", &mut out),
            'ρ' => greek("r", &mut out),
            'σ' | 'ς' => greek("s", &mut out),
            'τ' => greek("t", &mut out),
            'υ' if matches!(prev, Some('α' | 'ε' | 'η')) => greek("v", &mut out),
            'υ' | UPSILON_DIALYTIKA => greek("y", &mut out),
            'φ' => greek("f", &mut out),
            'χ' => greek("h", &mut out),
            'ψ' => greek("ps", &mut out),
            'ω' => greek("o", &mut out),
            c => out.push(Ch {
                c,
                latin: c.is_ascii_alphabetic(),
            }),
        }
    }
    out
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'o' | 'u' | 'w' | 'y')
}

/// Stage 2: the Latin rules, giving the key.
fn latin_key(s: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last: Option<char> = None;
    let mut push = |e: char, out: &mut String| {
        let e = if e == 'f' && matches!(last, Some('a' | 'e')) {
            'v'
        } else {
            e
        };
        if e.is_alphabetic() && last == Some(e) {
            return;
        }
        out.push(e);
        last = Some(e);
    };
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        let next = s.get(i + 1).copied();
        let vowel_after_next = s.get(i + 2).is_some_and(|&v| is_vowel(v));
        let (emit, used): (&str, usize) = match (c, next) {
            ('m', Some('p' | 'b')) => ("b", 2),
            ('n', Some('t' | 'd')) => ("d", 2),
            // Greeklish `ghi` before a vowel is γι: aghios, aghiou
            ('g', Some('h'))
                if s.get(i + 2) == Some(&'i') && s.get(i + 3).is_some_and(|&v| is_vowel(v)) =>
            {
                ("j", 3)
            }
            ('n', Some('g')) | ('g', Some('g' | 'k' | 'h')) => ("g", 2),
            ('g' | 'y', Some('i')) if vowel_after_next => ("j", 2),
            ('y', Some(v)) if i == 0 && is_vowel(v) && v != 'y' => ("j", 1),
            ('o', Some('u' | 'y')) => ("u", 2),
            ('a', Some('i')) => ("e", 2),
            ('e' | 'o' | 'y', Some('i')) => ("i", 2),
            ('a', Some('u')) => ("av", 2),
            ('e', Some('u')) => ("ev", 2),
            ('c' | 'k', Some('h')) => ("h", 2),
            ('p', Some('h')) => ("f", 2),
            ('d', Some('h')) => ("d", 2),
            ('t', Some('h')) => ("th", 2),
            ('x', _) => ("ks", 1),
            ('w', _) => ("o", 1),
            ('y', _) => ("i", 1),
            ('c' | 'q', _) => ("k", 1),
            _ => {
                push(c, &mut out);
                i += 1;
                continue;
            }
        };
        for e in emit.chars() {
            push(e, &mut out);
        }
        i += used;
    }
    out
}

fn plain(chs: &[Ch]) -> Vec<char> {
    chs.iter().map(|ch| ch.c).collect()
}

/// The key of one word, as indexed.
pub fn key(word: &str) -> String {
    words(word)
        .iter()
        .map(|w| latin_key(&plain(&transliterate(w))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The keys of all words of `text`, space separated: what goes into an index column.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_index_text(&mut out, text);
    out
}

/// Appends the keys of the words of `text` to `out`, space separated.
///
/// Text is cut at characters that can be in no word first, and the keys of those pieces are
/// remembered per thread (up to [`KEY_CACHE_MAX`]): messages repeat their vocabulary, and a
/// key costs a Unicode decomposition and several allocations. The result is that of keying
/// the whole text at once.
pub fn push_index_text(out: &mut String, text: &str) {
    let pieces = text
        .split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
        .filter(|p| !p.is_empty());
    KEYS.with_borrow_mut(|cache| {
        for piece in pieces {
            let key = match cache.get(piece) {
                Some(key) => key,
                None => {
                    if cache.len() >= KEY_CACHE_MAX {
                        cache.clear();
                    }
                    let key = words(piece)
                        .iter()
                        .map(|w| latin_key(&plain(&transliterate(w))))
                        .collect::<Vec<_>>()
                        .join(" ");
                    cache.entry(piece.to_owned()).or_insert(key)
                }
            };
            if key.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(key);
        }
    });
}

/// Most raw words whose keys a thread remembers.
pub const KEY_CACHE_MAX: usize = 50_000;

thread_local! {
    static KEYS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Alternatives a typed word may stand for, before the Latin rules.
fn spellings(word: &[Ch]) -> Vec<Vec<char>> {
    let mut variants: Vec<Vec<char>> = vec![Vec::with_capacity(word.len())];
    for (i, ch) in word.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| word.get(p)).map(|p| p.c);
        let readings: &[char] = match ch.c {
            'h' if ch.latin => &['h', 'i'],
            'x' if ch.latin => &['x', 'h'],
            'b' if ch.latin => &['b', 'v'],
            'u' if ch.latin && !matches!(prev, Some('a' | 'e' | 'o')) => &['u', 'i'],
            _ => &[],
        };
        if readings.len() > 1 && variants.len() * readings.len() <= MAX_VARIANTS {
            variants = variants
                .into_iter()
                .flat_map(|v| {
                    readings.iter().map(move |&r| {
                        let mut v = v.clone();
                        v.push(r);
                        v
                    })
                })
                .collect();
        } else {
            for v in &mut variants {
                v.push(ch.c);
            }
        }
    }
    variants
}

/// What a word cut short may continue with: (letters to append, key characters to drop).
fn completions(word: &[char]) -> &'static [(&'static str, usize)] {
    let n = word.len();
    let last2 = (
        n.checked_sub(2).and_then(|i| word.get(i)).copied(),
        word.last().copied(),
    );
    match last2 {
        (Some('g' | 'y'), Some('i')) => &[("o", 1)],
        (_, Some('m')) => &[("p", 0)],
        (_, Some('n')) => &[("t", 0), ("g", 0)],
        (_, Some('g')) => &[("io", 1)],
        (_, Some('y')) => &[("o", 1)],
        (_, Some('o')) => &[("u", 0), ("i", 0)],
        (_, Some('a')) => &[("i", 0)],
        (_, Some('e')) => &[("i", 0)],
        (_, Some('c' | 'k')) => &[("h", 0)],
        (_, Some('p')) => &[("h", 0)],
        _ => &[],
    }
}

/// The keys a typed word may be the prefix of: its spellings, each also completed.
pub fn query_keys(word: &str) -> Vec<String> {
    words(word)
        .iter()
        .flat_map(|w| word_group(w).prefixes)
        .fold(Vec::new(), |mut keys, k| {
            if !keys.contains(&k) {
                keys.push(k);
            }
            keys
        })
}

/// Endings of Greek nouns, adjectives and names, in key form (see the module doc).
pub const ENDINGS: &[&str] = &[
    "a", "e", "i", "o", "u", "as", "es", "is", "os", "us", "on", "ia", "ie", "io", "iu", "ias",
    "ies", "ios", "ius", "ion", "eos", "eon",
];

/// A stem keeps at least this many characters, one of them a vowel.
pub const MIN_STEM_CHARS: usize = 2;

/// Query words with fewer letters (as typed) stand for no inflection.
pub const MIN_INFLECTED_LETTERS: usize = 4;

/// At most this many inflections are tried for one query word.
pub const MAX_INFLECTIONS: usize = 128;

/// The stems of a key: what is left after each of the [`ENDINGS`] it ends with, when that
/// is at least [`MIN_STEM_CHARS`] characters with a vowel among them. None for a key with a
/// digit.
pub fn stems(key: &str) -> Vec<&str> {
    if key.chars().any(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    ENDINGS
        .iter()
        .filter_map(|e| key.strip_suffix(e))
        .filter(|stem| {
            stem.chars().count() >= MIN_STEM_CHARS
                && stem
                    .chars()
                    .any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'))
        })
        .collect()
}

/// The keys inflected like `key`: each of its [`stems`] followed by each of the [`ENDINGS`]
/// (`ajos` → `aja`, `ajas`, `aju`, `ajon`, …). Empty when the key has no stem.
pub fn inflections(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for stem in stems(key) {
        for e in ENDINGS {
            let k = format!("{stem}{e}");
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// What one query word matches: a key it is the beginning of, or a whole key that is an
/// inflection of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Keys the word may be the beginning of: its spellings, each also completed (search
    /// as you type).
    pub prefixes: Vec<String>,
    /// The word's own keys, whole: one per spelling (also the first prefixes). Matching
    /// needs no more than the prefixes; the ranking asks for these whole.
    pub spellings: Vec<String>,
    /// Whole keys of the other forms of the word: for a word of at least
    /// [`MIN_INFLECTED_LETTERS`] letters, the [`inflections`] of its spellings that are not
    /// spellings themselves (at most [`MAX_INFLECTIONS`]).
    pub inflections: Vec<String>,
}

impl Group {
    /// Whether a text with these keys (sorted, without duplicates) has a key this group
    /// matches: one starting with a prefix, or one equal to an inflection.
    pub fn matches_keys<K: AsRef<str>>(&self, keys: &[K]) -> bool {
        self.prefixes.iter().any(|p| {
            // the keys starting with `p` come first among those >= `p`
            let from = keys.partition_point(|k| k.as_ref() < p.as_str());
            keys.get(from)
                .is_some_and(|k| k.as_ref().starts_with(p.as_str()))
        }) || self.inflections.iter().any(|w| {
            keys.binary_search_by(|k| k.as_ref().cmp(w.as_str()))
                .is_ok()
        })
    }
}

fn word_group(w: &[char]) -> Group {
    let w: Vec<char> = w.iter().copied().take(MAX_WORD_CHARS).collect();
    let mut g = Group::default();
    let add = |k: String, keys: &mut Vec<String>| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    let spellings = spellings(&transliterate(&w));
    for spelling in &spellings {
        let key = latin_key(spelling);
        add(key.clone(), &mut g.prefixes);
        add(key, &mut g.spellings);
        for (append, drop) in completions(spelling) {
            let mut longer = spelling.clone();
            longer.extend(append.chars());
            let mut k: Vec<char> = latin_key(&longer).chars().collect();
            k.truncate(k.len().saturating_sub(*drop));
            add(k.into_iter().collect(), &mut g.prefixes);
        }
    }
    if w.len() >= MIN_INFLECTED_LETTERS {
        for spelling in &g.spellings {
            for k in inflections(spelling) {
                if g.inflections.len() >= MAX_INFLECTIONS {
                    break;
                }
                if !g.spellings.contains(&k) && !g.inflections.contains(&k) {
                    g.inflections.push(k);
                }
            }
        }
    }
    g
}

/// The [`Group`] of each word of `query` (at most [`MAX_QUERY_WORDS`] words).
pub fn query_groups(query: &str) -> Vec<Group> {
    words(query)
        .iter()
        .take(MAX_QUERY_WORDS)
        .map(|w| word_group(w))
        .filter(|g| !g.prefixes.is_empty())
        .collect()
}

fn or_terms<'a>(prefixes: &'a [String], whole: impl Iterator<Item = &'a String>) -> String {
    let alternatives: Vec<String> = prefixes
        .iter()
        .map(|k| format!("{}*", quote(k)))
        .chain(whole.map(|k| quote(k)))
        .collect();
    format!("({})", alternatives.join(" OR "))
}

/// The `MATCH` expression for groups: each group's prefixes (quoted, with `*`) and
/// inflections (quoted) OR-ed, the groups AND-ed. `None` for no group.
pub fn match_groups(groups: &[Group]) -> Option<String> {
    if groups.is_empty() {
        return None;
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|g| or_terms(&g.prefixes, g.inflections.iter()))
        .collect();
    Some(parts.join(" AND "))
}

/// The `MATCH` expression for words typed by a user, or `None` when there is no word.
pub fn match_expression(query: &str) -> Option<String> {
    match_groups(&query_groups(query))
}

/// How closely a hit matches what was typed: the tiers of the ranking (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Every word whole, as typed (any of its spellings).
    AsTyped,
    /// Every word whole, as typed or in another form.
    AnyForm,
}

/// The `MATCH` expression for the hits of [`match_groups`] in a [`Tier`]: every group but
/// the last by whole keys only (its spellings, and for [`Tier::AnyForm`] its inflections);
/// the last group also by its prefixes, since it may be the word being typed. `None` for no
/// group.
pub fn tier_expression(groups: &[Group], tier: Tier) -> Option<String> {
    let (last, rest) = groups.split_last()?;
    let whole = |g: &'_ Group| -> Vec<String> {
        match tier {
            Tier::AsTyped => g.spellings.clone(),
            Tier::AnyForm => g.spellings.iter().chain(&g.inflections).cloned().collect(),
        }
    };
    let mut parts: Vec<String> = rest
        .iter()
        .map(|g| or_terms(&[], whole(g).iter()))
        .collect();
    parts.push(or_terms(&last.prefixes, whole(last).iter()));
    Some(parts.join(" AND "))
}

/// An FTS5 string: in double quotes, inner quotes doubled.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(index_text(input), expected, "key of `{input}`");
    }

    #[test]
    fn keys_of_greek_and_greeklish_meet() {
        let table: &[(&str, &str)] = &[
            ("Μπίμπης", "bibis"),
            ("ΜΠΙΜΠΗΣ", "bibis"),
            ("μπιμπης", "bibis"),
            ("mpimpis", "bibis"),
            ("bibis", "bibis"),
            ("Άγιος Νικόλαος", "ajos nikolaos"),
            ("agios nikolaos", "ajos nikolaos"),
            ("ayios nikolaos", "ajos nikolaos"),
            ("Αγίου Νικολάου", "aju nikolau"),
            ("agiou nikolaou", "aju nikolau"),
            ("Παπαδόπουλος", "papadopulos"),
            ("papadopoulos", "papadopulos"),
            ("Γιώργος", "jorgos"),
            ("giorgos", "jorgos"),
            ("yiorgos", "jorgos"),
            ("giwrgos", "jorgos"),
            ("Γεώργιος", "georjos"),
            ("georgios", "georjos"),
            ("Χρήστος", "hristos"),
            ("christos", "hristos"),
            ("Θοδωρής", "thodoris"),
            ("thodoris", "thodoris"),
            ("Βασίλης", "vasilis"),
            ("vasilis", "vasilis"),
            ("Δημήτρης", "dimitris"),
            ("dimitris", "dimitris"),
            ("Παρασκευής", "paraskevis"),
            ("paraskeuis", "paraskevis"),
            ("Στέφανος", "stevanos"),
            ("stefanos", "stevanos"),
            ("Παππάς", "papas"),
            ("Ταΰγετος", "taigetos"),
            ("taygetos", "taigetos"),
            ("Αντώνης", "adonis"),
            ("antonis", "adonis"),
            ("Άγγελος", "agelos"),
            ("aggelos", "agelos"),
            ("angelos", "agelos"),
            ("Γιάννης", "janis"),
            ("yannis", "janis"),
            ("Ξανθή", "ksadhi"), // νθ meets ντ: harmless, both sides agree
            ("xanthi", "ksadhi"),
            ("Ψαράς", "psaras"),
            ("Ιερός Ναός", "ieros naos"),
            ("aghios", "ajos"),
            ("aghiou", "aju"),
            ("Αγίας Αγίων", "ajas ajon"),
            ("Αγχίαλος", "ajalos"), // γχι before a vowel meets Greeklish ghi: harmless
            ("g.papadopoulos@gmail.com", "g papadopulos gmel kom"),
            ("Müller", "muler"),
            ("6912233445", "6912233445"),
            ("Ναός \"Αγ.\" (NEAR) *:^", "naos ag near"),
            ("", ""),
        ];
        for (input, expected) in table {
            check(input, expected);
        }
    }

    fn check_query(input: &str, must_contain: &[&str]) {
        let keys = query_keys(input);
        for k in must_contain {
            assert!(
                keys.iter().any(|q| q == k),
                "`{input}` → {keys:?} lacks {k}"
            );
        }
        assert!(keys.len() <= MAX_VARIANTS * 3, "{input}: {keys:?}");
    }

    #[test]
    fn query_words_try_every_reading_and_complete_digraphs() {
        let table: &[(&str, &[&str])] = &[
            ("dhmhtrhs", &["dimitris"]),
            ("hristos", &["hristos"]),
            ("xristos", &["hristos"]),
            ("bibis", &["bibis"]),
            ("basilis", &["vasilis"]),
            ("dionusis", &["dionisis"]),
            ("μπιμ", &["bim", "bib"]),
            ("mpim", &["bib"]),
            ("αγ", &["ag", "aj"]),
            ("agi", &["aj"]),
            ("παπαδοπο", &["papadopu"]),
            ("ντ", &["d"]),
            ("αν", &["ad", "ag"]),
            ("γιαννη", &["jani"]),
            ("χ", &["h"]),
        ];
        for (input, keys) in table {
            check_query(input, keys);
        }
    }

    #[test]
    fn variants_are_bounded() {
        let keys = query_keys("hhhhhhhhhhhhhhhhhhhhhhhxxxxxxxxxbbbbbbbbbuuuuuu");
        assert!(keys.len() <= MAX_VARIANTS * 3);
    }

    #[test]
    fn match_expressions_quote_every_word_and_drop_syntax() {
        assert_eq!(match_expression(""), None);
        assert_eq!(match_expression("  \"*:^()  -- "), None);
        assert_eq!(
            match_expression("nik AND"),
            Some(r#"("nik"* OR "nih"*) AND ("ad"*)"#.to_owned())
        );
        let e = match_expression("bibis NEAR(\"x\")").unwrap();
        assert!(e.contains("\"near\"*"), "{e}");
        assert!(!e.contains("NEAR("), "{e}");
        // a whole word also tries its inflections, as whole keys
        let e = match_expression("naos").unwrap();
        assert!(e.starts_with(r#"("naos"* OR "naa" OR "nae""#), "{e}");
        assert!(e.contains(r#" OR "nau" OR "#), "{e}");
    }

    /// Whether `text` is found by `query`, by the rule both stores apply.
    fn hits(query: &str, text: &str) -> bool {
        let mut keys: Vec<String> = index_text(text).split(' ').map(str::to_owned).collect();
        keys.sort();
        keys.dedup();
        let groups = query_groups(query);
        !groups.is_empty() && groups.iter().all(|g| g.matches_keys(&keys))
    }

    #[test]
    fn nominative_genitive_and_greeklish_forms_find_each_other() {
        let parish = "Ιερός Ναός Αγίου Νικολάου";
        let table: &[(&str, &str)] = &[
            // the README's example, and what a Greek office types
            ("agios nik", parish),
            ("agios nikolaos", parish),
            ("Άγιος Νικόλαος", parish),
            ("ΑΓΙΟΣ ΝΙΚΟΛΑΟΣ", parish),
            ("nikolaos", parish),
            ("ayios nikolaos", parish),
            ("aghios nikolaos", parish),
            ("agiou nikolaou", parish),
            ("Αγίου Νικολάου", "Άγιος Νικόλαος"),
            ("agiou nikolaou", "Άγιος Νικόλαος"),
            ("aghiou nikolaou", "Άγιος Νικόλαος"),
            ("Νικόλαο", parish),
            ("Παρασκευή", "Ενορία Αγίας Παρασκευής"),
            ("Παρασκευής", "Αγία Παρασκευή"),
            ("paraskevi", "Ιερός Ναός Αγίας Παρασκευής"),
            ("agia paraskevh", "Ιερός Ναός Αγίας Παρασκευής"),
            ("agias paraskevis", "Αγία Παρασκευή"),
            ("Ιερός", "Ιερού Ναού Αγίου Τίτου"),
            ("Ιερού", "Ιερά Μητρόπολη Δράμας"),
            ("Ιερά", "Ιερός Ναός Αγίου Τίτου"),
            ("ieros naos", "Ιερού Ναού Αγίου Τίτου"),
            ("ierou naou", "Ιερός Ναός Αγίου Τίτου"),
            ("Αγίας", "Άγιος Στέφανος"),
            ("Άγιος", "Αγίας Τριάδος"),
            ("Άγιοι Ανάργυροι", "Ιερός Ναός Αγίων Αναργύρων"),
            ("agion anargyron", "Άγιοι Ανάργυροι"),
            ("Αγίων", "Αγία Βαρβάρα"),
            ("Δημήτριος", "Ιερός Ναός Αγίου Δημητρίου"),
            ("dimitris", "Ιερός Ναός Αγίου Δημητρίου"),
            ("Γεώργιος", "Αγίου Γεωργίου"),
            ("georgiou", "Άγιος Γεώργιος"),
            ("Κοίμηση Θεοτόκου", "Ιερός Ναός Κοιμήσεως της Θεοτόκου"),
            ("koimhseos", "Κοίμηση της Θεοτόκου"),
            ("Ναός", "Ιερού Ναού"),
            ("Παπαδάκης", "Οικογένεια Παπαδάκη"),
            // prefixes as before, search as you type
            ("nik", parish),
            ("αγ", parish),
            ("agi", parish),
            ("ιερ να αγ νικ", parish),
            ("nikola", parish),
        ];
        for (query, text) in table {
            assert!(hits(query, text), "`{query}` must find `{text}`");
        }
    }

    #[test]
    fn inflection_does_not_make_everything_match() {
        let table: &[(&str, &str)] = &[
            ("αγιος", "Άγγελος Παπάς"),
            ("agios", "Αγγελική"),
            ("αγιος", "Αγιάννης"),
            ("agiou", "Αγιοσύνη"), // a longer word, not an inflection
            ("nikolaos", "Νικολαΐδης"),
            ("nikolaos", "Νικόλας"),
            ("Νικολάου", "Νικολακόπουλος"),
            ("Παρασκευή", "Παρασκευόπουλος"),
            ("Ιερός", "Ιερισσός"),
            ("Θεός", "θα έρθει"), // stems keep a vowel: not `th`
            ("ναος", "να έρθει"), // `na` + an ending is never `na`
            ("agios nikolaos", "Άγιος Γεώργιος"),
            ("Αγίου Νικολάου", "Ιερός Ναός Αγίου Γεωργίου"),
            ("agi", "Άγων"), // fewer than 4 letters: a prefix, no inflection
            ("Γεώργιος", "Γιώργος"),
        ];
        for (query, text) in table {
            assert!(!hits(query, text), "`{query}` must not find `{text}`");
        }
    }

    #[test]
    fn accepted_false_positives_are_words_that_differ_only_in_their_ending() {
        // the stem rule does not know gender or meaning (see the module doc)
        for (query, text) in [
            ("Νίκος", "Νίκη"),
            ("Πέτρος", "Πέτρα"),
            ("Ιωάννης", "Ιωάννα"),
            ("Ηλίας", "Ήλιος"),
        ] {
            assert!(hits(query, text), "`{query}` finds `{text}`");
        }
    }

    #[test]
    fn stems_keep_a_vowel_and_no_digits() {
        assert_eq!(stems("ajos"), vec!["aj"]);
        assert_eq!(stems("dimitrios"), vec!["dimitri", "dimitr"]);
        assert_eq!(stems("kimiseos"), vec!["kimise", "kimis"]);
        assert_eq!(stems("theos"), vec!["the"]);
        assert!(stems("to").is_empty());
        assert!(stems("6912").is_empty());
        assert!(stems("a1os").is_empty());
        let g = &query_groups("Αγίου")[0];
        assert_eq!(g.spellings, vec!["aju".to_owned()]);
        assert!(g.inflections.contains(&"ajos".to_owned()), "{g:?}");
        assert!(!g.inflections.contains(&"aju".to_owned()), "{g:?}");
        assert!(query_groups("αγι")[0].inflections.is_empty());
        let many = &query_groups("hhhhhhhhhhhhhhhhhhhhhhhxxxxxxxxxbbbbbbbbbuuuuuus")[0];
        assert!(many.inflections.len() <= MAX_INFLECTIONS);
    }
}
