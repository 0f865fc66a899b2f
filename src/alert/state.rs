//! No alert fatigue: with `--history`, what was alerted is remembered in the history database
//! (table `alert_state`), so a scheduled scan that finds the same skimmer every hour tells a
//! person once, and tells them once more when it is gone.
//!
//! - A finding (rule, script sha256, outside hosts, site) alerted on and still there is not
//!   alerted again.
//! - A finding alerted on and absent from a *complete* scan that looked at its page again is
//!   reported resolved, once: the state row is removed with that alert. An incomplete scan
//!   resolves nothing (the skimmer may be in what it could not load), and a scan of other pages
//!   or other shops (another shard) says nothing about it.
//! - An incomplete scan is alerted on every time, with or without history: it means the
//!   weekly evidence has a hole, which stays news until it is fixed. It is never remembered.
//! - The state changes only after at least one `--notify` URL took the alert; when none did,
//!   nothing is remembered, so the next scan sends the same alert again.

use super::payload::{Alert, FindingKey, new_findings};
use crate::finding::FailOn;
use crate::history::{AlertedFinding, HistoryError, HistoryStore, record};
use crate::report::Report;
use std::collections::BTreeSet;

/// What the history says about this scan's alert, read before it is built.
#[derive(Debug, Default)]
pub struct Plan {
    /// Findings alerted earlier (and not resolved since) on the scan's sites.
    pub already_alerted: BTreeSet<FindingKey>,
    /// Findings alerted earlier that this scan shows gone.
    pub resolved: Vec<FindingKey>,
}

fn key_of(a: &AlertedFinding) -> FindingKey {
    FindingKey {
        rule: a.rule.clone(),
        script: a.script.clone(),
        hosts: a
            .hosts
            .split(' ')
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect(),
        site: a.site.clone(),
    }
}

fn row_of(key: &FindingKey, severity: &str, page: &str, at: &str) -> AlertedFinding {
    AlertedFinding {
        site: key.site.clone(),
        rule: key.rule.clone(),
        script: key.script.clone(),
        hosts: key.hosts.join(" "),
        severity: severity.to_string(),
        page: page.to_string(),
        alerted_at: at.to_string(),
    }
}

/// Read the alert state of the scan's sites and compare it with the scan.
pub fn plan(store: &dyn HistoryStore, report: &Report) -> Result<Plan, HistoryError> {
    let sites = record::sites_of_report(report);
    let rows = store.alerted(&sites)?;
    let present: BTreeSet<FindingKey> = report
        .findings
        .iter()
        .map(|f| FindingKey::of(f, report))
        .collect();
    // Pages this scan looked at; a lone script target's "page" is the script itself.
    let mut looked_at: BTreeSet<&str> = report.pages.iter().map(|p| p.url.as_str()).collect();
    if looked_at.is_empty() {
        looked_at = report.scripts.iter().map(|s| s.page.as_str()).collect();
    }
    let mut plan = Plan::default();
    for row in &rows {
        let key = key_of(row);
        if report.complete && !present.contains(&key) && looked_at.contains(row.page.as_str()) {
            plan.resolved.push(key.clone());
        }
        plan.already_alerted.insert(key);
    }
    Ok(plan)
}

/// After `alert` reached at least one URL: remember its new findings, forget the resolved ones.
pub fn remember(
    store: &mut dyn HistoryStore,
    report: &Report,
    fail_on: FailOn,
    plan: &Plan,
    alert: &Alert,
) -> Result<(), HistoryError> {
    let at = crate::clock::now_rfc3339();
    let alerted: Vec<AlertedFinding> = new_findings(report, fail_on, &plan.already_alerted)
        .into_iter()
        .map(|f| {
            let page = f.page.as_deref().or(f.script.as_deref()).unwrap_or("");
            row_of(&FindingKey::of(f, report), f.severity.as_str(), page, &at)
        })
        .collect();
    // The alert lists at most a few dozen resolved findings, but it was sent for all of them.
    let resolved: Vec<AlertedFinding> = if alert.resolved_findings.is_empty() {
        Vec::new()
    } else {
        plan.resolved
            .iter()
            .map(|k| row_of(k, "", "", &at))
            .collect()
    };
    store.update_alerted(&alerted, &resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_the_round_trip_through_a_row() {
        let key = FindingKey {
            rule: "card-data-exfiltration".into(),
            script: "ab".repeat(32),
            hosts: vec!["a.example".into(), "b.example".into()],
            site: "shop.example".into(),
        };
        let row = row_of(&key, "critical", "https://shop.example/checkout", "t");
        assert_eq!(row.hosts, "a.example b.example");
        assert_eq!(key_of(&row), key);
        let no_hosts = FindingKey {
            hosts: vec![],
            ..key
        };
        assert_eq!(key_of(&row_of(&no_hosts, "high", "p", "t")), no_hosts);
    }
}
