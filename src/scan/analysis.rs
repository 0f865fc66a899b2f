//! Scripts → facts → findings: hand every analysable script to the engine (each external script
//! once per site and page kind, however many pages include it), copy the destinations it found
//! back onto every inventory row of that script, and collect findings and analysis errors.

use super::crawl::ScannedPage;
use super::scripts::ScriptEntry;
use crate::finding::Finding;
use crate::hosts;
use crate::js::{AnalysisJob, Engine, ScriptAnalysis};
use crate::report::ScanError;
use std::collections::{BTreeMap, BTreeSet};

/// What the analysis of a set of entries produced.
#[derive(Default)]
pub struct AnalysisOutcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// Scripts loaded at run time, per page index: (absolute URL, the loading script's id).
    pub loads: BTreeMap<usize, Vec<(String, String)>>,
}

/// The page context an entry is analysed in.
struct PageContext {
    page_url: String,
    page_host: Option<String>,
    payment: bool,
    /// Ids and names of the page's payment fields.
    fields: Vec<String>,
}

fn context(e: &ScriptEntry, pages: &[ScannedPage]) -> PageContext {
    match pages.get(e.page_index) {
        Some(p) => PageContext {
            page_url: p.name.clone(),
            page_host: p.url.host_str().map(hosts::normalise_host),
            payment: p.doc.payment_form(),
            fields: p.doc.payment_field_names(),
        },
        // A lone .js target: a script of some payment page we have not seen.
        None => PageContext {
            page_url: e.record.page.clone(),
            page_host: None,
            payment: true,
            fields: Vec::new(),
        },
    }
}

/// [`analyse`] under the scan's deadline: when it runs out first, every script of the round is
/// an `errors[]` entry ("not analysed") instead of a silent gap.
pub async fn analyse_until(
    engine: &Engine,
    entries: &mut [ScriptEntry],
    from: usize,
    pages: &[ScannedPage],
    deadline: &super::deadline::Deadline,
) -> AnalysisOutcome {
    if let Ok(outcome) = deadline.run(analyse(engine, entries, from, pages)).await {
        return outcome;
    }
    let mut ids: Vec<String> = entries
        .iter()
        .skip(from)
        .filter(|e| e.text.is_some() && e.record.analysed)
        .map(|e| e.record.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    AnalysisOutcome {
        errors: ids
            .into_iter()
            .map(|url| ScanError {
                url,
                message: deadline.message("not analysed"),
            })
            .collect(),
        ..Default::default()
    }
}

/// Analyse `entries[from..]` (earlier entries were analysed in an earlier round).
pub async fn analyse(
    engine: &Engine,
    entries: &mut [ScriptEntry],
    from: usize,
    pages: &[ScannedPage],
) -> AnalysisOutcome {
    let mut jobs: Vec<AnalysisJob> = Vec::new();
    let mut job_ids: Vec<String> = Vec::new();
    let mut job_of_entry: Vec<Option<usize>> = vec![None; entries.len()];
    // A script shared by pages is analysed once per distinct context; pages whose card
    // fields have other ids are another context (a field id is a card field on one page only).
    type JobKey = (String, Option<String>, bool, Vec<String>);
    let mut job_keys: BTreeMap<JobKey, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate().skip(from) {
        let Some(text) = &e.text else { continue };
        if !e.record.analysed {
            continue;
        }
        let PageContext {
            page_url,
            page_host,
            payment,
            fields,
        } = context(e, pages);
        let key = (
            e.record.id.clone(),
            page_host.clone(),
            payment,
            fields.clone(),
        );
        if let Some(&j) = job_keys.get(&key) {
            job_of_entry[i] = Some(j);
            continue;
        }
        job_keys.insert(key, jobs.len());
        job_of_entry[i] = Some(jobs.len());
        job_ids.push(e.record.id.clone());
        jobs.push(AnalysisJob {
            script_id: e.record.id.clone(),
            kind: e.record.kind,
            code: text.text.clone(),
            page_url,
            page_host,
            payment_page: payment,
            page_fields: fields,
            line_offset: text.line_offset,
            column_offset: text.column_offset,
        });
    }
    if jobs.is_empty() {
        return AnalysisOutcome::default();
    }
    let n = jobs.len();
    let results: Vec<ScriptAnalysis> = {
        let engine = engine.clone();
        match tokio::task::spawn_blocking(move || engine.analyse_batch(jobs)).await {
            Ok(r) => r,
            // The engine isolates each script; reaching this means a bug, and the scan must
            // say it saw nothing rather than report clean.
            Err(e) => {
                return AnalysisOutcome {
                    errors: vec![ScanError {
                        url: "(analysis)".into(),
                        message: format!("the analysis of {n} scripts failed: {e}"),
                    }],
                    ..Default::default()
                };
            }
        }
    };
    let mut out = AnalysisOutcome::default();
    for (i, e) in entries.iter_mut().enumerate() {
        if let Some(r) = job_of_entry[i].and_then(|j| results.get(j)) {
            e.record.destinations = r.destinations.iter().cloned().collect();
            e.record.behaviour = Some(r.behaviour.clone());
            for url in &r.loads {
                out.loads
                    .entry(e.page_index)
                    .or_default()
                    .push((url.clone(), e.record.id.clone()));
            }
        }
    }
    // A page's scripts share one window: join what one hands to another.
    let mut per_page: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(j) = job_of_entry[i] {
            let v = per_page.entry(e.page_index).or_default();
            if !v.contains(&j) {
                v.push(j);
            }
        }
    }
    for (page_index, jobs_of_page) in &per_page {
        if jobs_of_page.len() < 2 {
            continue;
        }
        let page_name = match pages.get(*page_index) {
            Some(p) => p.name.clone(),
            None => continue,
        };
        let scripts: Vec<(&str, &ScriptAnalysis)> = jobs_of_page
            .iter()
            .filter_map(|&j| Some((job_ids.get(j)?.as_str(), results.get(j)?)))
            .collect();
        out.findings.extend(engine.join_pipes(&page_name, &scripts));
    }
    let mut seen = BTreeSet::new();
    for (j, r) in results.iter().enumerate() {
        out.findings.extend(r.findings.iter().cloned());
        let id = job_ids.get(j).cloned().unwrap_or_default();
        for m in &r.errors {
            if seen.insert((id.clone(), m.clone())) {
                out.errors.push(ScanError {
                    url: id.clone(),
                    message: m.clone(),
                });
            }
        }
    }
    if results.len() != n {
        out.errors.push(ScanError {
            url: "(analysis)".into(),
            message: format!(
                "the engine returned {} results for {n} scripts",
                results.len()
            ),
        });
    }
    out
}
