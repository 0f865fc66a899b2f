//! A cheap first pass for a list of regexes: one automaton that matches everywhere any of
//! them could match, built from the patterns with their costly Unicode parts widened.
//!
//! Kit fingerprints such as `_0x\w{4}` use Unicode classes; `\w` alone is some 700 ranges of
//! code points, and every copy of it (`\w{3,8}` makes eight) compiles into a large UTF-8
//! automaton, forwards and backwards. Compiling the shipped fingerprints exactly took longer
//! than analysing a small script, in every process of every scan. Here each class that
//! reaches beyond ASCII becomes its ASCII part plus "any non-ASCII character" (three small
//! UTF-8 ranges), and a Unicode word boundary, which the fast engines cannot run, is dropped.
//! Both only add matches, so the widened set is a superset: a pattern it does not report
//! cannot match, and a pattern it reports is confirmed with the exact regex (compiled by the
//! caller, once, when first needed). Benign text almost never gets that far.

use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{Input, MatchKind, PatternSet, meta};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

/// The widened automaton of a list of patterns; pattern `i` of the list is pattern `i` here.
#[derive(Debug)]
pub struct RegexPrefilter {
    /// `None` when a pattern does not parse or the set could not be built: then every
    /// pattern is a candidate (slower, never a missed match).
    set: Option<meta::Regex>,
    len: usize,
}

impl RegexPrefilter {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> RegexPrefilter {
        let hirs: Option<Vec<Hir>> = patterns
            .iter()
            .map(|p| {
                regex_syntax::Parser::new()
                    .parse(p.as_ref())
                    .ok()
                    .map(|h| widen(&h))
            })
            .collect();
        let set = hirs.and_then(|hirs| {
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .match_kind(MatchKind::All)
                        // Only which patterns match is asked, never where their groups are.
                        .which_captures(WhichCaptures::None),
                )
                .build_many_from_hir(&hirs)
                .ok()
        });
        RegexPrefilter {
            set,
            len: patterns.len(),
        }
    }

    /// The patterns that may match somewhere in `text`, in ascending order: every pattern
    /// that does match is among them.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let Some(set) = &self.set else {
            return (0..self.len).collect();
        };
        let mut found = PatternSet::new(set.pattern_len());
        set.which_overlapping_matches(&Input::new(text), &mut found);
        found.iter().map(|p| p.as_usize()).collect()
    }
}

/// The pattern with every class that reaches beyond ASCII widened to all of non-ASCII, and
/// Unicode word boundaries dropped: it matches wherever the pattern does (and maybe more).
fn widen(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Class(Class::Unicode(c)) if c.ranges().iter().any(|r| r.end() > '\x7f') => {
            let mut wide = c.clone();
            wide.union(&ClassUnicode::new([ClassUnicodeRange::new(
                '\u{80}',
                char::MAX,
            )]));
            Hir::class(Class::Unicode(wide))
        }
        // An assertion only removes matches; without it the pattern matches a superset.
        HirKind::Look(look) if is_unicode_word_look(*look) => Hir::empty(),
        HirKind::Repetition(r) => {
            let mut r = r.clone();
            r.sub = Box::new(widen(&r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(c) => {
            let mut c = c.clone();
            c.sub = Box::new(widen(&c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(widen).collect()),
        HirKind::Alternation(parts) => Hir::alternation(parts.iter().map(widen).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => h.clone(),
    }
}

fn is_unicode_word_look(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The exact matches of each pattern are always among the candidates, on ASCII and
    /// non-ASCII text, with classes, repetitions, groups, case folding and boundaries.
    #[test]
    fn every_exact_match_is_a_candidate() {
        let patterns = [
            r"_0x\w{4}\[[0-9]{2}\]",
            r"(?i)getccinfo:\s?function",
            r"\bcvv\b",
            r"var\sa0a=\[",
            r"[^\x00-\x7f]{2}x",
            r"\d+\.\d+",
            r"(\\)?x63(\\)?x63",
        ];
        let texts = [
            "xmlhttp[_0xab1f[12]]",
            "xmlhttp[_0xäb1ñ[12]]",
            "var k={GETCCINFO:\u{a0}function(){}}",
            "a cvv b; écvvé; 1cvv",
            "var\u{2003}a0a=[1]",
            "ñéx and ٣.٤ and 3.4",
            r"'\x63\x63' and x63x63",
            "nothing to see here",
            "",
        ];
        let set = RegexPrefilter::new(&patterns);
        for text in texts {
            let got = set.candidates(text);
            for (i, p) in patterns.iter().enumerate() {
                if Regex::new(p).unwrap().is_match(text) {
                    assert!(
                        got.contains(&i),
                        "/{p}/ matches {text:?} but is not a candidate"
                    );
                }
            }
        }
    }

    /// A superset, yet not everything: text without the literal parts yields no candidate,
    /// so the exact regexes are not compiled for ordinary code.
    #[test]
    fn text_without_the_literals_yields_no_candidate() {
        let set = RegexPrefilter::new(&[r"_0x\w{4}\[[0-9]{2}\]", r"GetCCInfo:\s?function"]);
        assert_eq!(
            set.candidates("function f(a){return a.map(function(x){return x*2})}"),
            Vec::<usize>::new()
        );
        assert_eq!(set.candidates("_0xé1z2[07]"), vec![0]);
    }

    /// A pattern that does not parse makes every pattern a candidate instead of none.
    #[test]
    fn a_broken_pattern_makes_all_candidates() {
        let set = RegexPrefilter::new(&["abc", "(unclosed"]);
        assert_eq!(set.candidates("zzz"), vec![0, 1]);
    }
}
