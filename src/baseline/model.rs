//! The baseline file format, version 1 (documented in `baselines/README.md`).
//!
//! A baseline is meant to be reviewed and committed, so everything in it has a deterministic
//! order (maps are `BTreeMap`, lists are sorted on save) and unknown fields are refused: a typo
//! in a hand-edited `justifcation` must not silently drop the justification.

use crate::inventory::{Party, ScriptKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only format version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A reviewed record of one site's pages, scripts, security headers and outside hosts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    /// The site this baseline describes (the first page's host, or a local directory's name).
    pub site: String,
    pub created_at: String,
    pub updated_at: String,
    /// Human field: hosts authorised for scripts and payment data (`*.example.com` allowed);
    /// fed into the engine's allow list on `scan --baseline`.
    #[serde(default)]
    pub authorised_hosts: Vec<String>,
    /// Human field: script URL patterns (`*` matches any run of characters) whose content
    /// changes legitimately (content-hashed bundle names, processors that refuse SRI): compared
    /// by pattern, analysed, never hashed.
    #[serde(default)]
    pub volatile: Vec<String>,
    /// Every outside host the recorded scripts send data to or load code from (as the engine
    /// found them): a new one in a scan is a finding.
    #[serde(default)]
    pub destinations: Vec<String>,
    pub pages: BTreeMap<String, BaselinePage>,
}

/// One page of the site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselinePage {
    /// The page has payment fields (PCI DSS 6.4.3 and 11.6.1 apply to it).
    pub payment_form: bool,
    /// Security-relevant headers as the report lists them, CSP nonces masked
    /// (see [`super::normalise::header_value`]).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Sorted by (kind, identity, position).
    #[serde(default)]
    pub scripts: Vec<BaselineScript>,
}

/// One script of a page: the PCI DSS 6.4.3 inventory entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineScript {
    /// What makes this script the same script across scans: the URL for external and dynamic
    /// scripts, `volatile:<pattern>` for scripts matched by a volatile pattern, and
    /// `inline:<hash>` / `handler:<hash>` (the hash of the normalised code) for code in the page.
    pub identity: String,
    pub kind: ScriptKind,
    /// The script URL (the pattern, for volatile scripts); null for code in the page.
    #[serde(default)]
    pub url: Option<String>,
    /// For inline and handler code: its 1-based position among the page's inline (or handler)
    /// code when recorded, used to pair a changed inline script with its old version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    pub party: Party,
    /// sha256 (hex) of the code as recorded; the old-code store keeps the code under this name.
    /// Null for volatile scripts and for scripts that could not be fetched.
    #[serde(default)]
    pub sha256: Option<String>,
    /// sha256 of the normalised code (volatile literals masked): the comparison hash of inline
    /// and handler code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalised_sha256: Option<String>,
    #[serde(default)]
    pub sri: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub volatile: bool,
    /// Outside hosts this script sends data to or loads code from, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<String>,
    /// What the recorded version reads and how it sends (absent in baselines made before
    /// skimscan recorded it, and for code it did not analyse): a changed script is rated by
    /// what its behaviour gained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<crate::js::behaviour::Behaviour>,
    /// When this script was first recorded (kept by `baseline update`).
    pub first_seen: String,
    /// Human field: why this script is on the page (PCI DSS 6.4.3), kept by `baseline update`.
    #[serde(default)]
    pub justification: String,
    /// Human field: who answers for this script, kept by `baseline update`.
    #[serde(default)]
    pub owner: String,
}

impl BaselineScript {
    /// The order scripts are written in: stable across updates (the identity, not the position
    /// on the page, leads), so an inserted script is one added block in `git diff`.
    pub fn sort_key(&self) -> (ScriptKind, &str, Option<u32>) {
        (self.kind, self.identity.as_str(), self.position)
    }

    /// The hash a scan's script is compared with: the normalised hash for code in the page, the
    /// raw hash for files.
    pub fn comparison_hash(&self) -> Option<&str> {
        match self.kind {
            ScriptKind::Inline | ScriptKind::Handler => {
                self.normalised_sha256.as_deref().or(self.sha256.as_deref())
            }
            ScriptKind::External | ScriptKind::Dynamic | ScriptKind::Runtime => {
                self.sha256.as_deref()
            }
        }
    }
}

impl Baseline {
    /// Put every list in its canonical order, so saving the same content twice gives the same
    /// bytes.
    pub fn canonicalise(&mut self) {
        for list in [
            &mut self.authorised_hosts,
            &mut self.volatile,
            &mut self.destinations,
        ] {
            list.sort();
            list.dedup();
        }
        for page in self.pages.values_mut() {
            for s in &mut page.scripts {
                s.destinations.sort();
                s.destinations.dedup();
            }
            page.scripts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
    }

    /// Every script of every page with its page URL, in file order.
    pub fn scripts(&self) -> impl Iterator<Item = (&str, &BaselineScript)> {
        self.pages
            .iter()
            .flat_map(|(url, p)| p.scripts.iter().map(move |s| (url.as_str(), s)))
    }
}

/// Whether `text` matches a volatile pattern: `*` matches any run of characters (including
/// `/`), everything else literally. Deliberately not a full glob or regex: patterns are written
/// by reviewers and must be obvious.
pub fn pattern_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, rest) = (parts[0], &parts[1..]);
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let last = rest[rest.len() - 1];
    for mid in &rest[..rest.len() - 1] {
        match remaining.find(mid) {
            Some(i) => remaining = &remaining[i + mid.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// The first volatile pattern (in the baseline's order) that matches a script URL.
pub fn volatile_pattern<'a>(patterns: &'a [String], url: &str) -> Option<&'a str> {
    patterns
        .iter()
        .map(String::as_str)
        .find(|p| pattern_matches(p, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_patterns_match_literally_with_stars() {
        assert!(pattern_matches(
            "https://shop.example/static/app.*.js",
            "https://shop.example/static/app.3f9a1c.js"
        ));
        assert!(!pattern_matches(
            "https://shop.example/static/app.*.js",
            "https://shop.example/static/app.3f9a1c.css"
        ));
        assert!(pattern_matches(
            "https://js.stripe.com/*",
            "https://js.stripe.com/v3/"
        ));
        assert!(!pattern_matches(
            "https://js.stripe.com/*",
            "https://js.stripe.com.evil.example/v3/"
        ));
        assert!(pattern_matches(
            "https://js.stripe.com/v3/",
            "https://js.stripe.com/v3/"
        ));
        // The two fixed ends must not overlap.
        assert!(!pattern_matches("ab*ba", "aba"));
        assert!(pattern_matches("a*b*c", "a-x-b-y-c"));
    }
}
