//! Nextcloud WebDAV: the PROPFIND multistatus parser and `DavPath`.

use nextcloud_dav::proto::{DavPath, DavRoot, Listing, ListingReader, parse_multistatus};
use percent_encoding::percent_decode_str;

use crate::chunks;

fn path(s: &str) -> DavPath {
    match DavPath::parse(s) {
        Ok(p) => p,
        Err(e) => panic!("a fixed path is valid: {e}"),
    }
}

fn root(base: &DavPath) -> DavRoot {
    match DavRoot::new("http://127.0.0.1", "", "alice", base) {
        Ok(r) => r,
        Err(e) => panic!("a fixed root is valid: {e}"),
    }
}

/// A PROPFIND answer read as `ListingReader` reads it while it streams in.
fn read(root: &DavRoot, folder: &DavPath, pieces: &[&[u8]]) -> Result<Listing, String> {
    let mut reader = ListingReader::new(root.clone(), folder.clone());
    for piece in pieces {
        reader.push(piece).map_err(|e| e.to_string())?;
    }
    reader.finish().map_err(|e| e.to_string())
}

/// What every listing satisfies: the folder's own entry is the folder, each child is a
/// direct child of it, and every path obeys the rules it would obey as user input.
fn check_listing(listing: &Listing, folder: &DavPath) {
    if let Some(this) = &listing.this {
        assert_eq!(&this.path, folder, "the folder's own entry");
    }
    for child in &listing.children {
        assert_eq!(
            child.path.parent().as_ref(),
            Some(folder),
            "not a direct child"
        );
        assert_eq!(Some(child.name.as_str()), child.path.name());
        assert_eq!(
            DavPath::parse(child.path.as_str()).as_ref(),
            Ok(&child.path)
        );
        if child.is_dir {
            assert_eq!(child.mime_type, None, "folders have no MIME type");
        }
    }
}

/// The multistatus parser on any body, and the listing built from it for three base/folder
/// pairs (those of the Apache and Nextcloud fixtures and the bare root): whole, in uneven
/// pieces and in two halves, the same listing or an error every time.
pub fn dav_multistatus(data: &[u8]) {
    let _ = parse_multistatus(data);
    for (base, folder) in [
        ("", ""),
        ("", "Kunden"),
        ("CRM", "Πελάτες/Γιώργος Παπαδόπουλος"),
    ] {
        let (root, folder) = (root(&path(base)), path(folder));
        let whole = read(&root, &folder, &[data]);
        if let Ok(listing) = &whole {
            check_listing(listing, &folder);
        }
        for (how, pieces) in [
            ("uneven pieces", chunks::uneven(data)),
            ("two halves", chunks::halves(data).to_vec()),
        ] {
            let streamed = read(&root, &folder, &pieces);
            assert_eq!(
                streamed.as_ref().ok(),
                whole.as_ref().ok(),
                "{how}: {streamed:?} vs whole {whole:?}"
            );
        }
    }
}

/// What every accepted segment satisfies, however many times something downstream
/// percent-decodes it: never `.`/`..`, never a `/`, `\`, control or bidi character, always
/// UTF-8, and stable after at most 8 layers.
fn check_segment(segment: &str) {
    let mut current = segment.to_owned();
    for layer in 0..=8 {
        assert!(
            current != "." && current != "..",
            "{segment:?} is {current:?} after {layer} decodings"
        );
        assert!(
            !current.chars().any(|c| c == '\\'
                || c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')),
            "{segment:?} decodes to {current:?}"
        );
        assert!(
            layer == 0 || !current.contains('/'),
            "{segment:?} decodes to {current:?}"
        );
        let decoded = match percent_decode_str(&current).decode_utf8() {
            Ok(d) => d.into_owned(),
            Err(_) => panic!("{segment:?} decodes to invalid UTF-8 after {layer} layers"),
        };
        if decoded == current {
            return;
        }
        current = decoded;
    }
    panic!("{segment:?} still decodes after 8 layers");
}

/// `DavPath::parse` on any string: an accepted path is normalised (parsing it again gives
/// it back), every segment is harmless under any number of decodings, and the path
/// survives the trip to a URL and back. `DavRoot::relative` takes any href without panic.
pub fn dav_path(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let base = root(&DavPath::root());
    let _ = base.relative(input);
    let p = match DavPath::parse(input) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(e.path, input, "the error names the input");
            let _ = e.to_string();
            return;
        }
    };
    let s = p.as_str();
    assert!(s.len() <= nextcloud_dav::proto::MAX_PATH_BYTES);
    assert!(!s.starts_with('/') && !s.ends_with('/') && !s.contains("//"));
    assert_eq!(DavPath::parse(s).as_ref(), Ok(&p), "parse is idempotent");
    let shown = p.to_string();
    assert_eq!(DavPath::parse(&shown).as_ref(), Ok(&p), "{shown}");
    assert_eq!(
        DavPath::root().join(input).as_ref(),
        Ok(&p),
        "join from the root"
    );
    for segment in p.segments() {
        assert!(!segment.is_empty());
        assert!(segment.len() <= nextcloud_dav::proto::MAX_SEGMENT_BYTES);
        check_segment(segment);
    }
    assert_eq!(p.ancestors_and_self().len(), p.segments().count());
    if let (Some(parent), Some(name)) = (p.parent(), p.name()) {
        assert_eq!(parent.join_path(&path(name)), p, "parent/name");
        assert!(p.starts_with(&parent));
    }
    // to a URL and back, from the root and from the path itself as the base folder
    let url = base.url(&p, false);
    assert_eq!(base.relative(&url).ok().as_deref(), Some(s), "{url}");
    let inner = root(&p);
    let inner_url = inner.url(&DavPath::root(), true);
    assert_eq!(
        inner.relative(&inner_url).ok().as_deref(),
        Some(""),
        "{inner_url}"
    );
}
