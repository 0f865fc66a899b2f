//! The scan report (cli.md's JSON contract) and its formatters: text for people, JSON for
//! machines, SARIF for code-scanning dashboards, HTML for auditors and responders — one trait,
//! one file per format. A report is made once, from its [`Parts`], by [`Parts::assemble`].

pub mod html;
pub mod json;
pub mod parts;
pub mod sarif;
pub mod text;

pub use crate::finding::ScanError;
use crate::finding::{Finding, Verdict};
use crate::inventory::ScriptRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use parts::Parts;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "skimscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// A form on a page, as the report shows it (extension to cli.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRecord {
    pub action: Option<String>,
    pub method: String,
    pub payment_fields: Vec<String>,
    pub line: u32,
}

/// One scanned page (cli.md `pages[]`; fields after `headers` are extensions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    pub url: String,
    pub status: Option<u16>,
    pub payment_form: bool,
    /// Security-relevant response headers (lower-case names), plus `set-cookie` summarised as
    /// flags only (never the cookie values), and `meta-content-security-policy` for CSP set in
    /// the page itself.
    pub headers: BTreeMap<String, String>,
    /// The URL the page was requested as, when a redirect led elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text encoding the page was decoded with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<FormRecord>,
    /// How the page was found: `target`, `link`, `iframe`.
    pub found_by: String,
}

/// A baseline script no longer seen (cli.md `removed[]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RemovedScript {
    pub page: String,
    pub url: Option<String>,
    pub id: String,
    pub kind: crate::inventory::ScriptKind,
    pub sha256: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub started_at: String,
    pub finished_at: String,
    pub verdict: Verdict,
    pub complete: bool,
    pub pages: Vec<PageRecord>,
    pub scripts: Vec<ScriptRecord>,
    pub removed: Vec<RemovedScript>,
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// The browser pass's visits (an extension of cli.md's report; absent without --browser).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub browser: Vec<crate::browser::record::BrowserVisit>,
}

/// Context a formatter may need beyond the report itself.
pub struct FormatContext<'a> {
    /// Script texts by script id, for code frames (text) and snippets.
    pub sources: &'a BTreeMap<String, crate::inventory::ScriptText>,
    /// Colour escapes allowed (a terminal, and `NO_COLOR` unset).
    pub color: bool,
    pub rules: &'a crate::rules::RuleSet,
}

/// One output format.
pub trait Formatter {
    fn write(
        &self,
        report: &Report,
        ctx: &FormatContext<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()>;
}
