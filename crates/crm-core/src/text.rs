//! Text folding shared by every search and sort key of the domain crates.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for ordering and case/accent-insensitive comparison: compatibility
/// decomposition, combining marks dropped, lower case, Greek final sigma as σ.
pub fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn case_accents_and_final_sigma_fold_away() {
        assert_eq!(fold("Ρολόι ΠΥΡΓΟΥ Άγιος"), "ρολοι πυργου αγιοσ");
        assert_eq!(fold("Μπίμπης"), fold("ΜΠΙΜΠΗΣ"));
        assert_eq!(fold("Clock ﬁ"), "clock fi");
    }
}
