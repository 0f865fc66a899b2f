//! The alert document (`kind: skimscan.alert`, cli.md "History, alerts, fleets"): the verdict,
//! why it was sent, the findings new since the last alert with their hosts, the scripts that
//! changed against the baseline, the report's summary, and a Slack-compatible `text` so the
//! same POST works for a Slack incoming webhook and for a program.

use crate::finding::{FailOn, Finding, Severity, Verdict};
use crate::inventory::BaselineStatus;
use crate::report::{Report, ScanError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub const ALERT_SCHEMA_VERSION: u32 = 1;
/// At most this many findings, scripts and errors are listed; the counts are always complete.
const MAX_LISTED: usize = 50;

/// Why the alert was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertReason {
    /// New findings at or above `--fail-on`.
    Findings,
    /// The scan could not see everything (and nothing new reached `--fail-on`).
    Incomplete,
    /// Findings alerted on earlier are gone (with history only).
    Resolved,
}

/// What identifies "the same finding" across scans: the rule, the script's content (sha256,
/// or its id when the scan has no bytes for it), the outside hosts and the site (shop) it was
/// found on. A finding whose script changed is new; the same skimmer seen again next week is
/// not; the same skimmer on a second shop is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct FindingKey {
    pub rule: String,
    pub script: String,
    pub hosts: Vec<String>,
    pub site: String,
}

impl FindingKey {
    pub fn of(f: &Finding, report: &Report) -> FindingKey {
        let script = f
            .script
            .as_deref()
            .map(|id| {
                report
                    .scripts
                    .iter()
                    .find(|s| s.id == id)
                    .and_then(|s| s.sha256.clone())
                    .unwrap_or_else(|| id.to_string())
            })
            .or_else(|| f.page.clone())
            .unwrap_or_default();
        let mut hosts = f.hosts.clone();
        hosts.sort();
        hosts.dedup();
        let site = f
            .page
            .as_deref()
            .or(f.script.as_deref())
            .map(|p| crate::history::record::site_of_page(report, p))
            .unwrap_or_default();
        FindingKey {
            rule: f.rule.clone(),
            script,
            hosts,
            site,
        }
    }
}

/// The findings of `report` an alert tells of: at or above `fail_on`, and not already alerted.
pub fn new_findings<'r>(
    report: &'r Report,
    fail_on: FailOn,
    already_alerted: &BTreeSet<FindingKey>,
) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| fail_on.trips(f.severity))
        .filter(|f| !already_alerted.contains(&FindingKey::of(f, report)))
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct AlertFinding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub page: Option<String>,
    pub script: Option<String>,
    pub hosts: Vec<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChangedScript {
    pub page: String,
    pub url: Option<String>,
    pub sha256: Option<String>,
    pub baseline: BaselineStatus,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub pages: usize,
    pub payment_pages: usize,
    pub scripts: usize,
    /// Every finding of the scan by severity (not only the new ones).
    pub findings: BTreeMap<&'static str, usize>,
    pub errors: usize,
}

/// The document POSTed to every `--notify` URL.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    pub schema_version: u32,
    pub kind: &'static str,
    pub reason: AlertReason,
    pub verdict: Verdict,
    pub complete: bool,
    pub started_at: String,
    pub finished_at: String,
    pub tool: crate::report::Tool,
    /// The sites the scan looked at (pages' hosts or local names), for routing.
    pub sites: Vec<String>,
    pub summary: Summary,
    pub new_findings: Vec<AlertFinding>,
    pub resolved_findings: Vec<FindingKey>,
    pub changed_scripts: Vec<ChangedScript>,
    pub errors: Vec<ScanError>,
    /// Slack's `text`: a few lines a person reads on a phone.
    pub text: String,
}

