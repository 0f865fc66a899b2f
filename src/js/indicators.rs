//! Indicator rules: known skimmer domains and kit fingerprints from public lists, matched
//! against the destinations the analysis resolved, the decoded strings and code, and the raw
//! text (for hosts named in markup or comments). Each rule cites its source.

use super::facts::snippet;
use crate::rules::schema::IndicatorMatch;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet};
use std::collections::HashSet;

pub struct IndicatorRule {
    pub id: String,
    domains: HashSet<String>,
    domain_list: Vec<String>,
    domain_ac: Option<AhoCorasick>,
    strings: Vec<String>,
    string_ac: Option<AhoCorasick>,
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
        let domain_ac = (!domain_list.is_empty())
            .then(|| {
                // A DFA: the whole raw text of every script is scanned, so speed matters more
                // than the build time of a few hundred patterns.
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&domain_list)
                    .ok()
            })
            .flatten();
        let string_ac = (!m.strings.is_empty())
            .then(|| AhoCorasick::new(&m.strings).ok())
            .flatten();
        IndicatorRule {
            id: id.to_string(),
            domains: domain_list.iter().cloned().collect(),
            domain_list,
            domain_ac,
            strings: m.strings.clone(),
            string_ac,
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

    /// Scan a text; `raw` says whether offsets refer to the script text.
    pub fn scan(&self, text: &str, raw: bool, out: &mut Vec<IndicatorHit>) {
        let b = text.as_bytes();
        if let Some(ac) = &self.domain_ac {
            for m in ac.find_iter(text) {
                let before = m.start().checked_sub(1).map(|i| b[i]);
                let after = b.get(m.end()).copied();
                let after2 = b.get(m.end() + 1).copied();
                let word = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
                let ok_before = before.is_none_or(|c| !word(c));
                let ok_after = after.is_none_or(|c| {
                    !(word(c) || (c == b'.' && after2.is_some_and(|d| d.is_ascii_alphanumeric())))
                });
                if ok_before && ok_after {
                    let d = &self.domain_list[m.pattern().as_usize()];
                    out.push(IndicatorHit {
                        rule: self.id.clone(),
                        offset: raw.then_some(m.start()),
                        host: Some(d.clone()),
                        evidence: format!("names known skimmer domain {d}"),
                    });
                    break;
                }
            }
        }
        if let Some(ac) = &self.string_ac
            && let Some(m) = ac.find(text)
        {
            out.push(IndicatorHit {
                rule: self.id.clone(),
                offset: raw.then_some(m.start()),
                host: None,
                evidence: format!(
                    "contains kit fingerprint `{}`",
                    self.strings[m.pattern().as_usize()]
                ),
            });
        }
        let first = self
            .regex_set
            .as_ref()
            .and_then(|set| set.matches(text).into_iter().next());
        if let Some(re) = first.and_then(|i| self.regexes.get(i))
            && let Some(m) = re.find(text)
        {
            out.push(IndicatorHit {
                rule: self.id.clone(),
                offset: raw.then_some(m.start()),
                host: None,
                evidence: format!("matches kit fingerprint /{}/", snippet(re.as_str(), 80)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_on_boundaries_only() {
        let r = IndicatorRule::new(
            "x",
            &IndicatorMatch {
                domains: vec!["baways.com".into(), "zs.mk".into()],
                ..Default::default()
            },
        );
        let mut hits = Vec::new();
        r.scan("x.src='https://baways.com/a'", true, &mut hits);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].offset, Some(15));
        hits.clear();
        r.scan("britishbaways.com zs.mkd.example", true, &mut hits);
        assert!(hits.is_empty(), "{hits:?}");
        assert!(r.host_listed("www.baways.com"));
        assert!(!r.host_listed("baways.com.example"));
    }
}
