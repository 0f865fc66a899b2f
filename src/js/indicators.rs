//! Indicator rules: known skimmer domains and kit fingerprints from public lists, matched
//! against the destinations the analysis resolved, the decoded strings and code, and the raw
//! text (for hosts named in markup or comments). Each rule cites its source.
//!
//! Every rule's domains and fingerprint strings are matched by one combined automaton each
//! ([`Indicators`]): the whole text of every script is scanned, once per text, not once per
//! rule and list.

use super::facts::snippet;
use crate::rules::schema::IndicatorMatch;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet};
use std::collections::{HashMap, HashSet};

pub struct IndicatorRule {
    pub id: String,
    domains: HashSet<String>,
    domain_list: Vec<String>,
    strings: Vec<String>,
    regexes: Vec<Regex>,
    /// All regexes in one automaton: one pass tells whether any (and which) match.
    regex_set: Option<RegexSet>,
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
            // Regexes were checked when the rule was loaded; if one still fails, none is used,
            // so the set's indexes always line up with the list.
            regexes: m
                .regexes
                .iter()
                .map(|r| Regex::new(r))
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_default(),
            regex_set: (!m.regexes.is_empty())
                .then(|| RegexSet::new(&m.regexes).ok())
                .flatten(),
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

    /// The first of this rule's regexes that matches, as a hit.
    fn regex_hit(&self, text: &str, raw: bool) -> Option<IndicatorHit> {
        let first = self
            .regex_set
            .as_ref()
            .and_then(|set| set.matches(text).into_iter().next());
        let re = first.and_then(|i| self.regexes.get(i))?;
        let m = re.find(text)?;
        Some(IndicatorHit {
            rule: self.id.clone(),
            offset: raw.then_some(m.start()),
            host: None,
            evidence: format!("matches kit fingerprint /{}/", snippet(re.as_str(), 80)),
        })
    }
}

/// All indicator rules, with one automaton for all their domains and one for all their
/// fingerprint strings.
#[derive(Default)]
pub struct Indicators {
    pub rules: Vec<IndicatorRule>,
    /// Every distinct domain of every rule, ASCII case ignored; pattern i is `domain_list[i]`.
    domains: Option<AhoCorasick>,
    domain_list: Vec<String>,
    /// Each domain's owners: (rule, index in the rule's list).
    domain_owners: HashMap<String, Vec<(usize, usize)>>,
    /// Every rule's fingerprint strings, case kept.
    strings: Option<AhoCorasick>,
    string_owner: Vec<(usize, usize)>,
}

impl Indicators {
    pub fn new(rules: Vec<IndicatorRule>) -> Indicators {
        let mut domain_owners: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut string_pats = Vec::new();
        let mut string_owner = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for (i, d) in rule.domain_list.iter().enumerate() {
                domain_owners.entry(d.clone()).or_default().push((r, i));
            }
            for (i, st) in rule.strings.iter().enumerate() {
                string_pats.push(st.as_str());
                string_owner.push((r, i));
            }
        }
        let mut domain_list: Vec<String> = domain_owners.keys().cloned().collect();
        domain_list.sort();
        // A DFA: the whole raw text of every script is scanned, so speed matters more than
        // the build time of a few hundred patterns. Leftmost-longest finds each host once;
        // a listed domain that is a suffix of it (another rule's `evil.example` inside
        // `x.evil.example`) is looked up from the match (see [`Indicators::scan`]).
        let domains = (!domain_list.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&domain_list)
                    .ok()
            })
            .flatten();
        let strings = (!string_pats.is_empty())
            .then(|| AhoCorasick::new(&string_pats).ok())
            .flatten();
        Indicators {
            rules,
            domains,
            domain_list,
            domain_owners,
            strings,
            string_owner,
        }
    }

    /// Scan a text once for every rule: each rule's first hit (a listed domain standing alone,
    /// else a fingerprint string, else a fingerprint regex), by rule index. `raw` says whether
    /// offsets refer to the script text.
    pub fn scan(&self, text: &str, raw: bool) -> Vec<Option<IndicatorHit>> {
        let mut out: Vec<Option<IndicatorHit>> = vec![None; self.rules.len()];
        let b = text.as_bytes();
        if let Some(ac) = &self.domains {
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
        if let Some(ac) = &self.strings {
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
        for (r, rule) in self.rules.iter().enumerate() {
            if out[r].is_none() {
                out[r] = rule.regex_hit(text, raw);
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
}
