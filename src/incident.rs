//! What `scan --evidence` and `scan --history` add around the scan, kept out of `app.rs`: the
//! evidence directory prepared before anything is loaded (a refusal is exit 2 with nothing
//! scanned), the scan recorded in the history, the HTML report's extras (the baseline's notes
//! on each script, the history's timeline), and the bundle finished after the report.

use crate::baseline::Baseline;
use crate::cli::IncidentArgs;
use crate::command::UsageError;
use crate::evidence::Artifacts;
use crate::history::{self, HistoryStore, ScanRecord, ScriptQuery};
use crate::report::html::{Annotation, Html, TimelineRow};
use crate::report::{FormatContext, Formatter};
use crate::rules::RuleSet;
use crate::scan::ScanOutcome;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Incident {
    pub keep: Option<Arc<Artifacts>>,
    history: Option<Box<dyn HistoryStore>>,
}

impl Incident {
    pub fn prepare(args: &IncidentArgs) -> Result<Incident, UsageError> {
        // Open the history first: a bad database path must not leave an evidence folder behind.
        let history = match &args.history.db {
            Some(db) => Some(history::open(db).map_err(|e| UsageError(e.to_string()))?),
            None => None,
        };
        let keep = match &args.evidence {
            Some(dir) => Some(Arc::new(
                Artifacts::prepare(dir, args.force).map_err(|e| UsageError(e.to_string()))?,
            )),
            None => None,
        };
        Ok(Incident { keep, history })
    }

    /// Record the scan (with `--history`) and gather what the HTML report shows beyond the
    /// report. A history that cannot be written is returned as the error, after which the
    /// report is still emitted.
    pub fn record(
        &mut self,
        outcome: &ScanOutcome,
        baseline: Option<&Baseline>,
    ) -> (Html, Result<(), UsageError>) {
        let mut html = Html {
            annotations: baseline
                .map(|b| annotations(b, outcome))
                .unwrap_or_default(),
            timeline: None,
        };
        let Some(store) = self.history.as_mut() else {
            return (html, Ok(()));
        };
        let recorded = ScanRecord::from_report(&outcome.report, "scan")
            .map_err(UsageError)
            .and_then(|rec| store.record(&rec).map_err(|e| UsageError(e.to_string())));
        if let Err(e) = recorded {
            return (html, Err(e));
        }
        html.timeline = Some(timeline(store.as_ref(), outcome));
        (html, Ok(()))
    }

    /// The history (with `--history`), for the alert's de-duplication state.
    pub fn history_mut(&mut self) -> Option<&mut dyn HistoryStore> {
        match self.history.as_mut() {
            Some(h) => Some(h.as_mut()),
            None => None,
        }
    }

    /// Finish the evidence bundle (with `--evidence`).
    pub fn finish(&self, outcome: &ScanOutcome, rules: &RuleSet) -> Result<(), UsageError> {
        let Some(keep) = &self.keep else {
            return Ok(());
        };
        let ctx = FormatContext {
            sources: &outcome.sources,
            color: false,
            rules,
        };
        let mut json = Vec::new();
        crate::report::json::Json
            .write(&outcome.report, &ctx, &mut json)
            .map_err(|e| UsageError(format!("cannot format the report: {e}")))?;
        keep.finish(&outcome.report.scripts, &outcome.sources, &json)
            .map_err(|e| UsageError(e.to_string()))
    }
}

/// The baseline's justification and owner for each scanned script: the recorded script with
/// the same URL, else the one with the same code.
fn annotations(b: &Baseline, outcome: &ScanOutcome) -> BTreeMap<String, Annotation> {
    let mut out = BTreeMap::new();
    for s in &outcome.report.scripts {
        let found = b
            .scripts()
            .find(|(_, bs)| s.url.is_some() && bs.url == s.url)
            .or_else(|| {
                b.scripts()
                    .find(|(_, bs)| s.sha256.is_some() && bs.sha256 == s.sha256)
            });
        if let Some((_, bs)) = found
            && !(bs.justification.is_empty() && bs.owner.is_empty())
        {
            out.insert(
                s.id.clone(),
                Annotation {
                    justification: bs.justification.clone(),
                    owner: bs.owner.clone(),
                },
            );
        }
    }
    out
}

/// When each script of this scan (by its code) was seen across the history.
fn timeline(store: &dyn HistoryStore, outcome: &ScanOutcome) -> Vec<TimelineRow> {
    let mut rows: BTreeMap<String, TimelineRow> = BTreeMap::new();
    for s in &outcome.report.scripts {
        let Some(sha) = &s.sha256 else { continue };
        if rows.contains_key(sha) {
            continue;
        }
        if let Ok(Some(e)) = history::exposure::exposure(store, &ScriptQuery::Sha256(sha.clone())) {
            rows.insert(
                sha.clone(),
                TimelineRow {
                    script: s.url.clone().unwrap_or_else(|| s.id.clone()),
                    sha256: sha.clone(),
                    first_seen: e.first_seen,
                    last_seen: e.last_seen,
                    scans: e.scans,
                },
            );
        }
    }
    let mut rows: Vec<TimelineRow> = rows.into_values().collect();
    rows.sort_by(|a, b| (&a.first_seen, &a.script).cmp(&(&b.first_seen, &b.script)));
    rows
}
