//! Indicator rules: known skimmer domains and kit fingerprints from public lists, matched
//! against the destinations the analysis resolved, the decoded strings and code, and the raw
//! text (for hosts named in markup or comments). Each rule cites its source.
//!
//! Every rule's domains and fingerprint strings are matched by one combined automaton each
//! ([`Indicators`]): the whole text of every script is scanned, once per text, not once per
//! rule and list. The automata are built when the first text is scanned, not when the rules
//! are loaded: every scan and every analysis worker loads the rules, and a process that only
//! looks hosts up (or analyses nothing) should not pay for them. Fingerprint regexes are
//! compiled exactly only when their widened first pass ([`RegexPrefilter`]) says they may
//! match.

use super::facts::snippet;
use super::prefilter::RegexPrefilter;
use crate::rules::schema::IndicatorMatch;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct IndicatorRule {
    pub id: String,
    domains: HashSet<String>,
    domain_list: Vec<String>,
    strings: Vec<String>,
    /// The fingerprint regexes as written (checked when the rule was loaded).
    regexes: Vec<String>,
    /// Each regex compiled on first need; `None` if it does not compile (it then never
    /// matches, as a rule whose regexes failed never did).
    compiled: Vec<OnceLock<Option<Regex>>>,
}

/// One indicator found: where in the text (when it was the raw text) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorHit {
    pub rule: String,
    pub offset: Option<usize>,
    pub host: Option<String>,
    pub evidence: String,
}

