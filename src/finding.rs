//! Findings, severities and the verdict: the vocabulary every stage of the pipeline reports in.
//!
//! A finding is a statement a responder can act on: which rule, how bad, where (page, script,
//! line and column), which outside hosts, and a short piece of evidence. Severities are ordered
//! so `--fail-on` is a simple comparison.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. The order is the order of the variants (info < … < critical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected info, low, medium, high or critical)")
            })
    }
}

/// The `--fail-on` threshold: a severity, or `never` (report only, exit 0/3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FailOn {
    At(Severity),
    Never,
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn::At(Severity::High)
    }
}

impl FailOn {
    pub fn trips(self, severity: Severity) -> bool {
        matches!(self, FailOn::At(min) if severity >= min)
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("never") {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>()
            .map(FailOn::At)
            .map_err(|_| format!("unknown --fail-on value `{s}` (expected info, low, medium, high, critical or never)"))
    }
}

impl TryFrom<String> for FailOn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<FailOn> for String {
    fn from(f: FailOn) -> String {
        match f {
            FailOn::At(s) => s.as_str().to_string(),
            FailOn::Never => "never".to_string(),
        }
    }
}

/// The one-word summary of a scan (cli.md): malicious if any finding is critical, suspicious if
/// any is high or medium, clean otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    Suspicious,
    Malicious,
}

impl Verdict {
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Verdict {
        let worst = findings.into_iter().map(|f| f.severity).max();
        match worst {
            Some(Severity::Critical) => Verdict::Malicious,
            Some(Severity::High | Severity::Medium) => Verdict::Suspicious,
            _ => Verdict::Clean,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }
}

/// A 1-based line and column inside the script (or the page, for inline code and HTML checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

/// One reported problem. Field names and meaning follow cli.md; fields after `message` are
/// extensions (absent from JSON when empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub page: Option<String>,
    pub script: Option<String>,
    pub location: Option<Location>,
    pub hosts: Vec<String>,
    pub evidence: Option<String>,
    pub message: String,
    /// A unified diff (baseline changes): the text report prints it in full, JSON carries it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl Finding {
    /// The key that gives findings a stable, meaningful order: worst first, then by place.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            self.page.as_deref().unwrap_or(""),
            self.script.as_deref().unwrap_or(""),
            self.location,
            self.rule.as_str(),
            &self.hosts,
            self.evidence.as_deref().unwrap_or(""),
        )
    }
}

/// Sort findings into report order and drop exact duplicates (the same script can be reached
/// from several pages; the same fact can be found twice by different walks).
pub fn normalise(findings: &mut Vec<Finding>) {
    for f in findings.iter_mut() {
        f.hosts.sort();
        f.hosts.dedup();
    }
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}

/// Something the scan could not do (cli.md `errors[]`): a page or script not fetched, a script
/// not analysed. Any entry makes the scan incomplete.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanError {
    pub url: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_compares_by_severity() {
        let high: FailOn = "high".parse().unwrap();
        assert!(high.trips(Severity::Critical));
        assert!(high.trips(Severity::High));
        assert!(!high.trips(Severity::Medium));
        assert!(!FailOn::Never.trips(Severity::Critical));
        assert!("bogus".parse::<FailOn>().is_err());
    }

    #[test]
    fn verdict_follows_the_worst_finding() {
        let mk = |s| Finding {
            rule: "r".into(),
            severity: s,
            title: String::new(),
            page: None,
            script: None,
            location: None,
            hosts: vec![],
            evidence: None,
            message: String::new(),
            diff: None,
        };
        assert_eq!(Verdict::from_findings(&[]), Verdict::Clean);
        assert_eq!(Verdict::from_findings(&[mk(Severity::Low)]), Verdict::Clean);
        assert_eq!(
            Verdict::from_findings(&[mk(Severity::Medium)]),
            Verdict::Suspicious
        );
        assert_eq!(
            Verdict::from_findings(&[mk(Severity::Low), mk(Severity::Critical)]),
            Verdict::Malicious
        );
    }
}
