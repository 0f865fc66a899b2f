//! What the history keeps of one scan, taken from its report (a scan just run, or an earlier
//! JSON report imported): when, which sites, the verdict and completeness, every page, every
//! script with its sha256, every finding.

use super::normalise_time;
use crate::report::Report;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageRow {
    pub url: String,
    pub payment_form: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptRow {
    pub page: String,
    pub url: Option<String>,
    pub script_id: String,
    pub kind: String,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    pub rule: String,
    pub severity: String,
    pub page: Option<String>,
    pub script: Option<String>,
    pub hosts: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanRecord {
    pub started_at: String,
    pub finished_at: String,
    pub sites: Vec<String>,
    pub verdict: String,
    pub complete: bool,
    /// `scan` or `import`.
    pub source: String,
    /// sha256 of the report's JSON: the same report imported twice is recorded once.
    pub report_sha256: String,
    pub pages: Vec<PageRow>,
    pub scripts: Vec<ScriptRow>,
    pub findings: Vec<FindingRow>,
}

/// The site a page belongs to: its host for a URL, else the folder of a local page (the site
/// directory as typed, e.g. `demo/shop`, when every page shares it).
fn sites_of(names: &[&str]) -> Vec<String> {
    let split = SiteSplit::of(names);
    let mut sites = split.hosts;
    sites.extend(split.local_root);
    sites.into_iter().collect()
}

/// A scan's pages split into the hosts of its URLs and the one root folder of its local pages.
struct SiteSplit {
    hosts: BTreeSet<String>,
    local_root: Option<String>,
}

impl SiteSplit {
    fn of(names: &[&str]) -> SiteSplit {
        let mut hosts = BTreeSet::new();
        let mut local: Vec<Vec<&str>> = Vec::new();
        for n in names {
            match host_of(n) {
                Some(h) => {
                    hosts.insert(h);
                }
                None => {
                    let mut parts: Vec<&str> = n.split('/').collect();
                    if parts.len() > 1 {
                        parts.pop();
                    }
                    local.push(parts);
                }
            }
        }
        let local_root = local.first().map(|first| {
            let common = local.iter().fold(first.len(), |k, p| {
                k.min(first.iter().zip(p).take_while(|(a, b)| a == b).count())
            });
            first[..common.max(1).min(first.len())].join("/")
        });
        SiteSplit { hosts, local_root }
    }
}

fn host_of(name: &str) -> Option<String> {
    match url::Url::parse(name) {
        Ok(u) => u
            .host_str()
            .filter(|h| !h.is_empty())
            .map(crate::hosts::normalise_host),
        Err(_) => None,
    }
}

/// The site (as the history records it) that one page of `report` belongs to: the page's host,
/// or the root folder the report's local pages share. Alerts key their de-duplication on it, so
/// the same skimmer on two shops is two findings.
pub fn site_of_page(report: &Report, page: &str) -> String {
    if let Some(h) = host_of(page) {
        return h;
    }
    let names = page_names(report);
    SiteSplit::of(&names)
        .local_root
        .unwrap_or_else(|| page.to_string())
}

/// The names the sites of a report are taken from: its pages, or for a lone script target
/// (no page) the script's page field, which names the script.
fn page_names(report: &Report) -> Vec<&str> {
    let mut names: Vec<&str> = report.pages.iter().map(|p| p.url.as_str()).collect();
    if names.is_empty() {
        names = report.scripts.iter().map(|s| s.page.as_str()).collect();
    }
    names
}

/// The sites of a report, as recorded.
pub fn sites_of_report(report: &Report) -> Vec<String> {
    sites_of(&page_names(report))
}

/// The site a target of a targets file stands for (`history check --targets-file`): a URL's
/// host; a local site directory as typed; a local page or script file's folder (what a scan of
/// it records).
pub fn site_of_target(target: &str) -> String {
    if let Some(h) = host_of(target) {
        return h;
    }
    let t = target.trim_end_matches('/');
    if std::path::Path::new(t).is_dir() {
        return t.to_string();
    }
    sites_of(&[t])
        .into_iter()
        .next()
        .unwrap_or_else(|| t.to_string())
}

impl ScanRecord {
    pub fn from_report(report: &Report, source: &str) -> Result<ScanRecord, String> {
        let started_at = normalise_time(&report.started_at)?;
        let finished_at = normalise_time(&report.finished_at).unwrap_or(started_at.clone());
        let json = serde_json::to_vec(report).map_err(|e| e.to_string())?;
        Ok(ScanRecord {
            started_at,
            finished_at,
            sites: sites_of_report(report),
            verdict: report.verdict.as_str().to_string(),
            complete: report.complete,
            source: source.to_string(),
            report_sha256: crate::inventory::sha256_hex(&json),
            pages: report
                .pages
                .iter()
                .map(|p| PageRow {
                    url: p.url.clone(),
                    payment_form: p.payment_form,
                })
                .collect(),
            scripts: report
                .scripts
                .iter()
                .map(|s| ScriptRow {
                    page: s.page.clone(),
                    url: s.url.clone(),
                    script_id: s.id.clone(),
                    kind: s.kind.as_str().to_string(),
                    sha256: s.sha256.clone(),
                })
                .collect(),
            findings: report
                .findings
                .iter()
                .map(|f| FindingRow {
                    rule: f.rule.clone(),
                    severity: f.severity.as_str().to_string(),
                    page: f.page.clone(),
                    script: f.script.clone(),
                    hosts: f.hosts.join(" "),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::sites_of;

    #[test]
    fn sites_are_hosts_or_the_local_root() {
        assert_eq!(
            sites_of(&["https://Shop.example/checkout/", "https://shop.example/"]),
            ["shop.example"]
        );
        assert_eq!(
            sites_of(&["demo/shop/index.html", "demo/shop/checkout/index.html"]),
            ["demo/shop"]
        );
        assert_eq!(sites_of(&["checkout.js"]), ["checkout.js"]);
    }
}
