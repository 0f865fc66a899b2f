//! The baseline checks (`scan --baseline`, PCI DSS 11.6.1): one file per check, each naming
//! its rule (in `rules/baseline/`) once as `RULE`. `diff::compare` matches the scan's scripts
//! with the recorded ones and calls these; a check whose rule is not loaded stays silent.

pub mod changed_script;
pub mod csp_weakened;
pub mod header_changed;
pub mod new_destination;
pub mod new_script;
pub mod removed_script;

use super::headers::compare_headers;
use crate::finding::{Finding, Location, Severity};
use crate::inventory::{ScriptKind, ScriptRecord, ScriptText};
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

/// The rules of the baseline checks, one per file above.
pub const RULES: &[&str] = &[
    new_script::RULE,
    changed_script::RULE,
    removed_script::RULE,
    header_changed::RULE,
    csp_weakened::RULE,
    new_destination::RULE,
];

/// Whether the browser runs this script as JavaScript. Decided by what the page declares (the
/// tag's `type`), never by whether this scan could fetch or analyse the code: a remote script
/// of a local `dist/` page is not fetched, yet every customer's browser runs it.
fn runs_as_javascript(r: &ScriptRecord) -> bool {
    match r.kind {
        ScriptKind::External | ScriptKind::Dynamic => {
            crate::page::is_javascript(r.script_type.as_deref(), None)
        }
        // Code in the page is always available: `analysed` is exactly "runs as JavaScript"
        // (it also honours the legacy `language` attribute, which the record does not keep).
        ScriptKind::Inline | ScriptKind::Handler => r.analysed,
        // Seen running in the browser: JavaScript by definition.
        ScriptKind::Runtime => true,
    }
}

/// What the checks of one page read.
pub(crate) struct PageCtx<'a> {
    pub page: &'a str,
    pub sources: &'a BTreeMap<String, ScriptText>,
    pub payment: bool,
    pub rules: &'a RuleSet,
    pub engine_findings: &'a [Finding],
}

impl PageCtx<'_> {
    /// New or changed code matters less off payment pages (at most medium) and in blocks a
    /// browser does not run (at most low).
    fn cap_severity(&self, f: &mut Finding, r: &ScriptRecord) {
        if !self.payment {
            f.severity = f.severity.min(Severity::Medium);
        }
        if !runs_as_javascript(r) {
            // JSON-LD, templates: inventoried, but a browser does not run them as code.
            f.severity = f.severity.min(Severity::Low);
            f.message
                .push_str(" (The block is not JavaScript a browser runs: lower severity.)");
        }
    }

    fn place(&self, f: &mut Finding, r: &ScriptRecord) {
        f.page = Some(self.page.to_string());
        f.script = Some(r.id.clone());
        // `page_line` is a line of the page: a location for code in the page only (a script
        // file's findings are located in the file).
        f.location = match r.kind {
            ScriptKind::Inline | ScriptKind::Handler => {
                r.page_line.map(|line| Location { line, column: 1 })
            }
            ScriptKind::External | ScriptKind::Dynamic | ScriptKind::Runtime => None,
        };
    }

    /// Hosts of the engine's critical findings (an exfiltration flow) in this script.
    fn exfiltration_hosts(&self, r: &ScriptRecord) -> Vec<String> {
        let hosts: BTreeSet<String> = self
            .engine_findings
            .iter()
            .filter(|f| f.severity == Severity::Critical && f.script.as_deref() == Some(&r.id))
            .flat_map(|f| f.hosts.iter().cloned())
            .collect();
        hosts.into_iter().collect()
    }

    pub(super) fn header_findings(
        &self,
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for ch in compare_headers(old, new) {
            let what = match (&ch.old, &ch.new) {
                (Some(o), Some(n)) => format!("changed from `{o}` to `{n}`"),
                (Some(o), None) => format!("was removed (it was `{o}`)"),
                (None, Some(n)) => format!("was added: `{n}`"),
                (None, None) => continue,
            };
            let f = match &ch.weakened {
                Some(why) => self.rules.finding(
                    csp_weakened::RULE,
                    format!(
                        "The {} header {what}: {why}. Injected or altered scripts can now run or send data where the old policy stopped them.",
                        ch.name
                    ),
                ).map(|mut f| {
                    if !self.payment {
                        f.severity = f.severity.min(Severity::Medium);
                    }
                    f
                }),
                None => self.rules.finding(
                    header_changed::RULE,
                    format!("The security header {} {what}.", ch.name),
                ),
            };
            if let Some(mut f) = f {
                f.page = Some(self.page.to_string());
                f.evidence = Some(format!(
                    "{}: {}",
                    ch.name,
                    ch.new.as_deref().unwrap_or("(absent)")
                ));
                out.push(f);
            }
        }
        out
    }
}
