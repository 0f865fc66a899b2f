//! Payment vocabulary: does an id, a name, a class, a selector or a label name a card field?
//! Words come from `rules/data/payment-vocabulary.toml`; a selector is split into words on
//! punctuation, `_`, `-` and camelCase, so `payment[cc_number]`, `#cardNumber` and
//! `input[name="wc-gateway-card-cvc"]` all match while `accept` and `success` do not.

use crate::rules::schema::VocabularyFile;
use aho_corasick::AhoCorasick;
use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Vocabulary {
    words: HashSet<String>,
    pairs: HashSet<(String, String)>,
    substrings: Option<AhoCorasick>,
}

impl Vocabulary {
    pub fn from_files(files: &[VocabularyFile]) -> Vocabulary {
        let mut v = Vocabulary::default();
        let mut subs = Vec::new();
        for f in files {
            v.words.extend(f.words.iter().map(|w| w.to_lowercase()));
            v.pairs.extend(
                f.pairs
                    .iter()
                    .map(|[a, b]| (a.to_lowercase(), b.to_lowercase())),
            );
            subs.extend(f.substrings.iter().map(|s| s.to_lowercase()));
        }
        if !subs.is_empty() {
            v.substrings = AhoCorasick::new(subs).ok();
        }
        v
    }

    /// Whether the text names a payment-card field.
    pub fn matches(&self, text: &str) -> bool {
        if text.len() > 2_000 {
            return false;
        }
        let lower = text.to_lowercase();
        if let Some(ac) = &self.substrings
            && ac.is_match(&lower)
        {
            return true;
        }
        let words = split_words(text);
        if words.iter().any(|w| self.words.contains(w.as_str())) {
            return true;
        }
        words
            .windows(2)
            .any(|p| self.pairs.contains(&(p[0].clone(), p[1].clone())))
    }
}

/// Lower-case words of an identifier or selector: split on anything but letters and digits,
/// and at lower→upper camelCase boundaries. The unsplit alphanumeric runs are kept too
/// (`cardNumber` gives `card`, `number` and `cardnumber`).
pub fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if run.is_empty() {
            continue;
        }
        let mut cur = String::new();
        let mut prev_lower = false;
        let mut parts = 0;
        for c in run.chars() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                parts += 1;
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
            parts += 1;
        }
        if parts > 1 {
            out.push(run.to_lowercase());
        }
    }
    out
}

/// Whether a selector selects every field of a form or page (`input`, `select`, `:input`,
/// `form input`, `input[type=text]`) rather than named fields.
pub fn is_harvest_selector(sel: &str) -> bool {
    let s = sel.trim().to_ascii_lowercase();
    if s.is_empty() || s.len() > 200 {
        return false;
    }
    s.split(',').all(|part| {
        let last = part.split_whitespace().last().unwrap_or("");
        let last = last.trim_start_matches('>');
        ["input", "select", "textarea", ":input", "form"]
            .iter()
            .any(|t| {
                last == *t || (last.starts_with(t) && last[t.len()..].starts_with([':', '[', '.']))
            })
            && !last.contains("type=hidden")
            && !last.contains("type=\"hidden\"")
            && !last.contains("type=submit")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::from_files(&[VocabularyFile {
            source: vec![],
            words: vec!["cc".into(), "cvv".into(), "cardnumber".into()],
            pairs: vec![
                ["card".into(), "number".into()],
                ["security".into(), "code".into()],
            ],
            substrings: vec!["カード番号".into()],
        }])
    }

    #[test]
    fn payment_words_match_on_word_boundaries() {
        let v = vocab();
        assert!(v.matches("payment[cc_number]"));
        assert!(v.matches("#cardNumber"));
        assert!(v.matches("input[name='card-number']"));
        assert!(v.matches("Security Code"));
        assert!(v.matches("カード番号"));
        assert!(!v.matches("accept"));
        assert!(!v.matches("success-message"));
        assert!(!v.matches(".card-body"));
    }

    #[test]
    fn harvest_selectors() {
        assert!(is_harvest_selector("input"));
        assert!(is_harvest_selector("input, select"));
        assert!(is_harvest_selector("form input[type=text]"));
        assert!(is_harvest_selector(":input"));
        assert!(!is_harvest_selector("#cc_number"));
        assert!(!is_harvest_selector("input[type=hidden]"));
        assert!(!is_harvest_selector(".inputs"));
    }
}
