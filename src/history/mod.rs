//! Scan history: every scan recorded (its pages, its scripts by sha256, its findings, whether
//! it was complete, and when), so a responder can answer "from when to when was this script
//! live, and on which pages?" and a security team can prove a complete scan ran every week
//! (PCI DSS 11.6.1).
//!
//! The store is behind the small [`HistoryStore`] trait, with two backends: an embedded SQLite
//! file ([`sqlite`]) for one machine and PostgreSQL ([`postgres`]) for a fleet whose shards
//! record into one database. Both apply the same schema from the same SQL files
//! ([`migrations`]). A backend only stores rows and answers a few plain queries; everything
//! computed from them — exposure windows, which sites are overdue, which alerts are repeats —
//! is computed once, above the trait, for every backend.

pub mod exposure;
pub mod migrations;
pub mod postgres;
pub mod record;
pub mod sqlite;

pub use exposure::{Exposure, ScriptQuery, Version};
pub use record::ScanRecord;

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// `db` is the database as shown to people: a path, or a URL without its password.
    #[error("history {db}: {message}")]
    Store { db: String, message: String },
    #[error("{0}")]
    Input(String),
}

/// One scan as `history list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub sites: Vec<String>,
    pub verdict: String,
    pub complete: bool,
    pub pages: u64,
    pub scripts: u64,
    pub findings: u64,
    /// `scan` (recorded by `scan --history`) or `import` (from an earlier JSON report).
    pub source: String,
}

/// A script seen in one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    pub scan_id: i64,
    pub started_at: String,
    pub page: String,
    pub url: Option<String>,
    pub sha256: Option<String>,
}

/// What recording a scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// The same report was recorded before (an import repeated): nothing added.
    AlreadyThere(i64),
}

/// A finding an alert was delivered for and that has not been reported resolved since: the
/// alert de-duplication state (`scan --notify … --history`). `site`, `rule`, `script` and
/// `hosts` (sorted, space-separated) are the key; `page` is where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlertedFinding {
    pub site: String,
    pub rule: String,
    pub script: String,
    pub hosts: String,
    pub severity: String,
    pub page: String,
    pub alerted_at: String,
}

/// A history backend. Times are RFC 3339 UTC strings to the second (`2026-11-24T10:00:00Z`),
/// which sort as text in every SQL database.
pub trait HistoryStore {
    /// Record one scan atomically; safe while other processes record too.
    fn record(&mut self, scan: &ScanRecord) -> Result<Recorded, HistoryError>;
    /// Scans in time order, optionally only those that covered `site`.
    fn list(&self, site: Option<&str>) -> Result<Vec<ScanSummary>, HistoryError>;
    /// Every sighting of a script by sha256 or by URL, in time order.
    fn sightings(&self, query: &ScriptQuery) -> Result<Vec<Sighting>, HistoryError>;
    /// The scans (id, start time) that covered any of these pages, in time order.
    fn scans_of_pages(&self, pages: &[String]) -> Result<Vec<(i64, String)>, HistoryError>;
    /// The alerted findings of these sites.
    fn alerted(&self, sites: &[String]) -> Result<Vec<AlertedFinding>, HistoryError>;
    /// After an alert was delivered, in one transaction: remember `alerted` (a key already
    /// there is kept as it was) and forget `resolved` (matched by key).
    fn update_alerted(
        &mut self,
        alerted: &[AlertedFinding],
        resolved: &[AlertedFinding],
    ) -> Result<(), HistoryError>;
}

/// Open the history named by `--history` / `SKIMSCAN_HISTORY`: a `postgres://` or
/// `postgresql://` URL is a PostgreSQL database, anything else a file path for an embedded
/// SQLite database; either is created (tables) and migrated on first use.
pub fn open(spec: &str) -> Result<Box<dyn HistoryStore>, HistoryError> {
    if postgres::is_url(spec) {
        return Ok(Box::new(postgres::Postgres::open(spec)?));
    }
    Ok(Box::new(sqlite::Sqlite::open(std::path::Path::new(spec))?))
}

/// A site's weekly-evidence status for `history check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteCheck {
    pub site: String,
    pub last_scan: Option<String>,
    pub last_complete_scan: Option<String>,
    /// A complete scan started within the window.
    pub ok: bool,
}

/// For every site in the history: its last scan, its last complete scan, and whether that is
/// no older than `since` (an RFC 3339 UTC time).
pub fn check(scans: &[ScanSummary], since: &str) -> Vec<SiteCheck> {
    let mut by_site: std::collections::BTreeMap<&str, SiteCheck> = Default::default();
    for s in scans {
        for site in &s.sites {
            let e = by_site.entry(site).or_insert_with(|| SiteCheck {
                site: site.clone(),
                last_scan: None,
                last_complete_scan: None,
                ok: false,
            });
            if e.last_scan.as_deref() < Some(s.started_at.as_str()) {
                e.last_scan = Some(s.started_at.clone());
            }
            if s.complete && e.last_complete_scan.as_deref() < Some(s.started_at.as_str()) {
                e.last_complete_scan = Some(s.started_at.clone());
            }
        }
    }
    by_site
        .into_values()
        .map(|mut c| {
            c.ok = c.last_complete_scan.as_deref().is_some_and(|t| t >= since);
            c
        })
        .collect()
}

/// Normalise an RFC 3339 time to UTC, to the second: the one form stored and compared.
pub fn normalise_time(t: &str) -> Result<String, String> {
    use time::format_description::well_known::Rfc3339;
    let parsed = time::OffsetDateTime::parse(t.trim(), &Rfc3339)
        .map_err(|e| format!("`{t}` is not an RFC 3339 time: {e}"))?;
    let utc = parsed.to_offset(time::UtcOffset::UTC);
    let utc = utc.replace_nanosecond(0).unwrap_or(utc);
    utc.format(&Rfc3339).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_normalise_to_utc_seconds() {
        assert_eq!(
            normalise_time("2021-06-24T09:30:15.123+09:00").unwrap(),
            "2021-06-24T00:30:15Z"
        );
        assert!(normalise_time("last tuesday").is_err());
    }
}
