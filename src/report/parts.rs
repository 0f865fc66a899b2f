//! A report before it is one: what the pipeline collected (pages, scripts, findings, errors,
//! browser visits) and what later stages add to it before anything is judged (the baseline
//! comparison's statuses, removed scripts and findings).
//!
//! [`Parts::assemble`] is the one place a [`Report`] is made: the findings are put in report
//! order, the errors sorted, and the verdict and `complete` computed once, from everything
//! found. No stage patches a finished report, so no stage can leave a verdict that disagrees
//! with the findings beside it.

use super::{PageRecord, RemovedScript, Report, SCHEMA_VERSION, ScanError, Tool};
use crate::finding::{self, Finding, Verdict};
use crate::inventory::ScriptRecord;

/// The report's contents, still open to additions; see the module comment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    pub started_at: String,
    /// When the scan stopped looking (the baseline comparison after it is not scanning).
    pub finished_at: String,
    pub pages: Vec<PageRecord>,
    /// In the order the pipeline made them; a later stage may fill in their `baseline` status.
    pub scripts: Vec<ScriptRecord>,
    pub removed: Vec<RemovedScript>,
    /// In any order: [`Parts::assemble`] sorts and de-duplicates them.
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub browser: Vec<crate::browser::record::BrowserVisit>,
}

impl Parts {
    /// The finished report: findings in report order without duplicates, errors and removed
    /// scripts sorted, the verdict from every finding, complete when nothing failed.
    pub fn assemble(self) -> Report {
        let Parts {
            started_at,
            finished_at,
            pages,
            scripts,
            mut removed,
            mut findings,
            mut errors,
            browser,
        } = self;
        finding::normalise(&mut findings);
        errors.sort();
        errors.dedup();
        removed.sort();
        removed.dedup();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            started_at,
            finished_at,
            verdict: Verdict::from_findings(&findings),
            complete: errors.is_empty(),
            pages,
            scripts,
            removed,
            findings,
            errors,
            browser,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            title: String::new(),
            page: Some("https://shop.example/".into()),
            script: None,
            location: None,
            hosts: vec!["b.example".into(), "a.example".into(), "b.example".into()],
            evidence: None,
            message: String::new(),
            diff: None,
        }
    }

    /// Whatever a stage adds before assembly counts: a finding added last sets the verdict,
    /// an error added last makes the scan incomplete, and lists come out in report order.
    #[test]
    fn the_verdict_and_completeness_come_from_everything_added() {
        let mut parts = Parts {
            findings: vec![finding("low-one", Severity::Low)],
            ..Parts::default()
        };
        assert_eq!(parts.clone().assemble().verdict, Verdict::Clean);
        assert!(parts.clone().assemble().complete);
        parts.findings.push(finding("late-high", Severity::High));
        parts.findings.push(finding("low-one", Severity::Low));
        parts.errors.push(ScanError {
            url: "b".into(),
            message: "m".into(),
        });
        parts.errors.push(ScanError {
            url: "a".into(),
            message: "m".into(),
        });
        let r = parts.assemble();
        assert_eq!(r.verdict, Verdict::Suspicious);
        assert!(!r.complete);
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["late-high", "low-one"], "sorted, duplicate dropped");
        assert_eq!(r.findings[0].hosts, ["a.example", "b.example"]);
        let urls: Vec<&str> = r.errors.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(urls, ["a", "b"]);
    }
}
