//! Scripts → facts → findings, round after round: analyse what the pages include, then fetch
//! what that code loads at run time (a loader's stage 2, its stage 3…) and analyse that, for a
//! bounded number of rounds. A scan is never "complete" without having seen what runs: code
//! that still loads more after the last round is an `errors[]` entry.

use super::analysis::{self, AnalysisOutcome};
use super::crawl::ScannedPage;
use super::deadline::Deadline;
use super::imports_ahead::Memo;
use super::modules;
use super::reuse::Reuse;
use super::scripts::{self, ScriptEntry};
use super::source::Loader;
use crate::finding::Finding;
use crate::js::Engine;
use crate::js::pipes::PipeFacts;
use crate::report::ScanError;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many rounds of scripts-loading-scripts are followed (a loader, its stage 2, stage 3…).
pub const MAX_DYNAMIC_ROUNDS: usize = 4;

/// What the rounds share: where scripts come from and who analyses them.
pub struct Rounds<'a> {
    pub loader: &'a Loader,
    /// Imports read while scripts downloaded (modules added at run time import too).
    pub imports_read: &'a Arc<Memo>,
    pub pages: &'a [ScannedPage],
    pub engine: &'a Engine,
    pub reuse: &'a Reuse,
    pub deadline: &'a Deadline,
    /// `--evidence`: decoded layers are kept beside their script.
    pub keep: Option<&'a crate::evidence::Artifacts>,
    pub concurrency: usize,
}

/// What every round found, in the order the rounds ran.
#[derive(Default)]
pub struct Found {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// What each script hands to others, for the page-level join once every round has run.
    pub pipes: Vec<(usize, String, PipeFacts)>,
}

impl Found {
    /// Add one analysis' results; the scripts it saw loaded at run time are returned.
    pub fn add(
        &mut self,
        outcome: AnalysisOutcome,
        keep: Option<&crate::evidence::Artifacts>,
    ) -> BTreeMap<usize, Vec<(String, String)>> {
        self.findings.extend(outcome.findings);
        self.errors.extend(outcome.errors);
        analysis::keep_decoded(keep, &outcome.decoded);
        self.pipes.extend(outcome.pipes);
        outcome.loads
    }
}

impl Rounds<'_> {
    /// Analyse `entries` (each distinct analysis once: copies of the same code share it), then
    /// follow what their code loads, round by round. Load problems go to `errors`.
    pub async fn run(
        &self,
        entries: &mut Vec<ScriptEntry>,
        found: &mut Found,
        errors: &mut Vec<ScanError>,
    ) {
        super::containers::expand(entries, 0);
        let first = self.analyse_from(entries, 0).await;
        let mut pending = found.add(first, self.keep);
        let mut round = 0;
        while !pending.is_empty() {
            if round == MAX_DYNAMIC_ROUNDS {
                errors.extend(self.not_followed(&pending));
                break;
            }
            round += 1;
            let before = entries.len();
            scripts::collect_dynamic(
                self.loader,
                self.pages,
                pending,
                entries,
                self.concurrency,
                errors,
            )
            .await;
            // Scripts added at run time import modules too.
            modules::follow(
                self.loader,
                self.imports_read,
                self.pages,
                entries,
                before,
                self.concurrency,
                errors,
            )
            .await;
            if entries.len() == before {
                break;
            }
            super::containers::expand(entries, before);
            let next = self.analyse_from(entries, before).await;
            pending = found.add(next, self.keep);
        }
    }

    async fn analyse_from(&self, entries: &mut [ScriptEntry], from: usize) -> AnalysisOutcome {
        analysis::analyse_until(
            self.engine,
            self.reuse,
            entries,
            from,
            self.pages,
            self.deadline,
        )
        .await
    }

    fn not_followed(&self, pending: &BTreeMap<usize, Vec<(String, String)>>) -> Vec<ScanError> {
        let mut out = Vec::new();
        for (page_index, list) in pending {
            for (url, by) in list {
                out.push(ScanError {
                    url: url.clone(),
                    message: format!(
                        "loaded at run time by {by} after {MAX_DYNAMIC_ROUNDS} rounds of loaders; not followed (page {})",
                        self.pages
                            .get(*page_index)
                            .map(|p| p.name.as_str())
                            .unwrap_or("?")
                    ),
                });
            }
        }
        out
    }
}