impl IndicatorRule {
    pub fn new(id: &str, m: &IndicatorMatch) -> IndicatorRule {
        let domain_list: Vec<String> = m
            .domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        IndicatorRule {
            id: id.to_string(),
            domains: domain_list.iter().cloned().collect(),
            domain_list,
            strings: m.strings.clone(),
            regexes: m.regexes.clone(),
            compiled: m.regexes.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Whether a host is, or is under, a listed domain.
    pub fn host_listed(&self, host: &str) -> bool {
        let h = host.to_ascii_lowercase();
        let mut cur = h.as_str();
        loop {
            if self.domains.contains(cur) {
                return true;
            }
            match cur.split_once('.') {
                Some((_, rest)) if rest.contains('.') => cur = rest,
                _ => return false,
            }
        }
    }

    /// Regex `i` of this rule as a hit, if it matches the text.
    fn regex_hit(&self, i: usize, text: &str, raw: bool) -> Option<IndicatorHit> {
        let re = self
            .compiled
            .get(i)?
            .get_or_init(|| Regex::new(self.regexes.get(i)?).ok())
            .as_ref()?;
        let m = re.find(text)?;
        Some(IndicatorHit {
            rule: self.id.clone(),
            offset: raw.then_some(m.start()),
            host: None,
            evidence: format!("matches kit fingerprint /{}/", snippet(re.as_str(), 80)),
        })
    }
}

/// All indicator rules, with one automaton for all their domains, one for all their
/// fingerprint strings and one first pass for all their fingerprint regexes.
#[derive(Default)]
pub struct Indicators {
    pub rules: Vec<IndicatorRule>,
    /// Every distinct domain of every rule, ASCII case ignored; pattern i is `domain_list[i]`.
    domain_list: Vec<String>,
    /// Each domain's owners: (rule, index in the rule's list).
    domain_owners: HashMap<String, Vec<(usize, usize)>>,
    /// Every rule's fingerprint strings, case kept, and their owners.
    string_pats: Vec<String>,
    string_owner: Vec<(usize, usize)>,
    /// Every rule's fingerprint regexes, and their owners.
    regex_pats: Vec<String>,
    regex_owner: Vec<(usize, usize)>,
    /// Built on the first scan.
    matchers: OnceLock<TextMatchers>,
}

/// The automata [`Indicators::scan`] runs; see [`Indicators::matchers`].
struct TextMatchers {
    domains: Option<DomainAutomata>,
    strings: Option<AhoCorasick>,
    regexes: Option<RegexPrefilter>,
}

/// Bytes a process scans for domains with the quickly built automaton before building the
/// fast one. The NFA builds in about 1.5 ms and scans about 8 ms/MB slower than the DFA,
/// which takes about 10 ms to build (426 domains, 2 cores): past roughly a megabyte the DFA
/// has paid for itself, and a small scan never builds it.
const DOMAIN_DFA_AFTER: usize = 1 << 20;

/// The domain automaton in two forms that find exactly the same matches (same patterns and
/// match kind; only the search structure differs): a contiguous NFA at once, a DFA once
/// the process has scanned enough text for it to pay off.
struct DomainAutomata {
    nfa: AhoCorasick,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicUsize,
}

impl DomainAutomata {
    fn build(domains: &[String], kind: AhoCorasickKind) -> Option<AhoCorasick> {
        // Leftmost-longest finds each host once; a listed domain that is a suffix of it
        // (another rule's `evil.example` inside `x.evil.example`) is looked up from the
        // match (see [`Indicators::scan`]).
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(domains)
            .ok()
    }

    fn new(domains: &[String]) -> Option<DomainAutomata> {
        Some(DomainAutomata {
            nfa: DomainAutomata::build(domains, AhoCorasickKind::ContiguousNFA)?,
            dfa: OnceLock::new(),
            scanned: AtomicUsize::new(0),
        })
    }

    /// The automaton to scan `len` more bytes with.
    fn for_text(&self, domains: &[String], len: usize) -> &AhoCorasick {
        let before = self.scanned.fetch_add(len, Ordering::Relaxed);
        if before.saturating_add(len) < DOMAIN_DFA_AFTER {
            return &self.nfa;
        }
        self.dfa
            .get_or_init(|| DomainAutomata::build(domains, AhoCorasickKind::DFA))
            .as_ref()
            .unwrap_or(&self.nfa)
    }
}

impl Indicators {
    pub fn new(rules: Vec<IndicatorRule>) -> Indicators {
        let mut domain_owners: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut string_pats = Vec::new();
        let mut string_owner = Vec::new();
        let mut regex_pats = Vec::new();
        let mut regex_owner = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for (i, d) in rule.domain_list.iter().enumerate() {
                domain_owners.entry(d.clone()).or_default().push((r, i));
            }
            for (i, st) in rule.strings.iter().enumerate() {
                string_pats.push(st.clone());
                string_owner.push((r, i));
            }
            for (i, re) in rule.regexes.iter().enumerate() {
                regex_pats.push(re.clone());
                regex_owner.push((r, i));
            }
        }
        let mut domain_list: Vec<String> = domain_owners.keys().cloned().collect();
        domain_list.sort();
        Indicators {
            rules,
            domain_list,
            domain_owners,
            string_pats,
            string_owner,
            regex_pats,
            regex_owner,
            matchers: OnceLock::new(),
        }
    }

    /// The automata, built on first use (once per process, shared by its threads).
    fn matchers(&self) -> &TextMatchers {
        self.matchers.get_or_init(|| TextMatchers {
            domains: (!self.domain_list.is_empty())
                .then(|| DomainAutomata::new(&self.domain_list))
                .flatten(),
            strings: (!self.string_pats.is_empty())
                .then(|| AhoCorasick::new(&self.string_pats).ok())
                .flatten(),
            regexes: (!self.regex_pats.is_empty()).then(|| RegexPrefilter::new(&self.regex_pats)),
        })
    }

    /// Scan a text once for every rule: each rule's first hit (a listed domain standing alone,
    /// else a fingerprint string, else a fingerprint regex), by rule index. `raw` says whether
    /// offsets refer to the script text.
    pub fn scan(&self, text: &str, raw: bool) -> Vec<Option<IndicatorHit>> {
        let mut out: Vec<Option<IndicatorHit>> = vec![None; self.rules.len()];
        let b = text.as_bytes();
        let matchers = self.matchers();
        if let Some(automata) = &matchers.domains {
            let ac = automata.for_text(&self.domain_list, text.len());
            // Per rule, the leftmost domain on word boundaries (the longest at that place).
            let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; self.rules.len()];
            for m in ac.find_iter(text) {
                let before = m.start().checked_sub(1).map(|i| b[i]);
                let after = b.get(m.end()).copied();
                let after2 = b.get(m.end() + 1).copied();
                let word = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
                let ok_before = before.is_none_or(|c| !word(c));
                let ok_after = after.is_none_or(|c| {
                    !(word(c) || (c == b'.' && after2.is_some_and(|d| d.is_ascii_alphanumeric())))
                });
                if !(ok_before && ok_after) {
                    continue;
                }
                // The matched domain, and every listed domain that is a suffix of it at a
                // label boundary (a dot is not a word character, so those stand alone too).
                let found = &self.domain_list[m.pattern().as_usize()];
                let mut owners: Vec<(usize, &(usize, usize))> = Vec::new();
                for (k, _) in found
                    .match_indices('.')
                    .chain(std::iter::once((usize::MAX, "")))
                {
                    let (offset, domain) = if k == usize::MAX {
                        (0, found.as_str())
                    } else {
                        (k + 1, &found[k + 1..])
                    };
                    if let Some(list) = self.domain_owners.get(domain) {
                        owners.extend(list.iter().map(|o| (offset, o)));
                    }
                }
                for (offset, &(r, i)) in owners {
                    let start = m.start() + offset;
                    let len = m.len() - offset;
                    let better = match best[r] {
                        None => true,
                        Some((s, l, _)) => start < s || (start == s && len > l),
                    };
                    if better {
                        best[r] = Some((start, len, i));
                    }
                }
            }
            for (r, found) in best.into_iter().enumerate() {
                if let Some((start, _, i)) = found {
                    let rule = &self.rules[r];
                    let d = &rule.domain_list[i];
                    out[r] = Some(IndicatorHit {
                        rule: rule.id.clone(),
                        offset: raw.then_some(start),
                        host: Some(d.clone()),
                        evidence: format!("names known skimmer domain {d}"),
                    });
                }
            }
        }
        if let Some(ac) = &matchers.strings {
            // Per rule without a domain hit, its first fingerprint string.
            for m in ac.find_overlapping_iter(text) {
                let (r, i) = self.string_owner[m.pattern().as_usize()];
                if out[r].is_none() {
                    let rule = &self.rules[r];
                    out[r] = Some(IndicatorHit {
                        rule: rule.id.clone(),
                        offset: raw.then_some(m.start()),
                        host: None,
                        evidence: format!("contains kit fingerprint `{}`", rule.strings[i]),
                    });
                }
            }
        }
        // Per rule still without a hit, its first fingerprint regex that matches: the
        // candidates come in order (rule by rule, each rule's regexes in its order), and
        // only a candidate's exact regex decides.
        if let Some(prefilter) = &matchers.regexes
            && out.iter().any(Option::is_none)
        {
            for c in prefilter.candidates(text) {
                let Some(&(r, i)) = self.regex_owner.get(c) else {
                    continue;
                };
                if out[r].is_none() {
                    out[r] = self.rules[r].regex_hit(i, text, raw);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_on_boundaries_only() {
        let set = Indicators::new(vec![IndicatorRule::new(
            "x",
            &IndicatorMatch {
                domains: vec!["baways.com".into(), "zs.mk".into()],
                ..Default::default()
            },
        )]);
        let hits = set.scan("x.src='https://baways.com/a'", true);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].as_ref().and_then(|h| h.offset), Some(15));
        let hits = set.scan("britishbaways.com zs.mkd.example", true);
        assert_eq!(hits, vec![None]);
        let r = &set.rules[0];
        assert!(r.host_listed("www.baways.com"));
        assert!(!r.host_listed("baways.com.example"));
    }

    /// One automaton for all rules must still give each rule its own hit, even where one
    /// rule's domain sits inside another's, and a fingerprint string where a rule has no domain.
    #[test]
    fn each_rule_keeps_its_own_hit_in_the_combined_scan() {
        let domains = |d: &[&str]| IndicatorMatch {
            domains: d.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let set = Indicators::new(vec![
            IndicatorRule::new("outer", &domains(&["x.evil.example"])),
            IndicatorRule::new("inner", &domains(&["evil.example", "other.example"])),
            IndicatorRule::new(
                "kit",
                &IndicatorMatch {
                    strings: vec!["_0xgate".into()],
                    ..Default::default()
                },
            ),
            IndicatorRule::new("absent", &domains(&["nowhere.example"])),
        ]);
        let text = "var u='https://x.evil.example/p'; var _0xgate=1; other.example";
        let hits = set.scan(text, true);
        let got: Vec<Option<(String, Option<usize>)>> = hits
            .iter()
            .map(|h| h.as_ref().map(|h| (h.rule.clone(), h.offset)))
            .collect();
        assert_eq!(
            got,
            vec![
                Some(("outer".to_string(), Some(15))),
                Some(("inner".to_string(), Some(17))),
                Some(("kit".to_string(), Some(38))),
                None,
            ]
        );
        // Decoded text has no offsets in the script.
        assert_eq!(set.scan(text, false)[0].as_ref().unwrap().offset, None);
    }

    /// Fingerprint regexes through the widened first pass: each rule gets its first regex
    /// (in its own order) that matches exactly, with its offset; a candidate of the first
    /// pass that does not match exactly (a non-ASCII character that is no letter where `\w` is
    /// asked) is no hit, and one that does (a non-ASCII letter) is.
    #[test]
    fn fingerprint_regexes_hit_in_rule_order_and_only_when_exact() {
        let regexes = |r: &[&str]| IndicatorMatch {
            regexes: r.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let set = Indicators::new(vec![
            IndicatorRule::new("a", &regexes(&[r"zzz\d", r"_0x\w{4}\["])),
            IndicatorRule::new("b", &regexes(&[r"GetCCInfo:\s?function", r"_0x"])),
            IndicatorRule::new("word", &regexes(&[r"var\s\w{3}=2"])),
        ]);
        // `→` is no word character, but the first pass lets any non-ASCII one through.
        let text = "var ñop=1; x[_0xé1b2[3]]; k={GetCCInfo: function(){}}; var →→→=2";
        assert!(
            set.matchers()
                .regexes
                .as_ref()
                .unwrap()
                .candidates(text)
                .contains(&4)
        );
        let got: Vec<Option<(String, Option<usize>, String)>> = set
            .scan(text, true)
            .into_iter()
            .map(|h| h.map(|h| (h.rule, h.offset, h.evidence)))
            .collect();
        assert_eq!(
            got,
            vec![
                Some((
                    "a".into(),
                    Some(14),
                    "matches kit fingerprint /_0x\\w{4}\\[/".into()
                )),
                Some((
                    "b".into(),
                    Some(31),
                    "matches kit fingerprint /GetCCInfo:\\s?function/".into()
                )),
                None,
            ]
        );
        assert_eq!(
            set.scan("var ñó_=2", false)[2].as_ref().map(|h| h.offset),
            Some(None)
        );
    }

    /// Past [`DOMAIN_DFA_AFTER`] scanned bytes the domains are matched by the DFA: the hits
    /// must be the very ones the NFA found on the same texts.
    #[test]
    fn the_domain_dfa_finds_what_the_nfa_found() {
        let set = Indicators::new(vec![
            IndicatorRule::new(
                "outer",
                &IndicatorMatch {
                    domains: vec!["x.evil.example".into(), "Bad.Example".into()],
                    ..Default::default()
                },
            ),
            IndicatorRule::new(
                "inner",
                &IndicatorMatch {
                    domains: vec!["evil.example".into()],
                    ..Default::default()
                },
            ),
        ]);
        let texts = [
            "a='https://X.EVIL.example/p' b.example",
            "notevil.example; evil.examples; bad.example.",
            "nothing here",
        ];
        let small: Vec<_> = texts.iter().map(|t| set.scan(t, true)).collect();
        let filler = " ".repeat(DOMAIN_DFA_AFTER);
        assert_eq!(set.scan(&filler, true), vec![None, None]);
        let automata = set.matchers().domains.as_ref().unwrap();
        assert!(automata.dfa.get().is_some(), "the DFA was not built");
        let large: Vec<_> = texts.iter().map(|t| set.scan(t, true)).collect();
        assert_eq!(small, large);
        assert!(small[0][0].is_some() && small[1][0].is_some() && small[1][1].is_none());
    }
}
