//! The script inventory (PCI DSS 6.4.3): every script a payment page runs, with its identity,
//! where it comes from (first or third party), and its hashes (sha256 hex, SRI sha384).
//!
//! A record is what the baseline stores and what the report lists; the script's text travels
//! beside it (in [`ScriptText`]) to the analysis stage and is never written to the report.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384};
use std::sync::Arc;

pub use crate::hosts::Party;
pub use crate::script_kind::ScriptKind;

/// How a script compares with the baseline (cli.md `scripts[].baseline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineStatus {
    Unchanged,
    Changed,
    New,
}

/// One script as the inventory records it. Field names follow cli.md; the fields after
/// `baseline` are extensions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRecord {
    pub page: String,
    pub url: Option<String>,
    pub kind: ScriptKind,
    pub host: Option<String>,
    pub party: Party,
    pub sha256: Option<String>,
    pub sri: Option<String>,
    pub integrity_attr: Option<String>,
    pub size: Option<u64>,
    pub baseline: Option<BaselineStatus>,
    /// Stable identity within the scan: the URL for external code, `<page>#inline-N` or
    /// `<page>#handler-N` for code in the page. Findings name scripts by this id.
    pub id: String,
    /// The `type` attribute when it is not plain JavaScript (`module`, `application/ld+json`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_type: Option<String>,
    /// False for non-JavaScript blocks (JSON-LD, templates) that are inventoried only.
    pub analysed: bool,
    /// For inline and handler code: the 1-based line in the page where the code starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_line: Option<u32>,
    /// Outside hosts this script sends data to or loads code from, as the engine found them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<String>,
    /// What the engine saw the code read and send (absent when it was not analysed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<crate::js::behaviour::Behaviour>,
}

/// What the bytes of a script are: the three columns of `scripts[]` that come from the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeDigest {
    pub sha256: String,
    pub sri: String,
    pub size: u64,
}

impl CodeDigest {
    pub fn of(bytes: &[u8]) -> CodeDigest {
        CodeDigest {
            sha256: sha256_hex(bytes),
            sri: sri_sha384(bytes),
            size: bytes.len() as u64,
        }
    }
}

impl ScriptRecord {
    /// A row for code of `kind` on `page`, named `id` (findings name scripts by it), before
    /// anything is known about it: first party, no URL, not read, not analysed. The one place
    /// a row is made; every source (page, file, run-time load, browser, tag container) starts
    /// here and fills in what it knows.
    pub fn new(page: impl Into<String>, id: impl Into<String>, kind: ScriptKind) -> ScriptRecord {
        ScriptRecord {
            page: page.into(),
            url: None,
            kind,
            host: None,
            party: Party::First,
            sha256: None,
            sri: None,
            integrity_attr: None,
            size: None,
            baseline: None,
            id: id.into(),
            script_type: None,
            analysed: false,
            page_line: None,
            destinations: Vec::new(),
            behaviour: None,
        }
    }

    /// Loaded from `url`: its host (None for local files) and whether that is another site
    /// than the page's (a page without a host, a lone `.js` file, makes every host third party).
    pub fn at_url(mut self, url: &str, host: Option<String>, page_host: Option<&str>) -> Self {
        self.url = Some(url.to_string());
        self.party = match (&host, page_host) {
            (Some(h), Some(ph)) => crate::hosts::party(h, ph),
            (Some(_), None) => Party::Third,
            (None, _) => Party::First,
        };
        self.host = host;
        self
    }

    /// The code was read: its hashes and size; `analysed` says whether it runs as JavaScript.
    pub fn read(mut self, digest: &CodeDigest, analysed: bool) -> Self {
        self.sha256 = Some(digest.sha256.clone());
        self.sri = Some(digest.sri.clone());
        self.size = Some(digest.size);
        self.analysed = analysed;
        self
    }
}

/// A script's text, shared cheaply between the inventory, the analysis and the baseline diff.
#[derive(Clone, Debug)]
pub struct ScriptText {
    /// The record's `id`.
    pub id: String,
    pub text: Arc<str>,
    /// Where the code starts in its file (1-based line and column), so findings in inline code
    /// point at the page's line, not the line within the `<script>` block.
    pub line_offset: u32,
    pub column_offset: u32,
}

