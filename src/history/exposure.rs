//! The exposure window of a script: from the sightings a backend returns, when it was first
//! and last seen, on which pages, in which versions (for a URL: every sha256 it served), in
//! how many scans — and the scans of the same pages just before and just after without it, which
//! bound when it can have appeared and by when it was gone.

use super::{HistoryError, HistoryStore, Sighting};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What `history script` looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptQuery {
    Sha256(String),
    Url(String),
}

impl ScriptQuery {
    /// A 64-hex-digit argument is a sha256; anything else is a script URL (or local path).
    pub fn parse(arg: &str) -> ScriptQuery {
        let t = arg.trim();
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            ScriptQuery::Sha256(t.to_ascii_lowercase())
        } else {
            ScriptQuery::Url(t.to_string())
        }
    }
}

/// One version (sha256) of a script and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub sha256: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub scans: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub query: String,
    /// `sha256` or `url`.
    pub by: String,
    pub first_seen: String,
    pub last_seen: String,
    /// Scans that saw it.
    pub scans: u64,
    pub pages: Vec<String>,
    /// The URLs it was served from (code in a page has none).
    pub urls: Vec<String>,
    pub versions: Vec<Version>,
    /// The last scan of the same pages before it was first seen (it appeared after this).
    pub last_scan_without_before: Option<String>,
    /// The first scan of the same pages after it was last seen that no longer had it.
    pub first_scan_without_after: Option<String>,
}

/// Compute the exposure window; `None` when no recorded scan saw the script.
pub fn exposure(
    store: &dyn HistoryStore,
    query: &ScriptQuery,
) -> Result<Option<Exposure>, HistoryError> {
    let sightings: Vec<Sighting> = store.sightings(query)?;
    let (Some(first), Some(last)) = (
        sightings.iter().map(|s| &s.started_at).min(),
        sightings.iter().map(|s| &s.started_at).max(),
    ) else {
        return Ok(None);
    };
    let (first, last) = (first.clone(), last.clone());
    let seen_in: BTreeSet<i64> = sightings.iter().map(|s| s.scan_id).collect();
    let pages: BTreeSet<String> = sightings.iter().map(|s| s.page.clone()).collect();
    let urls: BTreeSet<String> = sightings.iter().filter_map(|s| s.url.clone()).collect();
    let mut versions: BTreeMap<Option<String>, (String, String, BTreeSet<i64>)> = BTreeMap::new();
    for s in &sightings {
        let v = versions
            .entry(s.sha256.clone())
            .or_insert_with(|| (s.started_at.clone(), s.started_at.clone(), BTreeSet::new()));
        if s.started_at < v.0 {
            v.0 = s.started_at.clone();
        }
        if s.started_at > v.1 {
            v.1 = s.started_at.clone();
        }
        v.2.insert(s.scan_id);
    }
    let mut versions: Vec<Version> = versions
        .into_iter()
        .map(|(sha256, (f, l, scans))| Version {
            sha256,
            first_seen: f,
            last_seen: l,
            scans: scans.len() as u64,
        })
        .collect();
    versions.sort_by(|a, b| (&a.first_seen, &a.sha256).cmp(&(&b.first_seen, &b.sha256)));
    let page_list: Vec<String> = pages.iter().cloned().collect();
    let others: Vec<(i64, String)> = store
        .scans_of_pages(&page_list)?
        .into_iter()
        .filter(|(id, _)| !seen_in.contains(id))
        .collect();
    let before = others
        .iter()
        .filter(|(_, t)| *t < first)
        .map(|(_, t)| t.clone())
        .max();
    let after = others
        .iter()
        .filter(|(_, t)| *t > last)
        .map(|(_, t)| t.clone())
        .min();
    let (query_text, by) = match query {
        ScriptQuery::Sha256(h) => (h.clone(), "sha256"),
        ScriptQuery::Url(u) => (u.clone(), "url"),
    };
    Ok(Some(Exposure {
        query: query_text,
        by: by.into(),
        first_seen: first,
        last_seen: last,
        scans: seen_in.len() as u64,
        pages: page_list,
        urls: urls.into_iter().collect(),
        versions,
        last_scan_without_before: before,
        first_scan_without_after: after,
    }))
}