/// The alert for `report`, or None when nothing calls for one. `already_alerted` holds the
/// keys of findings alerted on before and still present since (from the history; empty
/// without it), `resolved` the keys alerted on before that this scan no longer has.
pub fn build(
    report: &Report,
    fail_on: FailOn,
    already_alerted: &BTreeSet<FindingKey>,
    resolved: &[FindingKey],
) -> Option<Alert> {
    let new = new_findings(report, fail_on, already_alerted);
    let reason = if !new.is_empty() {
        AlertReason::Findings
    } else if !report.complete {
        AlertReason::Incomplete
    } else if !resolved.is_empty() {
        AlertReason::Resolved
    } else {
        return None;
    };
    let mut by_severity: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in &report.findings {
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let changed: Vec<ChangedScript> = report
        .scripts
        .iter()
        .filter_map(|s| match s.baseline {
            Some(b @ (BaselineStatus::Changed | BaselineStatus::New)) => Some(ChangedScript {
                page: s.page.clone(),
                url: s.url.clone(),
                sha256: s.sha256.clone(),
                baseline: b,
            }),
            _ => None,
        })
        .collect();
    let sites: Vec<String> = report
        .pages
        .iter()
        .map(|p| site_of(&p.url))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let new_findings: Vec<AlertFinding> = new
        .iter()
        .take(MAX_LISTED)
        .map(|f| AlertFinding {
            rule: f.rule.clone(),
            severity: f.severity,
            title: f.title.clone(),
            page: f.page.clone(),
            script: f.script.clone(),
            hosts: f.hosts.clone(),
            message: f.message.clone(),
        })
        .collect();
    let text = slack_text(report, reason, &sites, &new, resolved, changed.len());
    Some(Alert {
        schema_version: ALERT_SCHEMA_VERSION,
        kind: "skimscan.alert",
        reason,
        verdict: report.verdict,
        complete: report.complete,
        started_at: report.started_at.clone(),
        finished_at: report.finished_at.clone(),
        tool: report.tool.clone(),
        sites,
        summary: Summary {
            pages: report.pages.len(),
            payment_pages: report.pages.iter().filter(|p| p.payment_form).count(),
            scripts: report.scripts.len(),
            findings: by_severity,
            errors: report.errors.len(),
        },
        new_findings,
        resolved_findings: resolved.iter().take(MAX_LISTED).cloned().collect(),
        changed_scripts: changed.into_iter().take(MAX_LISTED).collect(),
        errors: report.errors.iter().take(MAX_LISTED).cloned().collect(),
        text,
    })
}

/// A page's site: the URL's host, or the local name's first component.
fn site_of(page: &str) -> String {
    match url::Url::parse(page) {
        Ok(u) if u.host_str().is_some() => u.host_str().unwrap_or_default().to_string(),
        _ => page.split('/').next().unwrap_or(page).to_string(),
    }
}

/// Slack mrkdwn: the verdict line, then at most five findings with their hosts.
fn slack_text(
    report: &Report,
    reason: AlertReason,
    sites: &[String],
    new: &[&Finding],
    resolved: &[FindingKey],
    changed: usize,
) -> String {
    let where_ = if sites.is_empty() {
        "(no page)".to_string()
    } else if sites.len() <= 3 {
        sites.join(", ")
    } else {
        format!("{} and {} more", sites[..3].join(", "), sites.len() - 3)
    };
    let head = match reason {
        AlertReason::Findings => format!(
            ":rotating_light: skimscan: *{}* on {where_}: {} new finding(s)",
            report.verdict.as_str().to_uppercase(),
            new.len()
        ),
        AlertReason::Incomplete => format!(
            ":warning: skimscan: scan of {where_} *incomplete* ({} error(s)): it did not see everything",
            report.errors.len()
        ),
        AlertReason::Resolved => format!(
            ":white_check_mark: skimscan: {} finding(s) on {where_} resolved",
            resolved.len()
        ),
    };
    let mut lines = vec![head];
    for f in new.iter().take(5) {
        let hosts = if f.hosts.is_empty() {
            String::new()
        } else {
            format!(" → {}", f.hosts.join(", "))
        };
        lines.push(format!(
            "• {} `{}` {}{hosts} ({})",
            f.severity.as_str(),
            f.rule,
            f.title,
            f.script.as_deref().or(f.page.as_deref()).unwrap_or("")
        ));
    }
    if new.len() > 5 {
        lines.push(format!("• … and {} more", new.len() - 5));
    }
    if changed > 0 {
        lines.push(format!(
            "{changed} script(s) new or changed against the baseline"
        ));
    }
    if reason != AlertReason::Resolved && !resolved.is_empty() {
        lines.push(format!("{} earlier finding(s) resolved", resolved.len()));
    }
    lines.join("\n")
}