/// sha256 of the bytes as lowercase hex: the inventory's content identity.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The Subresource Integrity value a page would put in `integrity=` (sha384, base64).
pub fn sri_sha384(bytes: &[u8]) -> String {
    let digest = Sha384::digest(bytes);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The outcome of checking an `integrity` attribute against the bytes actually served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntegrityCheck {
    /// At least one listed hash of the strongest listed algorithm matches (the browser's rule).
    Matches,
    /// Hashes of a supported algorithm were listed and none match: the browser blocks the
    /// script, or the page was changed without updating the hash — either way, worth a look.
    Mismatch { expected: Vec<String> },
    /// Nothing the browser would check (no supported algorithm): treated as no SRI.
    Unsupported,
}

/// Verify an `integrity` attribute the way browsers do (SRI §3.3.5): only the strongest
/// algorithm present counts; any one of its digests matching is enough; unknown tokens and
/// options (`?foo`) are ignored.
pub fn check_integrity(attr: &str, bytes: &[u8]) -> IntegrityCheck {
    IntegrityHashes::of(bytes).check(attr)
}

/// The three digests an `integrity` attribute can name (base64 sha256, sha384, sha512), so a
/// script's bytes can be dropped right after loading and every page's attribute still checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrityHashes([String; 3]);

impl IntegrityHashes {
    pub fn of(bytes: &[u8]) -> IntegrityHashes {
        Self::with_digest(bytes).1
    }

    /// The row's [`CodeDigest`] and these, each hash computed once over the bytes (a large
    /// site's scripts are hashed on the scan's hot path).
    pub fn with_digest(bytes: &[u8]) -> (CodeDigest, IntegrityHashes) {
        use sha2::Sha512;
        let b64 = base64::engine::general_purpose::STANDARD;
        let sha256 = Sha256::digest(bytes);
        let sha384 = b64.encode(Sha384::digest(bytes));
        let digest = CodeDigest {
            sha256: sha256.iter().map(|b| format!("{b:02x}")).collect(),
            sri: format!("sha384-{sha384}"),
            size: bytes.len() as u64,
        };
        let hashes = IntegrityHashes([
            b64.encode(sha256),
            sha384,
            b64.encode(Sha512::digest(bytes)),
        ]);
        (digest, hashes)
    }

    /// Check an `integrity` attribute as a browser does: the strongest algorithm named decides.
    pub fn check(&self, attr: &str) -> IntegrityCheck {
        check_integrity_against(attr, |alg| self.0[alg].clone())
    }
}

fn check_integrity_against(attr: &str, actual_of: impl Fn(usize) -> String) -> IntegrityCheck {
    let mut by_alg: [Vec<&str>; 3] = [vec![], vec![], vec![]];
    for token in attr.split_ascii_whitespace() {
        let token = token.split('?').next().unwrap_or(token);
        let Some((alg, digest)) = token.split_once('-') else {
            continue;
        };
        let slot = match alg.to_ascii_lowercase().as_str() {
            "sha256" => 0,
            "sha384" => 1,
            "sha512" => 2,
            _ => continue,
        };
        by_alg[slot].push(digest);
    }
    let Some(strongest) = (0..3).rev().find(|&i| !by_alg[i].is_empty()) else {
        return IntegrityCheck::Unsupported;
    };
    let actual = actual_of(strongest);
    // Browsers accept base64url too; compare after normalising the alphabet and padding.
    let norm = |s: &str| s.trim_end_matches('=').replace('-', "+").replace('_', "/");
    let actual_n = norm(&actual);
    if by_alg[strongest].iter().any(|d| norm(d) == actual_n) {
        IntegrityCheck::Matches
    } else {
        let name = ["sha256", "sha384", "sha512"][strongest];
        IntegrityCheck::Mismatch {
            expected: by_alg[strongest]
                .iter()
                .map(|d| format!("{name}-{d}"))
                .collect(),
        }
    }
}

/// A script found on a page, ready for the inventory and the analysis.
#[derive(Debug, Clone)]
pub struct ScriptEntry {
    pub record: ScriptRecord,
    /// The code, when we have it (not for scripts that could not be loaded).
    pub text: Option<ScriptText>,
    /// The `integrity` attribute checked against the bytes served.
    pub integrity: Option<IntegrityCheck>,
    /// Index of the page in the scan's page list.
    pub page_index: usize,
    /// The script is referenced but was not fetched by policy (a local page's remote script).
    pub not_fetched: bool,
    /// Where the code is addressed from: the URL it loads from (a `file:` URL for a local
    /// file), or the page's base URL for code in the page. Imports resolve against it.
    pub base_url: Option<url::Url>,
    /// The code runs as a module (`type="module"`, `modulepreload`, or imported by one): its
    /// static imports load with it.
    pub module: bool,
}

impl ScriptText {
    /// The text of a whole file (it starts at line 1, column 1).
    pub fn file(id: impl Into<String>, text: Arc<str>) -> ScriptText {
        ScriptText {
            id: id.into(),
            text,
            line_offset: 1,
            column_offset: 1,
        }
    }
}

impl ScriptEntry {
    /// An entry for `record` on the page at `page_index`, with its code when there is some;
    /// not a module, no integrity attribute checked, fetched.
    pub fn new(record: ScriptRecord, text: Option<ScriptText>, page_index: usize) -> ScriptEntry {
        ScriptEntry {
            record,
            text,
            integrity: None,
            page_index,
            not_fetched: false,
            base_url: None,
            module: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_known_values() {
        // `printf 'alert(1)' | openssl dgst -sha256` and `-sha384 -binary | base64`.
        assert_eq!(
            sha256_hex(b"alert(1)"),
            "6e11c72f7cf6bc383152dd16ddd5903aba6bb1c99d6b6639a4bb0b838185fa92"
        );
        assert!(sri_sha384(b"").starts_with(
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        ));
    }

    #[test]
    fn one_pass_digests_equal_the_separate_ones() {
        let body = b"window.shop = {};";
        let (d, h) = IntegrityHashes::with_digest(body);
        assert_eq!(d, CodeDigest::of(body));
        assert_eq!(h.check(&sri_sha384(body)), IntegrityCheck::Matches);
    }

    #[test]
    fn integrity_uses_the_strongest_algorithm() {
        let body = b"console.log('ok')";
        let good = sri_sha384(body);
        assert_eq!(check_integrity(&good, body), IntegrityCheck::Matches);
        assert!(matches!(
            check_integrity(&good, b"tampered"),
            IntegrityCheck::Mismatch { .. }
        ));
        // A wrong sha256 next to a right sha384: only sha384 counts.
        let mixed = format!("sha256-AAAA {good}");
        assert_eq!(check_integrity(&mixed, body), IntegrityCheck::Matches);
        assert_eq!(
            check_integrity("md5-abc", body),
            IntegrityCheck::Unsupported
        );
    }
}
